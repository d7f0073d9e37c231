"""Zalo tokens in the database (issue 15, part 4: feedback_router.messaging.zalo_tokens).

Refresh tokens are single use: replicas refreshing at once must spend the refresh token once
and all end with the token that one refresh produced. Against the Zalo stand-in, whose refresh
is made slow so that the refreshers really overlap.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.channels.zalo import ZaloClient, ZaloError, ZaloSettings
from feedback_router.core.db import make_engine, session_scope
from feedback_router.messaging.zalo_tokens import ZaloToken
from nlu import clock
from tests.channels.standins.zalo_api import ZaloStandIn

APP_ID, APP_SECRET = "3608465249", "app-secret"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def zalo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ZaloStandIn]:
    with ZaloStandIn(APP_ID, APP_SECRET, "acc-0", "ref-0") as server:
        env = {"ZALO_APP_ID": APP_ID, "ZALO_APP_SECRET": APP_SECRET, "ZALO_OA_SECRET_KEY": "oa",
               "ZALO_API_BASE_URL": server.url, "ZALO_OAUTH_BASE_URL": server.url,
               "ZALO_ACCESS_TOKEN": "acc-0", "ZALO_REFRESH_TOKEN": "ref-0",
               "ZALO_TOKEN_FILE": str(tmp_path / "zalo_tokens.json")}
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        yield server


def stored(url: str) -> ZaloToken:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            row = session.scalar(select(ZaloToken).where(ZaloToken.account == APP_ID))
            assert row is not None
            session.expunge(row)
            return row
    finally:
        engine.dispose()


def test_replicas_refreshing_at_once_spend_the_refresh_token_once(zalo: ZaloStandIn, channel_db: str) -> None:
    """Six "replicas" (own client, own connection pool) see the same expired token at once."""
    zalo.refresh_delay = 0.5
    clients = [ZaloClient(ZaloSettings.from_env(), engine=make_engine(channel_db)) for _ in range(6)]
    clients[0].tokens.current()  # seeded from the variables
    start = threading.Barrier(len(clients))
    results: list[str] = []

    def replica(client: ZaloClient) -> None:
        start.wait()
        results.append(client.refresh(stale="acc-0"))

    threads = [threading.Thread(target=replica, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert zalo.refresh_calls == 1 and zalo.refreshes == 1
    assert results == ["acc-1"] * 6
    row = stored(channel_db)
    assert (row.access_token, row.refresh_token, row.version) == ("acc-1", "ref-1", 1)
    for client in clients:  # and the token they share is the valid one
        assert client.send_text("2468", "xin chào")
        client.tokens.engine.dispose()
    assert zalo.refreshes == 1 and len(zalo.sent) == 6


REPLICA = textwrap.dedent("""
    import sys
    from bot.channels.zalo import ZaloClient
    client = ZaloClient()
    client.tokens.current()
    print("ready", flush=True)
    sys.stdin.readline()
    token = client.refresh(stale="acc-0")
    client.send_text("2468", "từ " + sys.argv[1])
    print("token", token, flush=True)
""")


def test_two_processes_on_postgresql_refresh_once(zalo: ZaloStandIn, db_url_postgresql: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Two real processes (two replicas) against one PostgreSQL: one refresh call, one token."""
    monkeypatch.setenv("DATABASE_URL", db_url_postgresql)
    zalo.refresh_delay = 1.0
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", REPLICA, name], cwd=ROOT, env=env, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for name in ("a", "b")]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready", proc.stderr
        for proc in procs:  # both go at once
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outs = [proc.communicate(timeout=60) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outs]
    assert [out.split() for out, _ in outs] == [["token", "acc-1"]] * 2
    assert zalo.refresh_calls == 1
    assert sorted(m["message"]["text"] for m in zalo.sent) == ["từ a", "từ b"]
    row = stored(db_url_postgresql)
    assert (row.access_token, row.refresh_token, row.version) == ("acc-1", "ref-1", 1)


def test_an_existing_token_file_seeds_the_database_once(zalo: ZaloStandIn, channel_db: str) -> None:
    """Upgrading a deployment: the pair refreshed into the old file (not the variables, whose
    refresh token was spent long ago) goes into the database, and the file is not read again."""
    zalo.valid_access = {"acc-7"}
    zalo.valid_refresh = {"ref-7"}
    expired = (clock.now() - timedelta(hours=1)).timestamp()
    token_file = ZaloSettings.from_env().token_file
    token_file.write_text(json.dumps({"access_token": "acc-7", "refresh_token": "ref-7", "expires_at": expired}))
    client = ZaloClient()
    assert client.send_text("1", "một")  # expired in the file: refreshed before sending
    assert zalo.refresh_calls == 1 and client.tokens.current().refresh_token == "ref-1"
    token_file.write_text(json.dumps({"access_token": "stale", "refresh_token": "stale", "expires_at": 0}))
    assert ZaloClient().access_token() == "acc-1"


def test_a_refused_refresh_keeps_the_stored_pair(zalo: ZaloStandIn, channel_db: str) -> None:
    zalo.valid_refresh = set()  # Zalo no longer accepts ref-0 (spent by someone else, revoked…)
    client = ZaloClient()
    with pytest.raises(ZaloError, match="refused"):
        client.refresh(stale="acc-0")
    row = client.tokens.current()
    assert (row.access_token, row.refresh_token, row.version) == ("acc-0", "ref-0", 0)


def test_no_refresh_token_is_not_retryable(zalo: ZaloStandIn, channel_db: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZALO_REFRESH_TOKEN", "")
    with pytest.raises(ZaloError) as err:
        ZaloClient().refresh(stale="acc-0")
    assert not err.value.retryable and zalo.refresh_calls == 0
