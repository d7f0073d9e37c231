"""A report filed twice by one turn is filed once: the idempotency rule of create_ticket.

In cluster mode a Rasa replica can die after the action server filed the ticket but before
the turn was recorded; the load balancer, the gateway or the inbound queue then replays the
same message on another replica, and the action runs again (issue 15). The same citizen
filing the same category, words and place within REPLAY_WINDOW is that replay: the caller
gets the ticket already filed. The citizen's contact row is locked first (PostgreSQL), so two
attempts running at once see each other; on SQLite one writer at a time does the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.core.models import Contact, Ticket

REPLAY_WINDOW = timedelta(minutes=10)


def just_filed(session: Session, contact: Contact, *, category: str, description: str,
               location_text: str | None, now: datetime) -> Ticket | None:
    """The ticket this contact filed with exactly this report within the window, if any."""
    session.execute(select(Contact.id).where(Contact.id == contact.id).with_for_update())
    same_place = Ticket.location_text.is_(None) if location_text is None else Ticket.location_text == location_text
    return session.scalars(
        select(Ticket).where(Ticket.contact_id == contact.id, Ticket.category == category,
                             Ticket.description == description, same_place,
                             Ticket.created_at >= now - REPLAY_WINDOW, Ticket.created_at <= now + REPLAY_WINDOW)
        .order_by(Ticket.id.desc()).limit(1)).first()
