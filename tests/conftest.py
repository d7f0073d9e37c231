"""Shared fixtures: databases (SQLite file, fresh PostgreSQL database) and the live stack."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from scripts import procs

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin() -> psycopg.Connection:
    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)


@pytest.fixture(scope="session")
def pg_server() -> str:
    try:
        with _pg_admin() as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    return PG_ADMIN_URL


def make_pg_database(admin_url: str) -> tuple[str, str]:
    name = f"hanoi_test_{uuid.uuid4().hex[:10]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]
    return name, f"{base}/{name}"


def drop_pg_database(name: str) -> None:
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """A migrated, empty database of each kind."""
    return str(request.getfixturevalue("db_url_" + request.param))


@dataclass
class Stack:
    rasa_url: str
    web_url: str
    database_url: str


@pytest.fixture(scope="session")
def rasa_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """The real Rasa server with the trained model; its action endpoint port is fixed
    here so each database backend can start its own action server behind it."""
    from scripts.train_model import ensure_model

    model = Path(os.environ["RASA_MODEL"]) if os.environ.get("RASA_MODEL") else ensure_model()
    workdir = tmp_path_factory.mktemp("rasa")
    port, actions_port = procs.free_port(), procs.free_port()
    env = procs.base_env(ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook",
                         RASA_TRACKER_DB=str(workdir / "tracker.db"))
    url = f"http://127.0.0.1:{port}"
    with procs.running(procs.rasa_cmd(model, port), env, f"{url}/healthz", workdir / "rasa.log", timeout=400):
        yield url, actions_port


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest, rasa_server: tuple[str, int], tmp_path: Path) -> Iterator[Stack]:
    """Rasa + action server + web app, all real, on a fresh database of each kind."""
    db = request.getfixturevalue("db_url_" + request.param)
    rasa_url, actions_port = rasa_server
    web_port = procs.free_port()
    env = procs.base_env(DATABASE_URL=db, RASA_URL=rasa_url, ACTIONS_PORT=str(actions_port),
                         WEB_PORT=str(web_port))
    with procs.running(procs.actions_cmd(), env, f"http://127.0.0.1:{actions_port}/healthz",
                       tmp_path / "actions.log", timeout=120), \
         procs.running(procs.web_cmd(), env, f"http://127.0.0.1:{web_port}/healthz",
                       tmp_path / "web.log", timeout=60):
        yield Stack(rasa_url, f"http://127.0.0.1:{web_port}", db)


@pytest.fixture
def db_url_sqlite(tmp_path: Path) -> str:
    from feedback_router.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'stack.db'}"
    upgrade(url)
    return url


@pytest.fixture
def db_url_postgresql(pg_server: str) -> Iterator[str]:
    from feedback_router.migrate import upgrade

    name, url = make_pg_database(pg_server)
    try:
        upgrade(url)
        yield url
    finally:
        drop_pg_database(name)
