"""Fixtures for the security regression tests: the real web app on each database, one
supervisor, one ticket with personal data in it."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from bot.gateway import Gateway
from bot.web import create_app
from feedback_router.staff.auth import create_user
from feedback_router.core.db import session_scope
from feedback_router.tickets.service import create_ticket
from nlu import gazetteer
from scripts.procs import free_port

PASSWORD = "mat-khau-an-toan-1"
API_TOKEN = "security-test-token"
PERSONAL = ("Rác trước số nhà 15 ngõ 12 Láng Hạ, gọi 0912 345 678 hoặc lan.nguyen@example.com, "
            "CCCD 001203004567")


@pytest.fixture
def app(engine: Engine) -> Flask:
    with session_scope(engine) as s:
        create_user(s, "sup", PASSWORD, "supervisor")
    return create_app({"GATEWAY": Gateway(f"http://127.0.0.1:{free_port()}", timeout=2), "DATABASE_ENGINE": engine,
                       "TESTING": True, "SECRET_KEY": "security-tests-secret", "API_TOKENS": API_TOKEN,
                       "OPEN311_API_KEYS": "k"})


@pytest.fixture
def ticket_code(engine: Engine) -> str:
    ward = gazetteer.find_ward("phường Láng")
    assert ward is not None
    return create_ticket(category="waste", description=PERSONAL, sender_id="telegram:42", phone="0912345678",
                         location_text="15 Láng Hạ, phường Láng", ward_unit_id=ward.unit_id,
                         latitude=21.0123456, longitude=105.8123456, engine=engine).code


def login(client: FlaskClient, username: str = "sup", password: str = PASSWORD) -> tuple[int, str]:
    client.get("/dashboard/login")
    with client.session_transaction() as sess:
        token = sess["csrf_token"]
    resp = client.post("/dashboard/login", data={"username": username, "password": password, "csrf_token": token})
    with client.session_transaction() as sess:
        return resp.status_code, sess.get("csrf_token", "")
