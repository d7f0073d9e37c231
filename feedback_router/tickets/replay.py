"""A turn replayed is filed once: the idempotency rule of create_ticket, keyed on the message id.

In cluster mode a Rasa replica can die after the action server filed the ticket but before
the turn was recorded; the load balancer, the gateway or the inbound queue then replays the
same message on another replica, and the action runs again (issue 15). Every channel gives a
message its id (Telegram update, Zalo msg_id, the web client's message_id or one the inbound
queue draws, the device's X-Message-Id, one per hotline utterance), it travels with the replay
in Rasa's message metadata, and the action passes it to create_ticket: the ticket a (citizen,
message id) filed or joined is recorded in ``ticket_turns`` under a unique constraint, and a
second attempt with the same pair gets that ticket back.

Keyed on the message, not on its content: the rule it replaces ("same citizen, same category,
words and place within 10 minutes") also swallowed a report a citizen sent again on purpose.
Two messages with the same words are two turns and file twice (duplicates.py may still join
the second to the first, as for any report); a call without a message id (Open311, scripts)
has nothing to replay and is never deduplicated here.

Attempts running at the same moment see each other: the citizen's contact row is locked first
(``FOR UPDATE`` on PostgreSQL; on SQLite a write first, which takes the database's write lock),
and the unique constraint catches whatever slips through (create_ticket retries and finds it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from feedback_router.core.models import Base, Contact, Ticket, utcnow

MAX_MESSAGE_ID = 255


class TicketTurn(Base):
    """The ticket one message of one citizen filed (or joined)."""

    __tablename__ = "ticket_turns"
    __table_args__ = (UniqueConstraint("contact_id", "message_id", name="uq_ticket_turn_message"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(MAX_MESSAGE_ID))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    joined: Mapped[bool] = mapped_column(Boolean, default=False)  # the report joined an open ticket
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _lock_contact(session: Session, contact: Contact) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Contact).where(Contact.id == contact.id).values(channel=Contact.channel))
    else:
        session.execute(select(Contact.id).where(Contact.id == contact.id).with_for_update())


def filed_by(session: Session, contact: Contact, message_id: str) -> TicketTurn | None:
    """What this citizen's message already filed, if it ran before (the contact is locked)."""
    _lock_contact(session, contact)
    return session.scalar(select(TicketTurn).where(TicketTurn.contact_id == contact.id,
                                                   TicketTurn.message_id == message_id[:MAX_MESSAGE_ID]))


def remember(session: Session, contact: Contact, message_id: str, ticket: Ticket, *, joined: bool,
             now: datetime) -> None:
    """Record that this message filed (or joined) ``ticket``, in the transaction that did it."""
    session.add(TicketTurn(contact_id=contact.id, message_id=message_id[:MAX_MESSAGE_ID], ticket_id=ticket.id,
                           joined=joined, created_at=now))
    session.flush()
