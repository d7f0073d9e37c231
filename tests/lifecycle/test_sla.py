"""SLA arithmetic in Hanoi working hours, across lunch, weekends and Tết 2027."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from feedback_router.core.db import session_scope
from feedback_router.core.models import Ticket
from feedback_router.tickets.service import create_ticket
from feedback_router.tickets.sla import (
    TZ,
    add_working_hours,
    deadlines,
    flag_overdue,
    is_working_day,
    working_hours_between,
)


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_within_a_morning_and_across_lunch() -> None:
    assert add_working_hours(vn(2026, 11, 23, 8, 0), 2) == vn(2026, 11, 23, 10, 0)
    assert add_working_hours(vn(2026, 11, 23, 11, 0), 2) == vn(2026, 11, 23, 14, 0)  # lunch 12:00-13:00 skipped


def test_outside_hours_starts_next_opening() -> None:
    assert add_working_hours(vn(2026, 11, 23, 6, 30), 1) == vn(2026, 11, 23, 9, 0)
    assert add_working_hours(vn(2026, 11, 23, 12, 30), 1) == vn(2026, 11, 23, 14, 0)
    assert add_working_hours(vn(2026, 11, 23, 20, 0), 1) == vn(2026, 11, 25, 9, 0)  # 24/11 = Vietnam Cultural Day


def test_friday_evening_to_monday() -> None:
    # Friday 27/11/2026 16:00 + 4 h: 1 h on Friday, 3 h on Monday 30/11
    assert add_working_hours(vn(2026, 11, 27, 16, 0), 4) == vn(2026, 11, 30, 11, 0)
    assert working_hours_between(vn(2026, 11, 27, 16, 0), vn(2026, 11, 30, 11, 0)) == pytest.approx(4)


def test_tet_2027_is_skipped() -> None:
    # Tết holidays 4–10 Feb 2027 (Thu..Wed), weekend inside: Wednesday 3/2 16:00 + 8 h
    assert not is_working_day(vn(2027, 2, 8).date()) and not is_working_day(vn(2027, 2, 4).date())
    assert add_working_hours(vn(2027, 2, 3, 16, 0), 8) == vn(2027, 2, 11, 16, 0)
    ack, due = deadlines(vn(2027, 2, 3, 16, 0), "normal")
    assert ack == vn(2027, 2, 11, 16, 0)
    assert due == vn(2027, 2, 17, 16, 0)  # 40 h = 1 h on 3/2 + 8 h × 4 (11, 12, 15, 16/2) + 7 h on 17/2


def test_env_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_URGENT_HOURS", "2")
    monkeypatch.setenv("SLA_EXTRA_HOLIDAYS", "2026-11-23")
    _ack, due = deadlines(vn(2026, 11, 23, 9, 0), "urgent")
    assert due == vn(2026, 11, 25, 10, 0)


def test_ticket_gets_deadline_and_overdue_escalates(engine: Engine) -> None:
    created = vn(2026, 11, 27, 16, 0).astimezone(timezone.utc)
    receipt = create_ticket(category="flooding_drainage", description="Ngập sâu, cống tắc", sender_id="web:s1",
                            engine=engine, now=created)
    with Session(engine) as s:
        t = s.scalar(select(Ticket).where(Ticket.code == receipt.code))
        _ack, due = deadlines(created, t.urgency.value)
        assert t.sla_due_at is not None and t.sla_due_at.replace(tzinfo=None) == due.replace(tzinfo=None)
    with session_scope(engine) as s:
        assert flag_overdue(s, now=vn(2026, 11, 27, 16, 30)) == 0
    with session_scope(engine) as s:
        assert flag_overdue(s, now=vn(2027, 1, 4, 9, 0)) == 1
    with session_scope(engine) as s:
        assert flag_overdue(s, now=vn(2027, 1, 5, 9, 0)) == 0  # escalated once only
    with Session(engine) as s:
        t = s.scalar(select(Ticket).where(Ticket.code == receipt.code))
        assert t.overdue and t.escalated_at is not None
        assert [e.kind for e in t.events] == ["status", "escalation"] and not t.events[-1].public
