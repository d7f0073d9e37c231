"""The booking chores of the long-running delivery worker: publish slots for the days ahead
once a day, and enqueue the day-before reminders (which the same worker then delivers on the
citizen's own channel through the outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from feedback_router.core.db import get_engine, session_scope
from feedback_router.core.settings import get_settings
from feedback_router.booking.service import HANOI, enqueue_reminders
from feedback_router.booking.desks import seed_days, seed_slots


@dataclass
class BookingJobs:
    seeded_on: date | None = None

    def run(self, session: Session, now: datetime) -> dict[str, int]:
        """One pass, in the caller's transaction: slots (first pass of each local day) and
        reminders (from BOOKING_REMINDER_HOUR local time on, so nobody is woken at midnight)."""
        local = now.astimezone(HANOI)
        counts = {"slots": 0, "reminders": 0}
        if self.seeded_on != local.date():
            counts["slots"] = seed_slots(session, days=seed_days(), today=local.date())
            self.seeded_on = local.date()
        if local.hour >= reminder_hour():
            counts["reminders"] = len(enqueue_reminders(session, now))
        return counts

    def run_pass(self, now: datetime, engine: Engine | None = None) -> dict[str, int]:
        """`run` in a transaction of its own: the delivery worker's periodic pass."""
        with session_scope(engine or get_engine()) as session:
            return self.run(session, now)


def reminder_hour() -> int:
    try:
        return min(max(get_settings().booking_reminder_hour, 0), 23)
    except ValueError:
        return 7
