"""A ticket's deadlines as stored, for the receipt the citizen gets right after filing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from feedback_router.core.codes import normalize_code
from feedback_router.core.db import session_scope
from feedback_router.core.models import Ticket


def ticket_deadlines(code: str, engine: Engine | None = None) -> tuple[datetime | None, datetime | None]:
    """(acknowledge by, resolve by) of the ticket, UTC; (None, None) for an unknown code.

    Read back rather than recomputed so the citizen is told exactly what staff are held to,
    also when the report joined an earlier ticket with earlier deadlines.
    """
    with session_scope(engine) as session:
        row = session.execute(select(Ticket.ack_due_at, Ticket.sla_due_at)
                              .where(Ticket.code == normalize_code(code))).first()
        return (row[0], row[1]) if row else (None, None)
