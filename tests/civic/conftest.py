"""Fixtures for suggestions and denunciations: a fresh DENOUNCE_KEY, an engine on each
database, staff of the denounced ward, of the inspectorate and above, and the web app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from bot.gateway import Gateway
from bot.web import create_app
from feedback_router.staff.auth import create_user
from feedback_router.core.db import engine_for, make_engine, session_scope
from scripts.procs import free_port
from tests.lifecycle.conftest import login as _login

PASSWORD = "mat-khau-thu-nghiem"
INSPECTORATE = "thanh-tra-thanh-pho"
WARD = "ubnd-phuong-lang"        # the unit denounced in the tests
OTHER_WARD = "ubnd-phuong-hoan-kiem"


@dataclass(frozen=True)
class Secret:
    """A denouncer whose details must never leak (distinctive strings, easy to search for)."""

    name: str = "Trần Thị Bí Mật"
    phone: str = "0987654321"
    address: str = "Số 77 ngõ Kín, phố Láng Hạ"
    sender_id: str = "telegram:777000111"


@pytest.fixture
def denounce_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh key in DENOUNCE_KEY for this test (inherited by processes it starts)."""
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("DENOUNCE_KEY", key)
    monkeypatch.delenv("DENOUNCE_KEY_FILE", raising=False)
    return key


@pytest.fixture
def engine(db_url: str, denounce_key: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    engine_for.cache_clear()
    eng = make_engine(db_url)
    yield eng
    eng.dispose()
    engine_for.cache_clear()


@pytest.fixture
def staff(engine: Engine) -> None:
    with session_scope(engine) as s:
        create_user(s, "op_ward", PASSWORD, "operator", WARD)          # the unit denounced
        create_user(s, "op_other", PASSWORD, "operator", OTHER_WARD)
        create_user(s, "op_tt", PASSWORD, "operator", INSPECTORATE)    # inspectorate, but not an inspector
        create_user(s, "op_sxd", PASSWORD, "operator", "so-xay-dung")
        create_user(s, "sup", PASSWORD, "supervisor")
        create_user(s, "admin", PASSWORD, "admin")
        create_user(s, "insp", PASSWORD, "inspector", INSPECTORATE)
        create_user(s, "insp_ward", PASSWORD, "inspector", WARD)       # inspector posted in the denounced unit


@pytest.fixture
def app(engine: Engine, staff: None) -> Flask:
    return create_app({"GATEWAY": Gateway(f"http://127.0.0.1:{free_port()}", timeout=2),
                       "DATABASE_ENGINE": engine, "TESTING": True, "SECRET_KEY": "test-secret"})


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> str:
    """The dashboard's form login with this folder's password; returns the CSRF token."""
    return _login(client, username, password)
