"""After a unit resolves a report the reporter is asked (on their channel, with buttons) to rate it
1–5 or reopen it within 7 days; reopening puts it back in progress with an event; only a reporter
may do either; ratings appear in the statistics (issue 16). Both databases, in-process."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, select

from feedback_router.tickets import lifecycle
from feedback_router.core.db import session_scope
from feedback_router.core.models import Ticket
from feedback_router.messaging.models import Outbox
from feedback_router.public.feedback import FeedbackRefused, rate_ticket, rating_stats, reopen_ticket
from feedback_router.tickets.service import create_ticket

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


def _resolved(engine: Engine, sender: str = "telegram:42", category: str = "waste",
              place: str = "ngõ 5 Láng Hạ") -> str:
    """One resolved ticket of ``sender`` (tests wanting two from one reporter give the second
    another place, which the content rule of tickets.replay required before it keyed on message ids)."""
    code = create_ticket(category=category, description="Rác không ai thu gom", sender_id=sender,
                         location_text=place, engine=engine, now=T0, detect_duplicates=False).code
    with session_scope(engine) as s:
        t = s.scalars(select(Ticket).where(Ticket.code == code)).one()
        lifecycle.change_status(s, t, "resolved", actor="staff:op", note="Đã thu gom.", now=T0 + timedelta(hours=5))
    return code


def test_resolution_asks_the_reporter_on_their_channel_with_rate_and_reopen_buttons(engine: Engine) -> None:
    code = _resolved(engine)
    with session_scope(engine) as s:
        (row,) = [o for o in s.scalars(select(Outbox)) if o.payload.get("status") == "resolved"]
        assert row.channel == "telegram" and row.recipient == "telegram:42"
        assert "1 đến 5" in row.text and "7 ngày" in row.text and "1–5" in row.text
        buttons = row.payload["reply"]["buttons"]
    payloads = [b["payload"] for b in buttons]
    assert f'/rate_ticket{{"ticket_code":"{code}","rating":"5"}}' in payloads
    assert f'/reopen_ticket{{"ticket_code":"{code}"}}' in payloads
    assert all(len(p.encode()) <= 64 for p in payloads)  # Telegram's callback_data limit


def test_rating_counts_in_statistics_and_only_the_reporter_may_rate(engine: Engine) -> None:
    code = _resolved(engine)
    other = _resolved(engine, sender="web:someone")
    with pytest.raises(FeedbackRefused):
        rate_ticket(code, 5, sender_id="telegram:999", engine=engine)  # not the reporter
    with pytest.raises(FeedbackRefused):
        rate_ticket(code, 6, sender_id="telegram:42", engine=engine)
    rate_ticket(code, 4, sender_id="telegram:42", engine=engine)
    rate_ticket(other, 2, sender_id="web:someone", engine=engine)
    with session_scope(engine) as s:
        stats = rating_stats(s)
        kinds = [e.kind for e in s.scalars(select(Ticket).where(Ticket.code == code)).one().events]
    assert stats.count == 2 and stats.average == 3.0 and stats.distribution[4] == 1 and stats.distribution[2] == 1
    assert "rating" in kinds
    assert stats.as_dict()["count"] == 2


def test_reopen_within_seven_days_goes_back_in_progress_with_an_event(engine: Engine) -> None:
    code = _resolved(engine)
    late = _resolved(engine, place="ngõ 12 Láng Hạ")
    with pytest.raises(FeedbackRefused, match="7"):
        reopen_ticket(late, sender_id="telegram:42", engine=engine, now=T0 + timedelta(days=8))
    reopen_ticket(code, sender_id="telegram:42", engine=engine, now=T0 + timedelta(days=6))
    with session_scope(engine) as s:
        t = s.scalars(select(Ticket).where(Ticket.code == code)).one()
        assert t.status.value == "in_progress"
        assert t.events[-1].kind == "reopen" and t.events[-1].actor == "citizen:telegram:42"
        stats = rating_stats(s)
    assert stats.reopened == 1
    with pytest.raises(FeedbackRefused):
        reopen_ticket(code, sender_id="telegram:42", engine=engine, now=T0 + timedelta(days=6))


def test_ratings_are_published_as_statistics(engine: Engine, app) -> None:  # type: ignore[no-untyped-def]
    code = _resolved(engine)
    rate_ticket(code, 5, sender_id="telegram:42", engine=engine)
    body = app.test_client().get("/api/v1/public/ratings").get_json()
    assert body["count"] == 1 and body["average"] == 5.0 and body["distribution"]["5"] == 1
    assert list(body["by_unit"].values())[0]["count"] == 1
