"""One turn files one ticket, however often it is replayed (issue 15, feedback_router.tickets.replay).

A Rasa replica killed after the action filed the ticket makes the same turn run again on
another replica; the second create_ticket must return the first ticket, on SQLite and on
PostgreSQL, also when both attempts run at the same moment.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from feedback_router.core.db import make_engine, session_scope
from feedback_router.core.models import Ticket
from feedback_router.tickets.replay import REPLAY_WINDOW
from feedback_router.tickets.service import create_ticket

NOW = datetime(2026, 7, 14, 3, 0, tzinfo=timezone.utc)
REPORT = {"category": "waste", "description": "Rác thải ba ngày không ai thu gom",
          "sender_id": "web:replay-citizen", "location_text": "số 4 ngõ 12 Láng Hạ, phường Láng",
          "detect_duplicates": False}


def tickets(engine) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count(Ticket.id))))


def test_the_same_turn_twice_files_one_ticket(db_url: str) -> None:
    engine = make_engine(db_url)
    first = create_ticket(**REPORT, engine=engine, now=NOW)
    again = create_ticket(**REPORT, engine=engine, now=NOW + timedelta(seconds=7))
    assert again.code == first.code and not again.merged
    assert tickets(engine) == 1


def test_attempts_at_the_same_moment_file_one_ticket(db_url: str) -> None:
    engine = make_engine(db_url)
    with ThreadPoolExecutor(4) as pool:
        codes = set(pool.map(lambda _: create_ticket(**REPORT, engine=engine, now=NOW).code, range(4)))
    assert len(codes) == 1 and tickets(engine) == 1


def test_another_report_or_a_later_one_is_a_new_ticket(db_url: str) -> None:
    engine = make_engine(db_url)
    first = create_ticket(**REPORT, engine=engine, now=NOW)
    other = create_ticket(**{**REPORT, "description": "Rác lại đầy ngõ, xe rác không đến"}, engine=engine, now=NOW)
    later = create_ticket(**REPORT, engine=engine, now=NOW + REPLAY_WINDOW + timedelta(minutes=1))
    someone_else = create_ticket(**{**REPORT, "sender_id": "web:neighbour"}, engine=engine, now=NOW)
    assert len({first.code, other.code, later.code, someone_else.code}) == 4
    assert tickets(engine) == 4
