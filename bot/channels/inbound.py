"""The inbound queue every channel uses: store the message, then answer it, now or later.

`accept()` writes the message (payload, channel, sender, received time) in one transaction
with its dedupe key (the row of `inbound_updates`), BEFORE the webhook is acknowledged. When
no earlier message of the same sender is waiting, the row is taken at once (status
`processing` with a lease) and `answer_now()` asks Rasa on the request's thread: the happy
path is one round trip, as before. When Rasa or the actions are down the row goes back to
`queued` with a backoff, the citizen gets a holding sentence (bot.degraded), and the worker
(`run_queue()`, in the delivery process) replays it in order per sender until Rasa answers;
the answer then goes out through the outbox. A row whose lease expired (the process died
between claim and finish) is claimed again; before replaying it, Rasa's tracker is asked
whether that turn was already processed, so a turn is never fed to the dialogue twice.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import Engine, and_, exists, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, aliased

from bot import degraded
from feedback_router.messaging.models import InboundUpdate
from bot.gateway import Gateway, GatewayError
from bot.message import Attachment, Location, Message, Reply
from feedback_router.messaging import outbox
from feedback_router.core.db import get_engine, session_scope
from feedback_router.contacts import get_or_create_contact
from nlu import clock

log = logging.getLogger(__name__)

UNAVAILABLE = ("Trợ lý tạm thời không phản hồi, vui lòng thử lại sau ít phút "
               "(assistant temporarily unavailable).")
QUEUED, PROCESSING, DONE, FAILED = "queued", "processing", "done", "failed"
WAITING = (QUEUED, PROCESSING, FAILED)  # not answered yet: later messages of the sender wait
ACTIONS_WAIT_ATTEMPTS = 10  # after that, retry even if ACTION_SERVER_URL does not answer (misconfigured here)
DB_RETRY_SECONDS = 15.0  # longer than a PostgreSQL restart or fail-over takes here


class Duplicate(Exception):
    """This update was already accepted; `replies` holds the answer when the HTTP response
    of the first delivery carried it (a client retrying after a lost response)."""

    def __init__(self, key: str, status: str, replies: list[Reply] | None = None) -> None:
        super().__init__(key)
        self.status = status
        self.replies = replies


@dataclass(frozen=True)
class Turn:
    row_id: int
    message: Message
    attempt: int  # fencing token: only the holder of this attempt may finish the row
    owned: bool   # taken at once by the accepting request (the fast path may run)


def lease_seconds() -> float:
    """How long a claim lasts; longer than any gateway call (its timeout is 30 s)."""
    return float(os.environ.get("INBOUND_LEASE_SECONDS", "120"))


def _empty_retries() -> int:
    return int(os.environ.get("INBOUND_EMPTY_RETRIES", "5"))


def backoff_seconds(attempts: int) -> float:
    base = float(os.environ.get("INBOUND_RETRY_SECONDS", "2"))
    return min(base * 2 ** max(attempts - 1, 0), float(os.environ.get("INBOUND_MAX_BACKOFF_SECONDS", "60")))


def _now(now: datetime | None) -> datetime:
    return now or clock.now()


# ---- payload --------------------------------------------------------------------------------

def to_payload(message: Message) -> dict[str, Any]:
    return {"channel": message.channel, "sender_id": message.sender_id, "text": message.text,
            "attachments": [asdict(a) for a in message.attachments],
            "location": None if message.location is None else asdict(message.location),
            "message_id": message.message_id, "metadata": message.metadata}


def from_payload(data: dict[str, Any]) -> Message:
    loc = data.get("location")
    return Message(channel=data["channel"], sender_id=data["sender_id"], text=data.get("text") or "",
                   attachments=tuple(Attachment(**a) for a in data.get("attachments") or ()),
                   location=None if loc is None else Location(**loc),
                   message_id=data.get("message_id"), metadata=dict(data.get("metadata") or {}))


def _replies_from(rows: list[dict[str, Any]] | None) -> list[Reply]:
    return [Reply(text=r.get("text") or "", buttons=tuple(r.get("buttons") or ()), custom=r.get("custom"),
                  image=r.get("image")) for r in rows or []]


# ---- accept ---------------------------------------------------------------------------------

def accept(message: Message, key: str | int | None, *, now: datetime | None = None,
           engine: Engine | None = None) -> Turn:
    """Store the message with its dedupe key; raise `Duplicate` for a repeat.

    A message without a key (a web client that sent no message_id) gets a fresh one. The
    message id Rasa sees is made unique too: it is how a replay finds its turn in the tracker.
    """
    when = _now(now)
    key = str(key if key is not None else uuid.uuid4().hex)[:255]
    if not message.message_id:
        message = replace(message, message_id=f"{message.channel}:{key}")
    engine = engine or get_engine()
    try:
        with session_scope(engine) as session:
            waiting = session.scalar(select(InboundUpdate.id).where(
                InboundUpdate.sender_id == message.sender_id, InboundUpdate.status.in_(WAITING),
                InboundUpdate.payload.is_not(None)).limit(1))
            owned = waiting is None
            row = InboundUpdate(channel=message.channel, update_id=key, sender_id=message.sender_id,
                                payload=to_payload(message), received_at=when, next_attempt_at=when,
                                status=PROCESSING if owned else QUEUED, attempts=1 if owned else 0,
                                lease_until=when + timedelta(seconds=lease_seconds()) if owned else None)
            session.add(row)
            session.flush()
            return Turn(row.id, message, row.attempts, owned)
    except IntegrityError:
        pass
    with session_scope(engine) as session:
        row = session.scalar(select(InboundUpdate).where(InboundUpdate.channel == message.channel,
                                                         InboundUpdate.update_id == key))
        if row is None:  # purged between the two statements: a very late re-delivery
            raise Duplicate(key, DONE) from None
        if row.status == FAILED or (row.payload is None and row.status == PROCESSING):
            # Left by the dedupe-only code before this queue: keep the message now.
            row.payload, row.sender_id, row.status = to_payload(message), message.sender_id, QUEUED
            row.next_attempt_at = when
        shown = row.status == DONE and row.replies is not None
        raise Duplicate(key, row.status, _replies_from(row.replies) if shown else None)


# ---- finish ---------------------------------------------------------------------------------

def _fenced(turn: Turn) -> Any:
    return and_(InboundUpdate.id == turn.row_id, InboundUpdate.status == PROCESSING,
                InboundUpdate.attempts == turn.attempt)


def release(turn: Turn, error: str, *, now: datetime | None = None, engine: Engine | None = None) -> None:
    """Back to the queue with a backoff: Rasa or the actions could not answer."""
    when = _now(now)
    delay = backoff_seconds(turn.attempt)
    if "Timeout" in error:  # Rasa may still be working on it: wait until it has surely finished
        delay = max(delay, lease_seconds())
    with session_scope(engine or get_engine()) as session:
        session.execute(update(InboundUpdate).where(_fenced(turn)).values(
            status=QUEUED, lease_until=None, last_error=error[:500],
            next_attempt_at=when + timedelta(seconds=delay)))


def _shown(reply: Reply) -> bool:
    return bool(reply.text or reply.image or reply.buttons or reply.custom)


def _reply_rows(replies: list[Reply]) -> list[dict[str, Any]]:
    return [r.as_dict() for r in replies if _shown(r)]


def finish(turn: Turn, replies: list[Reply], *, via_outbox: bool, claim_sending: bool = False,
           now: datetime | None = None, engine: Engine | None = None) -> list[int]:
    """Mark the row answered. With `via_outbox` the replies become outbox rows in the same
    transaction (so an answer is neither lost nor written twice); with `claim_sending` those
    rows are already leased to the caller, which sends them itself and marks them sent.
    Returns the outbox ids, or [] when another attempt finished the row first."""
    when = _now(now)
    rows = _reply_rows(replies)
    with session_scope(engine or get_engine()) as session:
        done = session.execute(update(InboundUpdate).where(_fenced(turn)).values(
            status=DONE, lease_until=None, last_error=None, replies=None if via_outbox else rows))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            log.info("inbound %s was finished by another attempt", turn.row_id)
            return []
        if not via_outbox:
            return []
        return _enqueue_replies(session, turn, rows, claim_sending, when)


def _enqueue_replies(session: Session, turn: Turn, rows: list[dict[str, Any]], claim_sending: bool,
                     when: datetime) -> list[int]:
    if not rows:
        return []
    contact = get_or_create_contact(session, turn.message.sender_id)
    ids = []
    for i, row in enumerate(rows):
        item = outbox.enqueue(session, contact=contact, text=row.get("text") or row.get("image") or "",
                              payload={"reply": row, "in_reply_to": turn.message.message_id},
                              dedupe_key=f"inbound:{turn.row_id}:{i}")
        if claim_sending:
            outbox.lease(item, when, lease_seconds())
        ids.append(item.id)
    session.flush()
    return ids


# ---- answering ------------------------------------------------------------------------------

def _ask(gateway: Gateway, turn: Turn) -> list[Reply]:
    """Rasa's answer; a retry first looks for the turn in the tracker (it may have been
    processed by an attempt that died before recording the answer)."""
    if turn.attempt > 1:
        known = gateway.answered(turn.message.sender_id, str(turn.message.message_id))
        if known:
            return known
        if known is not None:  # processed without an answer (an action failed): undo it first
            if turn.attempt <= ACTIONS_WAIT_ATTEMPTS and not actions_ready():
                raise GatewayError("action server not ready")
            gateway.undo(turn.message.sender_id, str(turn.message.message_id))
    return gateway.handle(turn.message)


def actions_ready(timeout: float = 2.0) -> bool:
    """Whether the action server answers its health check. A turn that got no answer because
    the actions were down is sent again only when they are back: sent while the server is
    still starting, Rasa's slot extraction may fail and the form then answers with a fallback."""
    url = os.environ.get("ACTION_SERVER_URL", "")
    if not url:
        return True  # not known here (another host's configuration): let Rasa find out
    health = url.rstrip("/").removesuffix("/webhook") + "/healthz"
    try:
        return requests.get(health, timeout=timeout).status_code == 200
    except requests.RequestException:
        return False


def _empty(gateway: Gateway, turn: Turn, now: datetime | None) -> bool:
    """Rasa answered nothing (an action or the database failed): undo the turn and retry,
    unless Rasa has already been given it `INBOUND_EMPTY_RETRIES` times (attempts spent while
    Rasa was unreachable do not count). True when the row went back to the queue."""
    sender, message_id = turn.message.sender_id, str(turn.message.message_id)
    try:
        if gateway.times_processed(sender, message_id) >= _empty_retries():
            return False
        gateway.undo(sender, message_id)
    except GatewayError:
        pass  # the retry finds the turn in the tracker without an answer and undoes it then
    release(turn, "Rasa answered nothing", now=now)
    return True


@dataclass(frozen=True)
class Answer:
    replies: list[Reply]          # what to show now (the holding sentence when queued)
    queued: bool                  # Rasa could not answer: the real answer comes later
    outbox_ids: tuple[int, ...] = ()  # push channels: the leased outbox row of each reply


def answer_now(gateway: Gateway, turn: Turn, *, push: bool = False, now: datetime | None = None) -> Answer:
    """The fast path on the accepting request. The answer is Rasa's replies (the row is
    done) or, when the message went back to the queue, the holding sentence.

    `push` (Telegram, Zalo): the replies are written to the outbox leased to the caller in
    the transaction that marks the row done; the caller sends each and calls `pushed(id)`.
    If it dies first, the delivery worker sends them when the lease ends. Otherwise (web,
    device) the replies are kept on the row for a client that retries after a lost response.
    """
    holding = Answer([holding_reply(turn.message)], True)
    if not turn.owned:
        return holding
    try:
        replies = _ask(gateway, turn)
    except GatewayError as exc:
        log.warning("inbound %s queued: %s", turn.row_id, exc)
        quietly(release, turn, str(exc), now=now)
        return holding
    try:
        if not _reply_rows(replies):
            if _empty(gateway, turn, now):
                return holding
            replies = [Reply(text=degraded.gave_up_sentence(turn.message.text))]
        replies = [r for r in replies if _shown(r)]
        ids = finish(turn, replies, via_outbox=push, claim_sending=push, now=now)
    except SQLAlchemyError:
        # The database went away after Rasa answered: the lease runs out, the worker finds
        # the answer in Rasa's tracker and delivers it; showing it now would show it twice.
        log.warning("inbound %s: answer not recorded, left to the worker", turn.row_id)
        return holding
    if push and len(ids) != len(replies):  # another attempt finished it: it sends the answer
        return Answer([], False)
    return Answer(replies, False, tuple(ids))


def quietly(fn: Any, *args: Any, **kwargs: Any) -> None:
    """Best effort: when the database is down the lease runs out and the worker retries."""
    try:
        fn(*args, **kwargs)
    except SQLAlchemyError:
        log.warning("inbound: could not record %s (database unavailable)", fn.__name__)


def push_failed(outbox_ids: tuple[int, ...], error: str, engine: Engine | None = None) -> None:
    """The channel could not take these replies now: hand them to the delivery worker."""
    def _mark() -> None:
        with session_scope(engine or get_engine()) as session:
            for outbox_id in outbox_ids:
                outbox.mark_failed(session, outbox_id, error[:500])
    quietly(_mark)


def pushed(outbox_id: int, engine: Engine | None = None) -> None:
    """A push channel delivered this reply itself."""
    def _mark() -> None:
        with session_scope(engine or get_engine()) as session:
            outbox.mark_sent(session, outbox_id)
    with_db_retry(_mark)


def with_db_retry(fn: Any, seconds: float | None = None) -> None:
    """Record what was already sent, waiting out a database restart: giving up here means the
    lease runs out and the message is sent a second time."""
    deadline = time.monotonic() + (seconds if seconds is not None else DB_RETRY_SECONDS)
    while True:
        try:
            fn()
            return
        except SQLAlchemyError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.5)


def holding_reply(message: Message) -> Reply:
    return Reply(text=degraded.queued_sentence(message.text))


# ---- the worker -----------------------------------------------------------------------------

def _due(now: datetime) -> Any:
    return and_(InboundUpdate.payload.is_not(None), or_(
        and_(InboundUpdate.status.in_((QUEUED, FAILED)),
             or_(InboundUpdate.next_attempt_at.is_(None), InboundUpdate.next_attempt_at <= now)),
        and_(InboundUpdate.status == PROCESSING, InboundUpdate.lease_until < now)))


def claim_due(*, limit: int = 20, now: datetime | None = None, engine: Engine | None = None) -> list[Turn]:
    """Take due rows, the oldest waiting message of each sender only (order per sender)."""
    when = _now(now)
    earlier = aliased(InboundUpdate)
    blocked = exists().where(earlier.sender_id == InboundUpdate.sender_id, earlier.id < InboundUpdate.id,
                             earlier.status.in_(WAITING), earlier.payload.is_not(None))
    turns: list[Turn] = []
    with session_scope(engine or get_engine()) as session:
        ids = list(session.scalars(select(InboundUpdate.id).where(_due(when), ~blocked)
                                   .order_by(InboundUpdate.id).limit(limit)))
    for row_id in ids:
        with session_scope(engine or get_engine()) as session:
            taken = session.execute(update(InboundUpdate).where(InboundUpdate.id == row_id, _due(when)).values(
                status=PROCESSING, attempts=InboundUpdate.attempts + 1,
                lease_until=when + timedelta(seconds=lease_seconds())))
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                continue  # another worker was faster
            row = session.get(InboundUpdate, row_id)
            assert row is not None and row.payload is not None
            turns.append(Turn(row.id, from_payload(row.payload), row.attempts, False))
    return turns


def process(gateway: Gateway, turn: Turn, *, now: datetime | None = None) -> str:
    """Answer one claimed row through the outbox: 'done', 'retry' or 'gave_up'."""
    try:
        replies = _ask(gateway, turn)
    except GatewayError as exc:
        release(turn, str(exc), now=now)
        return "down" if "unreachable" in str(exc) else "retry"
    outcome = "done"
    if not _reply_rows(replies):
        if _empty(gateway, turn, now):
            return "retry"
        replies, outcome = [Reply(text=degraded.gave_up_sentence(turn.message.text))], "gave_up"
    # Rasa has answered: wait out a database restart rather than leave it to the lease.
    with_db_retry(lambda: finish(turn, replies, via_outbox=True, now=now))
    return outcome


def run_queue(gateway: Gateway, *, limit: int = 20, now: datetime | None = None) -> dict[str, int]:
    """One worker pass over the inbound queue."""
    counts = {"done": 0, "retry": 0, "gave_up": 0}
    turns = claim_due(limit=limit, now=now)
    for i, turn in enumerate(turns):
        try:
            outcome = process(gateway, turn, now=now)
        except Exception:  # a bad row must not stop the others; its lease expires and it is retried
            log.exception("inbound %s failed", turn.row_id)
            outcome = "retry"
        if outcome == "down":  # Rasa is unreachable: the rest of the batch waits for the next pass
            for rest in turns[i + 1:]:
                quietly(release, rest, "Rasa unreachable (not tried in this pass)", now=now)
            counts["retry"] += len(turns) - i
            break
        counts[outcome] += 1
    return counts
