"""Transactional outbox: messages to citizens, written with the change they announce.

Contract for the channel adapters:

* ``enqueue(session, *, contact, text, ticket=None, payload=None, dedupe_key)`` adds a
  pending row in the caller's transaction (nothing is sent if that transaction rolls
  back). The same ``dedupe_key`` enqueued twice gives back the existing row.
* ``claim_due(session, *, limit=50, now=None)``: pending rows whose ``next_attempt_at``
  has come, oldest first. On PostgreSQL the rows are locked ``FOR UPDATE SKIP LOCKED``
  so several senders never take the same row: deliver, then ``mark_sent`` /
  ``mark_failed`` and commit in the same transaction.
* ``mark_failed``: exponential backoff, 30 s × 2^attempts (attempts before this
  failure), capped at 1 h; after ``MAX_ATTEMPTS`` (20) the row becomes ``failed`` and is
  listed in the dashboard.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_router.models import Contact, Outbox, Ticket

MAX_ATTEMPTS = 20
BASE_DELAY_S = 30
MAX_DELAY_S = 3600


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def backoff_seconds(attempts: int) -> int:
    """Delay before the next try, given how many attempts had failed before this one."""
    return min(BASE_DELAY_S * 2 ** min(attempts, 20), MAX_DELAY_S)


def enqueue(
    session: Session,
    *,
    contact: Contact,
    text: str,
    ticket: Ticket | None = None,
    payload: dict[str, Any] | None = None,
    dedupe_key: str,
) -> Outbox:
    existing = session.scalar(select(Outbox).where(Outbox.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    now = datetime.now(timezone.utc)
    item = Outbox(
        ticket_id=ticket.id if ticket is not None else None,
        contact_id=contact.id,
        channel=contact.channel,
        recipient=contact.sender_id,
        text=text,
        payload=payload,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        dedupe_key=dedupe_key,
    )
    session.add(item)
    session.flush()
    return item


def claim_due(session: Session, *, limit: int = 50, now: datetime | None = None) -> list[Outbox]:
    stmt = (
        select(Outbox)
        .where(Outbox.status == "pending", Outbox.next_attempt_at <= _now(now))
        .order_by(Outbox.next_attempt_at, Outbox.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def mark_sent(session: Session, item_id: int) -> None:
    item = session.get(Outbox, item_id)
    if item is None:
        raise LookupError(f"outbox row {item_id} not found")
    item.status = "sent"
    item.attempts += 1
    item.sent_at = datetime.now(timezone.utc)
    item.last_error = None
    session.flush()


def mark_failed(session: Session, item_id: int, error: str, now: datetime | None = None) -> None:
    item = session.get(Outbox, item_id)
    if item is None:
        raise LookupError(f"outbox row {item_id} not found")
    delay = backoff_seconds(item.attempts)
    item.attempts += 1
    item.last_error = (error or "")[:2000]
    if item.attempts >= MAX_ATTEMPTS:
        item.status = "failed"
    item.next_attempt_at = _now(now) + timedelta(seconds=delay)
    session.flush()


def pending_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "pending")) or 0)


def failed_items(session: Session, limit: int = 100) -> list[Outbox]:
    return list(session.scalars(select(Outbox).where(Outbox.status == "failed")
                                .order_by(Outbox.id.desc()).limit(limit)))
