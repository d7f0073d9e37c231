"""Persisted inbound dedupe: Telegram and Zalo re-deliver on slow or failed webhooks.

Messages for the conversation go through the inbound queue (bot.channels.inbound), whose
rows live in the same table. What is answered on the spot without Rasa (/help, a sticker)
only needs `remember()`; `seen()` lets a handler skip a repeat before downloading anything.
`claim()` (device nonces) records the update id in its own transaction BEFORE the gateway is called; the
unique constraint on (channel, update_id) decides which delivery wins, across threads,
processes and machines. A delivery whose processing failed (`finish(..., ok=False)`) can
be claimed again by a later re-delivery, so a Rasa outage does not lose the message.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from feedback_router.messaging.models import InboundUpdate
from feedback_router.core.db import get_engine, session_scope
from feedback_router.core.models import utcnow


def claim(channel: str, update_id: str | int, engine: Engine | None = None) -> bool:
    """True if this caller must process the update; False for a repeat."""
    key = str(update_id)[:255]
    engine = engine or get_engine()
    try:
        with session_scope(engine) as session:
            session.add(InboundUpdate(channel=channel, update_id=key, status="processing"))
    except IntegrityError:
        # Seen before: only a failed earlier attempt may be retried, and only by one caller.
        with session_scope(engine) as session:
            result = session.execute(
                update(InboundUpdate)
                .where(InboundUpdate.channel == channel, InboundUpdate.update_id == key,
                       InboundUpdate.status == "failed")
                .values(status="processing", received_at=utcnow()))
            return result.rowcount == 1  # type: ignore[attr-defined]
    return True


def seen(channel: str, update_id: str | int, engine: Engine | None = None) -> bool:
    with session_scope(engine or get_engine()) as session:
        return session.scalar(select(InboundUpdate.id).where(
            InboundUpdate.channel == channel, InboundUpdate.update_id == str(update_id)[:255])) is not None


def remember(channel: str, update_id: str | int, engine: Engine | None = None) -> bool:
    """Record an update answered without the conversation; False if it was seen before."""
    try:
        with session_scope(engine or get_engine()) as session:
            session.add(InboundUpdate(channel=channel, update_id=str(update_id)[:255], status="done"))
    except IntegrityError:
        return False
    return True


def finish(channel: str, update_id: str | int, ok: bool = True, engine: Engine | None = None) -> None:
    with session_scope(engine or get_engine()) as session:
        session.execute(update(InboundUpdate)
                        .where(InboundUpdate.channel == channel, InboundUpdate.update_id == str(update_id)[:255])
                        .values(status="done" if ok else "failed"))


def purge(older_than: timedelta, engine: Engine | None = None) -> int:
    """Drop answered messages (and their texts) older than any platform re-delivers (Telegram
    keeps updates 24 h); messages still waiting for an answer are never dropped."""
    with session_scope(engine or get_engine()) as session:
        result = session.execute(delete(InboundUpdate).where(InboundUpdate.received_at < utcnow() - older_than,
                                                             InboundUpdate.status == "done"))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
