"""Citizens as the assistant knows them: one contact per channel sender id.

Every domain that answers a citizen (tickets, booking, civic, the inbound queue) finds
or creates the contact here; ``SYSTEM_ACTOR`` is the assistant itself in histories.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from feedback_router.core.models import Contact


SYSTEM_ACTOR = "system:assistant"


def channel_of(sender_id: str) -> str:
    """Sender ids are namespaced per channel ("telegram:123")."""
    return sender_id.split(":", 1)[0] if ":" in sender_id else "unknown"


def hotline_number(sender_id: str) -> str | None:
    """A hotline caller's number (``hotline:0912345678``): the only way to reach them again."""
    channel, _, ident = sender_id.partition(":")
    digits = ident.lstrip("+")
    return ident if channel == "hotline" and digits.isdigit() and 8 <= len(digits) <= 15 else None


def get_or_create_contact(session: Session, sender_id: str, phone: str | None = None) -> Contact:
    channel = channel_of(sender_id)
    contact = session.scalar(select(Contact).where(Contact.channel == channel, Contact.sender_id == sender_id))
    if contact is None:
        contact = Contact(channel=channel, sender_id=sender_id, phone=phone)
        session.add(contact)
        session.flush()
    elif phone and not contact.phone:
        contact.phone = phone
    return contact
