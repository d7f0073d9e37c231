"""Transactional outbox: messages to citizens, written with the change they announce.

Contract for the channel adapters:

* ``enqueue(session, *, contact, text, ticket=None, payload=None, dedupe_key)`` adds a
  pending row in the caller's transaction (nothing is sent if that transaction rolls
  back). The same ``dedupe_key`` enqueued twice gives back the existing row.
* ``claim_due(session, *, limit=50, now=None)``: pending rows whose ``next_attempt_at``
  has come, oldest first. On PostgreSQL the rows are locked ``FOR UPDATE SKIP LOCKED``
  so several senders never take the same row: deliver, then ``mark_sent`` /
  ``mark_failed`` and commit in the same transaction.
* ``claim_for_sending(session, *, limit, now, lease_s, skip_channels)``: the same rows,
  leased instead of locked: they become ``sending`` with ``next_attempt_at`` = the end of
  the lease, and the caller commits at once. It then sends each row outside any transaction
  and marks it in a short transaction of its own; a ``sending`` row whose lease ran out (the
  sender died) is claimed again. Channels read by their clients (the web inbox) are never
  claimed: ``skip_channels``.
* ``mark_failed``: exponential backoff, 30 s × 2^attempts (attempts before this
  failure), capped at 1 h; after ``MAX_ATTEMPTS`` (20) the row becomes ``failed`` and is
  listed in the dashboard.
* ``mark_callback``: the row's channel cannot carry a message (a hotline caller's phone
  line): no attempt is spent, the row becomes ``callback`` and the owning unit's operators
  see it under "Cần gọi lại"; ``mark_called`` records that they called (``called``).
  Both fit the ``status`` String(16) column, so no migration was needed.

Callers without a transaction of their own (the channels, the delivery worker) use the
variants that open one each and hand back plain ``Outgoing`` rows: ``take_for_sending``,
``record_sent``, ``record_failed``, ``record_callback``, ``inbox`` and ``acknowledge_read``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from feedback_router.core.db import get_engine, session_scope
from feedback_router.core.models import Contact, DashboardUser, Ticket
from feedback_router.messaging.models import Outbox
from nlu import clock

MAX_ATTEMPTS = 20
CALLBACK, CALLED = "callback", "called"
PENDING, SENDING = "pending", "sending"
CALLBACK_CHANNELS = {"hotline"}  # a phone line: the answer is given by calling back
BASE_DELAY_S = 30
MAX_DELAY_S = 3600
# (session, row, actor, note, when): writes a call-back into the history it belongs to
CallbackRecorder = Callable[[Session, Outbox, str, str, datetime], None]


def _now(now: datetime | None) -> datetime:
    return now or clock.now()


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
    unit_id: str | None = None,
) -> Outbox:
    """``unit_id``: the unit that answers for this message (its operators call a hotline caller
    back); a ticket's unit when not given."""
    existing = session.scalar(select(Outbox).where(Outbox.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    now = clock.now()
    item = Outbox(
        ticket_id=ticket.id if ticket is not None else None,
        contact_id=contact.id,
        unit_id=unit_id if unit_id is not None else (ticket.unit_id if ticket is not None else None),
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


def lease(item: Outbox, now: datetime, lease_s: float) -> None:
    """Reserve a row for one sender until the lease ends (``next_attempt_at``)."""
    item.status = SENDING
    item.next_attempt_at = now + timedelta(seconds=lease_s)


def claim_for_sending(session: Session, *, limit: int = 50, now: datetime | None = None, lease_s: float = 120,
                      skip_channels: frozenset[str] | set[str] = frozenset()) -> list[Outbox]:
    when = _now(now)
    stmt = (
        select(Outbox)
        .where(Outbox.status.in_((PENDING, SENDING)), Outbox.next_attempt_at <= when)
        .order_by(Outbox.next_attempt_at, Outbox.id)
        .limit(limit)
    )
    if skip_channels:
        stmt = stmt.where(Outbox.channel.not_in(sorted(skip_channels)))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    items = list(session.scalars(stmt))
    for item in items:
        lease(item, when, lease_s)
    session.flush()
    return items


def unread_for(session: Session, recipient: str, limit: int = 50) -> list[Outbox]:
    """Rows a client reads itself (the web inbox), oldest first; they stay pending until acknowledged."""
    return list(session.scalars(select(Outbox).where(Outbox.recipient == recipient, Outbox.status == PENDING)
                                .order_by(Outbox.id).limit(limit)))


def acknowledge(session: Session, recipient: str, ids: list[int]) -> int:
    """The client confirmed it shows these rows: mark them sent (only the recipient's own)."""
    now = clock.now()
    rows = session.scalars(select(Outbox).where(Outbox.recipient == recipient, Outbox.id.in_(ids),
                                                Outbox.status == PENDING))
    count = 0
    for item in rows:
        item.status, item.sent_at, item.attempts = "sent", now, item.attempts + 1
        count += 1
    session.flush()
    return count


def mark_sent(session: Session, item_id: int) -> None:
    item = session.get(Outbox, item_id)
    if item is None:
        raise LookupError(f"outbox row {item_id} not found")
    item.status = "sent"
    item.attempts += 1
    item.sent_at = clock.now()
    item.last_error = None
    session.flush()


def mark_failed(session: Session, item_id: int, error: str, now: datetime | None = None) -> None:
    item = session.get(Outbox, item_id)
    if item is None:
        raise LookupError(f"outbox row {item_id} not found")
    delay = backoff_seconds(item.attempts)
    item.attempts += 1
    item.last_error = (error or "")[:2000]
    item.status = "failed" if item.attempts >= MAX_ATTEMPTS else PENDING
    item.next_attempt_at = _now(now) + timedelta(seconds=delay)
    session.flush()


def pending_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "pending")) or 0)


def failed_items(session: Session, limit: int = 100) -> list[Outbox]:
    return list(session.scalars(select(Outbox).where(Outbox.status == "failed")
                                .order_by(Outbox.id.desc()).limit(limit)))


def mark_callback(session: Session, item_id: int) -> None:
    """No adapter can send this (a phone line): hand it to people, spending no attempt."""
    item = session.get(Outbox, item_id)
    if item is None:
        raise LookupError(f"outbox row {item_id} not found")
    item.status = CALLBACK
    item.last_error = None
    session.flush()


def owner_unit(item: Outbox) -> str | None:
    """The unit whose operators call back, stored by ``enqueue`` (the ticket's, the suggestion's,
    the booking desk's). ``None`` for anything else (denunciations never have outbox rows)."""
    if (item.payload or {}).get("denunciation_code"):
        return None
    return item.unit_id


def hand_over(session: Session, unit_id: str, *, ticket_id: int | None = None, dedupe_prefix: str | None = None) -> int:
    """A ticket (``ticket_id``) or another item (rows whose dedupe key starts with ``dedupe_prefix``)
    moved to another unit: its rows not answered yet follow it, so that unit calls back."""
    if ticket_id is not None:
        which = Outbox.ticket_id == ticket_id
    elif dedupe_prefix:
        which = Outbox.dedupe_key.startswith(dedupe_prefix, autoescape=True)
    else:
        raise ValueError("ticket_id or dedupe_prefix")
    done = session.execute(update(Outbox).where(which, Outbox.status.not_in(("sent", CALLED)))
                           .values(unit_id=unit_id).execution_options(synchronize_session=False))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


# ---- one transaction each, plain rows out ---------------------------------------------------

@dataclass(frozen=True)
class Outgoing:
    """An outbox row as a sender or a reading client sees it."""

    id: int
    channel: str
    recipient: str
    text: str
    payload: dict[str, Any] | None
    created_at: datetime | None


def _outgoing(item: Outbox) -> Outgoing:
    return Outgoing(item.id, item.channel, item.recipient, item.text, item.payload, item.created_at)


def take_for_sending(*, limit: int = 50, now: datetime | None = None, lease_s: float = 120,
                     skip_channels: frozenset[str] | set[str] = frozenset(),
                     engine: Engine | None = None) -> list[Outgoing]:
    """``claim_for_sending`` committed at once: the rows are leased to the caller, which sends
    them with no transaction open and records each outcome."""
    with session_scope(engine or get_engine()) as session:
        items = claim_for_sending(session, limit=limit, now=now, lease_s=lease_s, skip_channels=skip_channels)
        return [_outgoing(item) for item in items]


def record_sent(item_id: int, engine: Engine | None = None) -> None:
    with session_scope(engine or get_engine()) as session:
        mark_sent(session, item_id)


def record_failed(item_ids: Iterable[int], error: str, now: datetime | None = None,
                  engine: Engine | None = None) -> None:
    with session_scope(engine or get_engine()) as session:
        for item_id in item_ids:
            mark_failed(session, item_id, error, now=now)


def record_callback(item_id: int, engine: Engine | None = None) -> None:
    with session_scope(engine or get_engine()) as session:
        mark_callback(session, item_id)


def inbox(recipient: str, limit: int = 50, engine: Engine | None = None) -> list[Outgoing]:
    """``unread_for`` as plain rows: what the web inbox shows."""
    with session_scope(engine or get_engine()) as session:
        return [_outgoing(item) for item in unread_for(session, recipient, limit)]


def acknowledge_read(recipient: str, ids: list[int], engine: Engine | None = None) -> int:
    with session_scope(engine or get_engine()) as session:
        return acknowledge(session, recipient, ids)


def mask_phone(number: str | None) -> str:
    """``09******78``: enough to tell calls apart, not enough to call."""
    digits = number or ""
    return digits[:2] + "*" * max(len(digits) - 4, 0) + digits[-2:] if len(digits) > 4 else "****"


def callback_phone(item: Outbox, contact: Contact | None) -> str:
    if contact is not None and contact.phone:
        return contact.phone
    return item.recipient.split(":", 1)[1] if ":" in item.recipient else item.recipient


def callbacks_for(session: Session, user: DashboardUser, limit: int = 200) -> list[tuple[Outbox, str, str, bool]]:
    """Rows waiting for a call-back that ``user`` may see: (row, unit id, phone, may call).
    Operators see their unit's with the number; supervisors and admins see all, masked."""
    if user.role not in ("operator", "supervisor", "admin"):
        return []
    rows = session.scalars(select(Outbox).where(Outbox.status == CALLBACK).order_by(Outbox.id).limit(limit))
    out: list[tuple[Outbox, str, str, bool]] = []
    for item in rows:
        unit = owner_unit(item)
        if unit is None:
            continue
        own = user.role == "operator" and user.unit_id == unit
        if user.role == "operator" and not own:
            continue
        phone = callback_phone(item, session.get(Contact, item.contact_id))
        out.append((item, unit, phone if own else mask_phone(phone), own))
    return out


def mark_called(session: Session, item_id: int, user: DashboardUser, note: str | None = None,
                now: datetime | None = None, record: CallbackRecorder | None = None) -> Outbox:
    """An operator of the owning unit called the citizen back: the row is done and the
    ticket's or suggestion's history says who called and when, written by ``record`` (the caller
    knows the domains; bookings have no history table: the row itself keeps ``called_by``)."""
    item = session.get(Outbox, item_id)
    if item is None or item.status != CALLBACK:
        raise LookupError(f"no call-back {item_id}")
    unit = owner_unit(item)
    if unit is None or user.role != "operator" or user.unit_id != unit:
        raise PermissionError("only the owning unit's operators call back")
    when = _now(now)
    text = f"Đã gọi lại người dân (tin: {item.text[:200]})" + (f" — {note}" if note else "")
    payload = item.payload or {}
    if record is not None:
        record(session, item, user.username, text, when)
    item.status = CALLED
    item.sent_at = when
    item.payload = {**payload, "called_by": user.username, "called_at": when.isoformat()}
    session.flush()
    return item
