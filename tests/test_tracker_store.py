"""nlu/tracker_store.py, Rasa's SQL tracker store as we run it (issue 15): database work off
the event loop, no count query per save, and still exactly Rasa's rows, redacted during a
denunciation. Driven inside the Rasa venv on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import subprocess
from urllib.parse import urlsplit

import pytest

from scripts import procs
from scripts.procs import ROOT
from tests.conftest import drop_pg_database, make_pg_database


def run_store(params: dict) -> dict:
    proc = subprocess.run([str(ROOT / ".venv-rasa/bin/python"), "tests/rasa_side/run_tracker_store.py",
                           json.dumps(params)], cwd=ROOT, env=procs.base_env(), capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def outcome(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    if request.param == "sqlite":
        return run_store({"dialect": "sqlite", "db": str(tmp_path_factory.mktemp("tracker") / "tracker.db")})
    pg_server = request.getfixturevalue("pg_server")
    name, _url = make_pg_database(pg_server)
    pg = urlsplit(pg_server)
    try:
        return run_store({"dialect": "postgresql", "host": pg.hostname, "port": pg.port or 5432, "db": name,
                          "username": pg.username, "password": pg.password})
    finally:
        drop_pg_database(name)


def test_each_turn_appends_only_its_own_events(outcome: dict) -> None:
    rows = outcome["rows"]
    assert len(rows) == 3 + 3 * 4  # session start, then four events per turn, none twice
    assert [r["text"] for r in rows if r["type"] == "user"] == ["Xin chào", "rác ở ngõ 5", "phường Láng"]
    assert [r["intent"] for r in rows if r["type"] == "user"] == ["greet", "report_issue", "report_issue"]
    # the loaded tracker knows what is stored: the events since its session started (the
    # action_session_start before SessionStarted is older than it, as Rasa counts)
    assert outcome["stored_marks"] == [2, 6, 10]


def test_rasa_reads_back_what_was_written(outcome: dict) -> None:
    assert outcome["rasa_reads"] == ["Xin chào", "rác ở ngõ 5", "phường Láng"]


def test_a_tracker_from_elsewhere_falls_back_to_counting(outcome: dict) -> None:
    assert outcome["rows_after_outsider"] == 15 + 4


def test_a_new_session_inside_a_turn_is_appended_once(outcome: dict) -> None:
    after = outcome["after_new_session"]
    assert after["total_rows"] == 19 + 3 + 4
    assert after["latest_session_events"] == 6 and after["mark"] == 6  # SessionStarted onwards


def test_a_denunciation_is_still_written_redacted(outcome: dict) -> None:
    assert outcome["denunciation_texts"] == ["[redacted]", "[redacted]"]


def test_many_conversations_at_once_stay_whole(outcome: dict) -> None:
    assert outcome["crowd_rows"] == [1 + 3 * 4]


def test_database_work_runs_off_the_event_loop(outcome: dict) -> None:
    assert outcome["save_threads_outside_loop"] is True

