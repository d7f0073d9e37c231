"""Service-level deadlines counted in Hanoi working hours.

Defaults follow Hanoi's iHanoi rules (Quyết định 1207/QĐ-UBND, 2025): a report must be
acknowledged within 8 working hours; an urgent one ("mức độ khẩn": disasters, accidents,
security) handled within 4 working hours of acknowledgement; a normal one within
5 working days (40 h). Working time is that of Hanoi state offices, 8:00–12:00 and
13:00–17:00, Monday to Friday, Asia/Ho_Chi_Minh, minus Vietnamese public holidays
(``holidays`` package, Tết included). Every figure is overridable by environment:

    SLA_ACK_HOURS=8  SLA_URGENT_HOURS=4  SLA_NORMAL_HOURS=40
    SLA_WORKING_HOURS="08:00-12:00,13:00-17:00"
    SLA_EXTRA_HOLIDAYS="2027-02-11,2027-02-12"   (e.g. the Tết bridge days the government adds)
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays

from nlu import clock
from sqlalchemy import Engine, and_, or_, select
from feedback_router.core.db import get_engine, session_scope
from feedback_router.core.models import Ticket, TicketEvent, TicketStatus
from feedback_router.core.settings import get_settings

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def as_utc(dt: datetime) -> datetime:
    """SQLite gives naive datetimes back; everything stored is UTC."""
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def ack_hours() -> float:
    return get_settings().sla_ack_hours


def resolution_hours(urgency: str) -> float:
    settings = get_settings()
    if urgency in ("urgent", "emergency"):
        return settings.sla_urgent_hours
    return settings.sla_normal_hours


def working_periods() -> list[tuple[time, time]]:
    spec = get_settings().sla_working_hours
    periods = []
    for part in spec.split(","):
        start, end = part.strip().split("-")
        periods.append((time.fromisoformat(start), time.fromisoformat(end)))
    return sorted(periods)


@functools.lru_cache(maxsize=64)
def _holidays_for(year: int, extra: str) -> frozenset[date]:
    days = set(holidays.country_holidays("VN", years=[year]).keys())
    for item in extra.split(","):
        if item.strip():
            days.add(date.fromisoformat(item.strip()))
    return frozenset(days)


def is_working_day(day: date) -> bool:
    if day.weekday() >= 5:
        return False
    return day not in _holidays_for(day.year, get_settings().sla_extra_holidays)


def add_working_hours(start: datetime, hours: float) -> datetime:
    """The moment ``hours`` of working time after ``start`` (aware datetime; returned in UTC)."""
    local = as_utc(start).astimezone(TZ)
    remaining = timedelta(hours=hours)
    periods = working_periods()
    day = local.date()
    for _ in range(3660):  # ten years of days: a hard stop against bad configuration
        if is_working_day(day):
            for p_start, p_end in periods:
                begin = datetime.combine(day, p_start, TZ)
                end = datetime.combine(day, p_end, TZ)
                if local >= end:
                    continue
                begin = max(begin, local)
                available = end - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(timezone.utc)
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("SLA computation did not converge; check SLA_WORKING_HOURS")


def working_hours_between(start: datetime, end: datetime) -> float:
    """Working hours elapsed from ``start`` to ``end`` (0 if end <= start)."""
    a, b = as_utc(start).astimezone(TZ), as_utc(end).astimezone(TZ)
    if b <= a:
        return 0.0
    total = timedelta()
    day = a.date()
    while day <= b.date():
        if is_working_day(day):
            for p_start, p_end in working_periods():
                lo = max(datetime.combine(day, p_start, TZ), a)
                hi = min(datetime.combine(day, p_end, TZ), b)
                if hi > lo:
                    total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 3600


def deadlines(created_at: datetime, urgency: str) -> tuple[datetime, datetime]:
    """(ack_due_at, sla_due_at), both counted from the report's arrival."""
    return (add_working_hours(created_at, ack_hours()),
            add_working_hours(created_at, resolution_hours(urgency)))


SLA_ACTOR = "system:sla"


def flag_overdue(session, now: datetime | None = None) -> int:  # type: ignore[no-untyped-def]
    """Mark open tickets past their deadline (resolution, or acknowledgement for those
    still 'received') as overdue and escalate each once to the supervisors: a flag and
    an internal event, shown in the dashboard's overdue filter. Returns how many."""
    now = now or clock.now()
    open_statuses = (TicketStatus.received, TicketStatus.assigned, TicketStatus.in_progress)
    stmt = select(Ticket).where(
        Ticket.status.in_(open_statuses), Ticket.overdue.is_(False),
        or_(Ticket.sla_due_at < now, and_(Ticket.status == TicketStatus.received, Ticket.ack_due_at < now)),
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = session.scalars(stmt).all()
    for ticket in rows:
        late_ack = ticket.sla_due_at is None or as_utc(ticket.sla_due_at) >= now
        ticket.overdue = True
        ticket.escalated_at = now
        ticket.events.append(TicketEvent(
            status=ticket.status, actor=SLA_ACTOR, kind="escalation", public=False, created_at=now,
            note=("quá hạn tiếp nhận" if late_ack else "quá hạn xử lý") + " — chuyển lãnh đạo/giám sát"))
    session.flush()
    return len(rows)


def escalate_overdue(now: datetime | None = None, engine: Engine | None = None) -> int:
    """`flag_overdue` in a transaction of its own: the delivery worker's periodic check."""
    with session_scope(engine or get_engine()) as session:
        return flag_overdue(session, now)
