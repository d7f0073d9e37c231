"""Shared fixtures: databases (SQLite file, fresh PostgreSQL database), the live stack, and the
instants dated tests run at.

A test that takes the ``instant`` fixture is dated: it runs once per instant of DATED_INSTANTS
(or only at ``--at=…`` / TEST_NOW when given), and a ``stack`` it uses is started with the
clock frozen there (nlu.clock: CLOCK_FROZEN_AT, CLOCK_TICK=0).

Every other test runs at SUITE_INSTANT (or at ``--at`` / TEST_NOW), its clock ticking on from
there: in-process through time-machine, and in every process it starts through procs.clock_env.
A test marked ``@pytest.mark.real_clock`` keeps the real clock in-process (its processes do not).
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import time_machine
import yaml
from sqlalchemy import Engine

from feedback_router.core.db import make_engine
from nlu import clock
from scripts import procs
from tests.components import ComponentTally, components_of, in_ci, require

# The instants the dated dialogue tests run at (Hanoi time). 2027-02-04..10 is the Tết holiday
# (package holidays, VN), so 03/02/2027 is the last working day before it; 01/01/2027 is New Year.
DATED_INSTANTS = {
    "monday": "2026-12-07T09:00+07:00",
    "friday-afternoon": "2026-12-04T16:30+07:00",
    "saturday": "2026-12-05T10:00+07:00",
    "holiday-eve": "2026-12-31T15:00+07:00",
    "before-tet": "2027-02-03T14:00+07:00",
    "late-night": "2026-12-10T23:59+07:00",
}
TEST_NOW_ENV = "TEST_NOW"
# What "now" is for every test that is neither dated nor pinned: a weekday morning in Hanoi
# (Thursday 03/12/2026 09:00), so the suite's outcome never depends on the day or hour it runs.
SUITE_INSTANT = "2026-12-03T09:00+07:00"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--at", default=os.environ.get(TEST_NOW_ENV) or None, metavar="INSTANT",
                     help="run the dated tests only at this instant, e.g. 2026-12-04T16:30+07:00 "
                          f"(default: ${TEST_NOW_ENV}, else every instant of DATED_INSTANTS)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "instant" not in metafunc.fixturenames:
        return
    chosen = metafunc.config.getoption("--at")
    pairs = [("at-" + chosen, chosen)] if chosen else list(DATED_INSTANTS.items())
    metafunc.parametrize("instant", [clock.parse_instant(raw) for _, raw in pairs], ids=[n for n, _ in pairs])


def suite_instant(config: pytest.Config) -> datetime:
    return clock.parse_instant(config.getoption("--at") or SUITE_INSTANT)


def instant_of(request: pytest.FixtureRequest) -> tuple[datetime, bool]:
    """The instant a test runs at, and whether its processes' clocks stand still there: that of a
    dated test (``instant``) or of a pinned one (``@pytest.mark.clock``) does, the suite's ticks."""
    if "instant" in request.fixturenames:
        return request.getfixturevalue("instant"), True
    marker = request.node.get_closest_marker("clock")
    if marker:
        return clock.parse_instant(marker.args[0]), True
    return suite_instant(request.config), False


@pytest.fixture(autouse=True)
def suite_clock(request: pytest.FixtureRequest) -> Iterator[datetime]:
    """Every test runs at its instant, in-process and in the processes it starts (frozen there
    for a dated or pinned test: a dialogue that takes a minute at 23:59 must not cross midnight
    half-way). time-machine ticks (tick=True) and leaves time.monotonic, time.perf_counter and
    time.sleep alone, so tests that wait or measure real elapsed time still see real seconds
    pass; a test may still travel elsewhere inside (time_machine.travel nests). ``real_clock``:
    the test signs messages for a process that checks them against the real wall clock (Zalo's
    replay window), so only its processes move."""
    at, frozen = instant_of(request)
    outer, procs.clock_start = procs.clock_start, (at, time.monotonic(), not frozen)
    try:
        if request.node.get_closest_marker("real_clock"):
            yield at
        else:
            with time_machine.travel(at, tick=True):
                yield at
    finally:
        procs.clock_start = outer


def pytest_configure(config: pytest.Config) -> None:
    # processes started by session/module fixtures (Rasa, the fault suite's stack) start here
    procs.clock_start = (suite_instant(config), time.monotonic(), True)
    config.addinivalue_line("markers", "clock(instant): start this test's stack with the clock frozen at "
                                       "instant (ISO with offset): a dialogue whose answer depends on the day")
    config.addinivalue_line("markers", "real_clock: keep the real clock in the test process (the processes it "
                                       "starts still run at the suite's instant)")
    config.addinivalue_line("markers", "component(name): count this test under component name in the summary line")


PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin() -> psycopg.Connection:
    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)


@pytest.fixture(scope="session")
def pg_server() -> str:
    """PostgreSQL at TEST_PG_ADMIN_URL: used whenever it answers; in CI its absence fails."""
    problem = None
    try:
        with _pg_admin() as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        problem = str(exc).strip()
    require("postgresql", problem is None, f"no answer at {PG_ADMIN_URL} (TEST_PG_ADMIN_URL): {problem}")
    return PG_ADMIN_URL


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium, driven by Playwright (tests/browser.py)."""
    from tests.browser import CHROMIUM

    require("chromium", shutil.which(CHROMIUM) is not None, f"{CHROMIUM} absent (apt-get install chromium)")
    return CHROMIUM


_tally = ComponentTally()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    _tally.collect(items)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    # The components travel on the report: under pytest-xdist (make test) the controller that prints
    # the summary never sees the items, only the reports the workers send it.
    outcome = yield
    outcome.get_result().user_properties.append(("components", components_of(item) or ["plain"]))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _tally.record(report)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(_tally.line() + (" (CI: missing components fail)" if in_ci() else ""))


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


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on `db_url`, disposed after the test (directories may override it)."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@dataclass
class Stack:
    rasa_url: str
    web_url: str
    database_url: str
    tracker_url: str = ""  # Rasa's tracker store as an SQLAlchemy URL (what it kept of each conversation)
    rasa_log: Path | None = None


@dataclass(frozen=True)
class RasaServer:
    url: str
    actions_port: int  # fixed here, so each test starts its own action server behind this Rasa
    tracker_url: str
    log: Path


@contextmanager
def _running_rasa(workdir: Path, tracker_url: str, endpoints: Path | None = None,
                  **env_extra: str) -> Iterator[RasaServer]:
    from scripts.train_model import ensure_model

    model = Path(os.environ["RASA_MODEL"]) if os.environ.get("RASA_MODEL") else ensure_model()
    port, actions_port = procs.free_port(), procs.free_port()
    env = procs.base_env(ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook", **env_extra)
    cmd = procs.rasa_cmd(model, port)
    if endpoints is not None:
        cmd[cmd.index("--endpoints") + 1] = str(endpoints)
    url = f"http://127.0.0.1:{port}"
    with procs.running(cmd, env, f"{url}/healthz", workdir / "rasa.log", timeout=400):
        yield RasaServer(url, actions_port, tracker_url, workdir / "rasa.log")


@pytest.fixture(scope="session")
def rasa_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaServer]:
    """The real Rasa server with the trained model and the embedded stores (endpoints.yml: SQLite
    tracker, in-memory lock store)."""
    workdir = tmp_path_factory.mktemp("rasa")
    tracker = workdir / "tracker.db"
    with _running_rasa(workdir, f"sqlite:///{tracker}", RASA_TRACKER_DB=str(tracker)) as server:
        yield server


@pytest.fixture(scope="session")
def redis_server() -> str:
    """Redis at TEST_REDIS_URL (default db 14: never the db the app or docker/endpoints.yml use)."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    problem = None
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        problem = str(exc)
    require("redis", problem is None, f"no answer at {url} (TEST_REDIS_URL): {problem}")
    return url


@pytest.fixture(scope="session")
def rasa_server_production(tmp_path_factory: pytest.TempPathFactory, pg_server: str,
                           redis_server: str) -> Iterator[RasaServer]:
    """Rasa with the production stores of docker/endpoints.yml: the redacting SQL tracker store on
    PostgreSQL (a fresh database) and the Redis lock store under a key prefix of its own, so runs
    sharing one Redis never take each other's conversation locks."""
    workdir = tmp_path_factory.mktemp("rasa_production")
    name, tracker_url = make_pg_database(pg_server)
    pg, rd = urlsplit(pg_server), urlsplit(redis_server)
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump({
        "action_endpoint": {"url": "${ACTION_SERVER_URL}"},
        "tracker_store": {"type": "nlu.tracker_store.RedactingSQLTrackerStore", "dialect": "postgresql",
                          "url": pg.hostname, "port": pg.port or 5432, "db": name,
                          "username": pg.username, "password": pg.password},
        "lock_store": {"type": "redis", "url": rd.hostname, "port": rd.port or 6379,
                       "db": int(rd.path.strip("/") or 0), "key_prefix": f"test{uuid.uuid4().hex[:12]}"},
    }))
    try:
        with _running_rasa(workdir, tracker_url, endpoints) as server:
            yield server
    finally:
        drop_pg_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    """Rasa + action server + web app, all real, on a fresh database of each kind. The
    ``postgresql`` stack is the production set-up: app data, Rasa's tracker store in PostgreSQL and
    Rasa's lock store in Redis; ``sqlite`` is the embedded default (make run)."""
    db = request.getfixturevalue("db_url_" + request.param)
    rasa: RasaServer = request.getfixturevalue("rasa_server_production" if request.param == "postgresql"
                                               else "rasa_server")
    web_port = procs.free_port()
    env = procs.base_env(DATABASE_URL=db, RASA_URL=rasa.url, ACTIONS_PORT=str(rasa.actions_port),
                         WEB_PORT=str(web_port))  # clock: suite_clock
    with procs.running(procs.actions_cmd(), env, f"http://127.0.0.1:{rasa.actions_port}/healthz",
                       tmp_path / "actions.log", timeout=120), \
         procs.running(procs.web_cmd(), env, f"http://127.0.0.1:{web_port}/healthz",
                       tmp_path / "web.log", timeout=60):
        yield Stack(rasa.url, f"http://127.0.0.1:{web_port}", db, rasa.tracker_url, rasa.log)


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
