"""One turn files one ticket, however often it is replayed; two messages file twice (issue 15,
feedback_router.tickets.replay: keyed on the channel's message id, not on the words).

A Rasa replica killed after the action filed the ticket makes the same turn run again on
another replica, with the same message id in Rasa's metadata; the second create_ticket must
return the first ticket, on SQLite and on PostgreSQL, also when both attempts run at the same
moment. A citizen who sends the same words again on purpose sends another message: it is
filed again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from feedback_router.core.db import engine_for, make_engine, session_scope
from feedback_router.core.models import Ticket
from feedback_router.tickets.replay import TicketTurn
from feedback_router.tickets.service import create_ticket

NOW = datetime(2026, 7, 14, 3, 0, tzinfo=timezone.utc)
REPORT = {"category": "waste", "description": "Rác thải ba ngày không ai thu gom",
          "sender_id": "web:replay-citizen", "location_text": "số 4 ngõ 12 Láng Hạ, phường Láng",
          "detect_duplicates": False}


def tickets(engine) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count(Ticket.id))))


def test_the_same_message_twice_files_one_ticket(db_url: str) -> None:
    engine = make_engine(db_url)
    first = create_ticket(**REPORT, engine=engine, now=NOW, message_id="web:m-1")
    again = create_ticket(**REPORT, engine=engine, now=NOW + timedelta(hours=3), message_id="web:m-1")
    assert again.code == first.code and not again.merged
    assert tickets(engine) == 1


def test_attempts_of_one_message_at_the_same_moment_file_one_ticket(db_url: str) -> None:
    engine = make_engine(db_url)
    with ThreadPoolExecutor(4) as pool:
        codes = set(pool.map(lambda _: create_ticket(**REPORT, engine=engine, now=NOW, message_id="web:m-2").code,
                             range(4)))
    assert len(codes) == 1 and tickets(engine) == 1
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(TicketTurn.id))) == 1


def test_two_messages_with_the_same_words_file_twice(db_url: str) -> None:
    """Sent again on purpose (the rule this replaces swallowed it for 10 minutes)."""
    engine = make_engine(db_url)
    first = create_ticket(**REPORT, engine=engine, now=NOW, message_id="web:m-3")
    second = create_ticket(**REPORT, engine=engine, now=NOW, message_id="web:m-4")
    with ThreadPoolExecutor(4) as pool:  # and at the same moment
        more = set(pool.map(lambda i: create_ticket(**REPORT, engine=engine, now=NOW, message_id=f"web:c-{i}").code,
                            range(4)))
    assert len({first.code, second.code, *more}) == 6 and tickets(engine) == 6


def test_a_message_id_is_one_citizens(db_url: str) -> None:
    engine = make_engine(db_url)
    mine = create_ticket(**REPORT, engine=engine, now=NOW, message_id="7")
    theirs = create_ticket(**{**REPORT, "sender_id": "web:neighbour"}, engine=engine, now=NOW, message_id="7")
    assert mine.code != theirs.code and tickets(engine) == 2


def test_a_replayed_join_joins_once(db_url: str) -> None:
    engine = make_engine(db_url)
    open_ticket = create_ticket(**{**REPORT, "sender_id": "web:first"}, engine=engine, now=NOW)
    joined = create_ticket(**REPORT, engine=engine, now=NOW, join_code=open_ticket.code, message_id="web:j-1")
    again = create_ticket(**REPORT, engine=engine, now=NOW, join_code=open_ticket.code, message_id="web:j-1")
    assert joined.merged and again.merged and again.code == joined.code == open_ticket.code
    assert joined.report_count == again.report_count == 2 and tickets(engine) == 1


def test_without_a_message_id_every_call_files(db_url: str) -> None:
    """Open311 and scripts have no turn to replay: nothing is deduplicated by content."""
    engine = make_engine(db_url)
    codes = {create_ticket(**REPORT, engine=engine, now=NOW).code for _ in range(2)}
    assert len(codes) == 2


# ---- the action passes the message id from Rasa's metadata -----------------------------------

@pytest.fixture
def app_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    engine_for.cache_clear()
    yield db_url
    engine_for(db_url).dispose()
    engine_for.cache_clear()


def submit(message_id: str | None) -> str:
    from bot.actions import ActionSubmitReport

    slots: dict[str, Any] = {"confirmed": True, "category": "waste", "description": REPORT["description"],
                             "location": REPORT["location_text"]}
    latest = {"text": "đúng rồi", "intent": {"name": "affirm"},
              "metadata": {"channel": "web", "message_id": message_id}}
    tracker = Tracker("web:action-citizen", slots, latest, [], False, None, {}, "")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSubmitReport().run(dispatcher, tracker, {}))
    return next(e["value"] for e in events if e.get("event") == "slot" and e["name"] == "ticket_code")


def test_the_report_action_files_once_per_message(app_db: str) -> None:
    first = submit("web:confirm-1")
    assert submit("web:confirm-1") == first  # the turn replayed on another replica
    assert submit("web:confirm-2") != first  # the same report confirmed again, on purpose
    engine = make_engine(app_db)
    assert tickets(engine) == 2
    engine.dispose()
