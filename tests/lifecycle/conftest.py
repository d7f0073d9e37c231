"""Fixtures for the ticket lifecycle tests: an engine on each database, the web app,
staff users of two units."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from bot.gateway import Gateway
from bot.web import create_app
from feedback_router.staff.auth import create_user
from feedback_router.core.db import session_scope
from nlu import gazetteer
from scripts.procs import free_port

PASSWORD = "mat-khau-thu-nghiem"
API_KEY = "test-open311-key"


@dataclass(frozen=True)
class Units:
    a: str  # phường Láng
    b: str  # phường Hoàn Kiếm


@pytest.fixture(scope="session")
def units() -> Units:
    a, b = gazetteer.find_ward("phường Láng"), gazetteer.find_ward("phường Hoàn Kiếm")
    assert a is not None and b is not None and a.unit_id != b.unit_id
    return Units(a.unit_id, b.unit_id)


@pytest.fixture
def staff(engine: Engine, units: Units) -> dict[str, str]:
    with session_scope(engine) as s:
        create_user(s, "op_a", PASSWORD, "operator", units.a)
        create_user(s, "op_b", PASSWORD, "operator", units.b)
        create_user(s, "sup", PASSWORD, "supervisor")
    return {"op_a": units.a, "op_b": units.b}


@pytest.fixture
def app(engine: Engine, staff: dict[str, str]) -> Flask:
    return create_app({"GATEWAY": Gateway(f"http://127.0.0.1:{free_port()}", timeout=2),
                       "DATABASE_ENGINE": engine, "OPEN311_API_KEYS": API_KEY, "TESTING": True,
                       "SECRET_KEY": "test-secret"})


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token."""
    client.get("/dashboard/login")
    with client.session_transaction() as sess:
        token = sess["csrf_token"]
    resp = client.post("/dashboard/login", data={"username": username, "password": password, "csrf_token": token})
    assert resp.status_code == 302, resp.data
    with client.session_transaction() as sess:
        return sess["csrf_token"]
