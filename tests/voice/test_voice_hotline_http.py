"""The hotline's HTTP side (bot.hotline.make_http) over real HTTP: what the dialplan calls,
with the calls' state in the database (feedback_router.messaging.calls), on SQLite and
PostgreSQL, also across two hotline replicas."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
import time_machine

from bot.hotline import HotlineState, make_http
from feedback_router.core.db import make_engine
from feedback_router.messaging.calls import CallRegistry
from scripts import procs
from voice.audiosocket import CallerRegistry
from voice.call_flow import TransferRequest


@contextmanager
def replica(db_url: str, health: dict) -> Iterator[tuple[str, HotlineState]]:
    """One hotline's HTTP side with its own state object and connection pool: all it shares with
    another replica is the database."""
    engine = make_engine(db_url)
    state = HotlineState(CallRegistry(engine))
    port = procs.free_port()
    server = make_http(state, lambda: dict(health), "127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{port}", state
    finally:
        server.shutdown()
        server.server_close()
        engine.dispose()


@pytest.fixture
def side(db_url: str) -> Iterator[tuple[str, HotlineState, dict]]:
    health = {"status": "starting"}
    with replica(db_url, health) as (url, state):
        yield url, state, health


def test_health_is_503_until_the_audiosocket_listens(side):
    url, _, health = side
    assert requests.get(f"{url}/healthz", timeout=5).status_code == 503
    health.update(status="ok", active_calls=0, total_calls=0)
    body = requests.get(f"{url}/healthz", timeout=5).json()
    assert body == {"service": "hotline", "status": "ok", "active_calls": 0, "total_calls": 0}


def test_caller_number_registered_by_post_or_get_is_used_once(side):
    url, state, _ = side
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    assert requests.post(f"{url}/caller", data={"uuid": a, "number": "091 234-5678"}, timeout=5).status_code == 200
    assert requests.get(f"{url}/caller", params={"uuid": b, "number": "+84912345678"}, timeout=5).status_code == 200
    assert state.callers(a) == "0912345678" and state.callers(a) is None
    assert state.callers(b) == "+84912345678"


@pytest.mark.parametrize("data", [{"uuid": "nope", "number": "0912345678"},
                                  {"uuid": "0f8fad5b-d9cb-469f-a165-70867728950e", "number": "12; DROP"},
                                  {"uuid": "0f8fad5b-d9cb-469f-a165-70867728950e", "number": "anonymous"},
                                  {}])  # fmt: skip
def test_bad_caller_registrations_get_a_clear_400(side, data):
    url, state, _ = side
    resp = requests.post(f"{url}/caller", data=data, timeout=5)
    assert resp.status_code == 400 and resp.json()["error"]
    assert len(state.callers) == 0


def test_oversized_body_unknown_path_and_bad_uuid(side):
    url, _, _ = side
    assert requests.post(f"{url}/caller", data="x" * 5000, timeout=5).status_code == 413
    assert requests.get(f"{url}/nowhere", timeout=5).status_code == 404
    assert requests.get(f"{url}/calls/not-a-uuid/next", timeout=5).status_code == 404
    assert requests.get(f"{url}/calls/{'g' * 32}/next", timeout=5).status_code == 404


def test_next_step_after_a_transfer_is_the_operator_once(side):
    url, state, _ = side
    call = str(uuid.uuid4())
    assert requests.get(f"{url}/calls/{call}/next", timeout=5).text == "hangup"
    state.on_transfer(TransferRequest(call, "0912345678", "hotline:0912345678", "voice"))
    assert requests.get(f"{url}/calls/{call.replace('-', '')}/next", timeout=5).text == "operator"
    assert requests.get(f"{url}/calls/{call}/next", timeout=5).text == "hangup"


def test_caller_registry_forgets_stale_numbers(monkeypatch):
    import voice.audiosocket as audiosocket

    now = [1000.0]
    monkeypatch.setattr(audiosocket.time, "monotonic", lambda: now[0])
    registry = CallerRegistry(ttl=60, max_entries=2)
    old, a, b = (str(uuid.uuid4()) for _ in range(3))
    registry.register(old, "0900000001")
    now[0] += 61
    assert registry(old) is None  # the call never connected in time
    registry.register(a, "0900000002")
    registry.register(b, "0900000003")
    registry.register(str(uuid.uuid4()), "0900000004")  # full: the oldest goes
    assert len(registry) == 2 and registry(a) is None and registry(b) == "0900000003"
    with pytest.raises(ValueError):
        registry.register("not-a-uuid", "0900000005")


def test_any_replica_answers_for_any_call(db_url: str) -> None:
    """/caller on one replica, the call on another, /calls/<uuid>/next on a third (a balancer in
    front of several hotline processes): the number and the transfer are found each time."""
    ok = {"status": "ok"}
    with replica(db_url, ok) as (a, _), replica(db_url, ok) as (_, b), replica(db_url, ok) as (c, _):
        call = str(uuid.uuid4())
        assert requests.post(f"{a}/caller", data={"uuid": call, "number": "0912345678"}, timeout=5).status_code == 200
        assert asyncio.run(b.caller_lookup(call)) == "0912345678"  # the AudioSocket leg reached B
        assert b.callers(call) is None  # used once
        asyncio.run(b.on_transfer_async(TransferRequest(call, "0912345678", "hotline:0912345678", "dtmf")))
        assert requests.get(f"{c}/calls/{call}/next", timeout=5).text == "operator"
        assert requests.get(f"{a}/calls/{call}/next", timeout=5).text == "hangup"  # asked once


def test_call_state_expires(db_url: str) -> None:
    registry = CallRegistry(make_engine(db_url))
    old, fresh = str(uuid.uuid4()), str(uuid.uuid4())
    start = datetime(2026, 12, 5, 9, 0, tzinfo=timezone.utc)
    with time_machine.travel(start, tick=False):
        registry.register(old, "0900000001")
        registry.transfer(old)
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        registry.register(fresh, "0900000002")
        assert registry(old) is None  # its call never connected in time
        assert registry.next_step(old) == "operator"  # a transfer waits longer (10 minutes)
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        registry.register(str(uuid.uuid4()), "0900000003")  # registering sweeps what nobody asked for
        assert len(registry) == 1 and registry(fresh) is None
    registry.engine.dispose()
