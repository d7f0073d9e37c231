"""The inbound queue's storage: every channel's message is a row of `inbound_updates` before
the platform is acknowledged, so a message is never lost to a Rasa outage or a crash.

This module owns the rows and nothing else: what a message is (text, attachments, location)
is the channel's business (bot.channels.inbound), kept here as an opaque JSON `payload`;
only the sender id is a column, because answers go out in order per sender. Replies are
plain dicts (a channel reply's `as_dict()`).

Row life: queued (waiting, or backing off until `next_attempt_at`) → processing (claimed
until `lease_until`) → done. The attempt count is the fencing token: only the holder of the
current attempt may release or finish a row, so an attempt whose lease ran out and was
claimed again can no longer record a second answer.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine, and_, bindparam, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, aliased

from feedback_router.contacts import get_or_create_contact
from feedback_router.core.db import get_engine, session_scope
from feedback_router.core.settings import get_settings
from feedback_router.messaging import outbox
from feedback_router.messaging.models import InboundUpdate
from nlu import clock

log = logging.getLogger(__name__)

QUEUED, PROCESSING, DONE, FAILED = "queued", "processing", "done", "failed"
WAITING = (QUEUED, PROCESSING, FAILED)  # not answered yet: later messages of the sender wait
DB_RETRY_SECONDS = 15.0  # longer than a PostgreSQL restart or fail-over takes here
StorageError = SQLAlchemyError  # what "the database is unavailable" looks like to callers

T = TypeVar("T")

# Every chat turn stores its message and records its answer (two transactions per turn on
# the web's hot path), so those statements are built once here, on the table (no ORM unit of
# work), with bound parameters: under load, building them per call was a quarter of the
# web process's CPU (issue 15, docs/numbers.md).
_ROWS = InboundUpdate.__table__
_SENDER_WAITING = (select(_ROWS.c.id).where(_ROWS.c.sender_id == bindparam("sender"), _ROWS.c.status.in_(WAITING),
                                             _ROWS.c.payload.is_not(None)).limit(1))
_STORE = insert(_ROWS).returning(_ROWS.c.id)
_FENCED = and_(_ROWS.c.id == bindparam("row_id"), _ROWS.c.status == PROCESSING,
               _ROWS.c.attempts == bindparam("attempt"))
_FINISH = update(_ROWS).where(_FENCED).values(status=DONE, lease_until=None, last_error=None,
                                              replies=bindparam("answer", type_=_ROWS.c.replies.type))
_RELEASE = update(_ROWS).where(_FENCED).values(
    status=QUEUED, lease_until=None, last_error=bindparam("error", type_=_ROWS.c.last_error.type),
    next_attempt_at=bindparam("retry_at", type_=_ROWS.c.next_attempt_at.type))


@dataclass(frozen=True)
class Claim:
    """A stored message held by one attempt (the fencing token)."""

    row_id: int
    sender_id: str
    payload: dict[str, Any]  # the message as the channel stored it
    attempt: int
    owned: bool  # taken at once by the accepting request (its fast path may answer)


class Duplicate(Exception):
    """This update was already accepted; `replies` holds the answer when the first delivery's
    response carried it (a client retrying after a lost response)."""

    def __init__(self, key: str, status: str, replies: list[dict[str, Any]] | None = None) -> None:
        super().__init__(key)
        self.status = status
        self.replies = replies


def lease_seconds() -> float:
    """How long a claim lasts; longer than any gateway call (its timeout is 30 s)."""
    return get_settings().inbound_lease_seconds


def empty_retries() -> int:
    return get_settings().inbound_empty_retries


def backoff_seconds(attempts: int) -> float:
    settings = get_settings()
    return min(settings.inbound_retry_seconds * 2 ** max(attempts - 1, 0), settings.inbound_max_backoff_seconds)


def new_key(key: str | int | None) -> str:
    """The dedupe key as stored; a message without one (a web client that sent no
    message_id) gets a fresh one."""
    return str(key if key is not None else uuid.uuid4().hex)[:255]


def _now(now: datetime | None) -> datetime:
    return now or clock.now()


# ---- accept ---------------------------------------------------------------------------------

def accept(channel: str, sender_id: str, payload: dict[str, Any], key: str, *, now: datetime | None = None,
           engine: Engine | None = None) -> Claim:
    """Store the message with its dedupe key (from `new_key`); raise `Duplicate` for a repeat.
    The row is claimed at once when no earlier message of the sender is waiting."""
    when = _now(now)
    engine = engine or get_engine()
    try:
        with engine.begin() as conn:
            owned = conn.execute(_SENDER_WAITING, {"sender": sender_id}).first() is None
            attempts = 1 if owned else 0
            row_id = conn.execute(_STORE, {
                "channel": channel, "update_id": key, "sender_id": sender_id, "payload": payload,
                "received_at": when, "next_attempt_at": when, "status": PROCESSING if owned else QUEUED,
                "attempts": attempts,
                "lease_until": when + timedelta(seconds=lease_seconds()) if owned else None}).scalar_one()
            return Claim(row_id, sender_id, payload, attempts, owned)
    except IntegrityError:
        pass
    with session_scope(engine) as session:
        row = session.scalar(select(InboundUpdate).where(InboundUpdate.channel == channel,
                                                         InboundUpdate.update_id == key))
        if row is None:  # purged between the two statements: a very late re-delivery
            raise Duplicate(key, DONE) from None
        if row.status == FAILED or (row.payload is None and row.status == PROCESSING):
            # Left by the dedupe-only code before this queue: keep the message now.
            row.payload, row.sender_id, row.status = payload, sender_id, QUEUED
            row.next_attempt_at = when
        shown = row.status == DONE and row.replies is not None
        raise Duplicate(key, row.status, list(row.replies or []) if shown else None)


# ---- finish ---------------------------------------------------------------------------------

def release(claim: Claim, error: str, *, now: datetime | None = None, engine: Engine | None = None) -> None:
    """Back to the queue with a backoff: Rasa or the actions could not answer."""
    when = _now(now)
    delay = backoff_seconds(claim.attempt)
    if "Timeout" in error:  # Rasa may still be working on it: wait until it has surely finished
        delay = max(delay, lease_seconds())
    with session_scope(engine or get_engine()) as session:
        session.execute(_RELEASE, {"row_id": claim.row_id, "attempt": claim.attempt, "error": error[:500],
                                   "retry_at": when + timedelta(seconds=delay)})


def finish(claim: Claim, replies: list[dict[str, Any]], *, via_outbox: bool, in_reply_to: str | None = None,
           claim_sending: bool = False, now: datetime | None = None, engine: Engine | None = None) -> list[int]:
    """Mark the row answered. With `via_outbox` the replies become outbox rows in the same
    transaction (so an answer is neither lost nor written twice); with `claim_sending` those
    rows are already leased to the caller, which sends them itself and marks them sent.
    Otherwise the replies are kept on the row for a client that retries after a lost response.
    Returns the outbox ids, or [] when another attempt finished the row first."""
    when = _now(now)
    with session_scope(engine or get_engine()) as session:
        done = session.execute(_FINISH, {"row_id": claim.row_id, "attempt": claim.attempt,
                                         "answer": None if via_outbox else replies})
        if done.rowcount != 1:  # type: ignore[attr-defined]
            log.info("inbound %s was finished by another attempt", claim.row_id)
            return []
        if not via_outbox:
            return []
        return _enqueue_replies(session, claim, replies, in_reply_to, claim_sending, when)


def _enqueue_replies(session: Session, claim: Claim, replies: list[dict[str, Any]], in_reply_to: str | None,
                     claim_sending: bool, when: datetime) -> list[int]:
    if not replies:
        return []
    contact = get_or_create_contact(session, claim.sender_id)
    ids = []
    for i, reply in enumerate(replies):
        item = outbox.enqueue(session, contact=contact, text=reply.get("text") or reply.get("image") or "",
                              payload={"reply": reply, "in_reply_to": in_reply_to},
                              dedupe_key=f"inbound:{claim.row_id}:{i}")
        if claim_sending:
            outbox.lease(item, when, lease_seconds())
        ids.append(item.id)
    session.flush()
    return ids


# ---- the worker -----------------------------------------------------------------------------

def _due(now: datetime) -> Any:
    return and_(InboundUpdate.payload.is_not(None), or_(
        and_(InboundUpdate.status.in_((QUEUED, FAILED)),
             or_(InboundUpdate.next_attempt_at.is_(None), InboundUpdate.next_attempt_at <= now)),
        and_(InboundUpdate.status == PROCESSING, InboundUpdate.lease_until < now)))


def claim_due(*, limit: int = 20, now: datetime | None = None, engine: Engine | None = None) -> list[Claim]:
    """Take due rows, the oldest waiting message of each sender only (order per sender)."""
    when = _now(now)
    engine = engine or get_engine()
    earlier = aliased(InboundUpdate)
    blocked = exists().where(earlier.sender_id == InboundUpdate.sender_id, earlier.id < InboundUpdate.id,
                             earlier.status.in_(WAITING), earlier.payload.is_not(None))
    claims: list[Claim] = []
    with session_scope(engine) as session:
        ids = list(session.scalars(select(InboundUpdate.id).where(_due(when), ~blocked)
                                   .order_by(InboundUpdate.id).limit(limit)))
    for row_id in ids:
        with session_scope(engine) as session:
            taken = session.execute(update(InboundUpdate).where(InboundUpdate.id == row_id, _due(when)).values(
                status=PROCESSING, attempts=InboundUpdate.attempts + 1,
                lease_until=when + timedelta(seconds=lease_seconds())))
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                continue  # another worker was faster
            row = session.get(InboundUpdate, row_id)
            assert row is not None and row.payload is not None
            claims.append(Claim(row.id, row.sender_id or "", row.payload, row.attempts, False))
    return claims


# ---- when the database is away --------------------------------------------------------------

def quietly(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Best effort: when the database is down the lease runs out and the worker retries."""
    try:
        fn(*args, **kwargs)
    except SQLAlchemyError:
        log.warning("inbound: could not record %s (database unavailable)", fn.__name__)


def with_db_retry(fn: Callable[[], T], seconds: float | None = None) -> T:
    """Record what was already sent or answered, waiting out a database restart: giving up
    here means the lease runs out and the message is sent or asked a second time."""
    deadline = time.monotonic() + (seconds if seconds is not None else DB_RETRY_SECONDS)
    while True:
        try:
            return fn()
        except SQLAlchemyError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.5)
