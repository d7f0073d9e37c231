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

The rows themselves are feedback_router.messaging.inbound_queue's (storage, claims, fencing);
this module turns messages into payloads and back and decides what to ask Rasa and when.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import requests

from bot import degraded
from bot.gateway import Gateway, GatewayError
from bot.message import Attachment, Location, Message, Reply
from feedback_router.core.settings import get_settings
from feedback_router.messaging import inbound_queue as queue
from feedback_router.messaging import outbox

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

UNAVAILABLE = ("Trợ lý tạm thời không phản hồi, vui lòng thử lại sau ít phút "
               "(assistant temporarily unavailable).")
ACTIONS_WAIT_ATTEMPTS = 10  # after that, retry even if ACTION_SERVER_URL does not answer (misconfigured here)
lease_seconds = queue.lease_seconds
quietly = queue.quietly
with_db_retry = queue.with_db_retry


class Duplicate(Exception):
    """This update was already accepted; `replies` holds the answer when the HTTP response
    of the first delivery carried it (a client retrying after a lost response)."""

    def __init__(self, key: str, status: str, replies: list[Reply] | None = None) -> None:
        super().__init__(key)
        self.status = status
        self.replies = replies


@dataclass(frozen=True)
class Turn:
    claim: queue.Claim
    message: Message

    @property
    def row_id(self) -> int:
        return self.claim.row_id

    @property
    def attempt(self) -> int:  # fencing token: only the holder of this attempt may finish the row
        return self.claim.attempt

    @property
    def owned(self) -> bool:  # taken at once by the accepting request (the fast path may run)
        return self.claim.owned


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
    stored_key = queue.new_key(key)
    if not message.message_id:
        message = replace(message, message_id=f"{message.channel}:{stored_key}")
    try:
        claim = queue.accept(message.channel, message.sender_id, to_payload(message), stored_key,
                             now=now, engine=engine)
    except queue.Duplicate as dup:
        raise Duplicate(stored_key, dup.status, None if dup.replies is None else _replies_from(dup.replies)) from None
    return Turn(claim, message)


# ---- finish ---------------------------------------------------------------------------------

def release(turn: Turn, error: str, *, now: datetime | None = None, engine: Engine | None = None) -> None:
    """Back to the queue with a backoff: Rasa or the actions could not answer."""
    queue.release(turn.claim, error, now=now, engine=engine)


def _shown(reply: Reply) -> bool:
    return bool(reply.text or reply.image or reply.buttons or reply.custom)


def _reply_rows(replies: list[Reply]) -> list[dict[str, Any]]:
    return [r.as_dict() for r in replies if _shown(r)]


def finish(turn: Turn, replies: list[Reply], *, via_outbox: bool, claim_sending: bool = False,
           now: datetime | None = None, engine: Engine | None = None) -> list[int]:
    """Mark the row answered (inbound_queue.finish): the outbox ids, or [] when another
    attempt finished the row first or the replies stay on the row."""
    return queue.finish(turn.claim, _reply_rows(replies), via_outbox=via_outbox,
                        in_reply_to=turn.message.message_id, claim_sending=claim_sending, now=now, engine=engine)


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
    url = get_settings().action_server_url_given
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
        if gateway.times_processed(sender, message_id) >= queue.empty_retries():
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
    except queue.StorageError:
        # The database went away after Rasa answered: the lease runs out, the worker finds
        # the answer in Rasa's tracker and delivers it; showing it now would show it twice.
        log.warning("inbound %s: answer not recorded, left to the worker", turn.row_id)
        return holding
    if push and len(ids) != len(replies):  # another attempt finished it: it sends the answer
        return Answer([], False)
    return Answer(replies, False, tuple(ids))


def push_failed(outbox_ids: tuple[int, ...], error: str, engine: Engine | None = None) -> None:
    """The channel could not take these replies now: hand them to the delivery worker."""
    quietly(outbox.record_failed, outbox_ids, error[:500], engine=engine)


def pushed(outbox_id: int, engine: Engine | None = None) -> None:
    """A push channel delivered this reply itself."""
    with_db_retry(lambda: outbox.record_sent(outbox_id, engine=engine))


def holding_reply(message: Message) -> Reply:
    return Reply(text=degraded.queued_sentence(message.text))


# ---- the worker -----------------------------------------------------------------------------

def claim_due(*, limit: int = 20, now: datetime | None = None, engine: Engine | None = None) -> list[Turn]:
    """Take due rows, the oldest waiting message of each sender only (order per sender)."""
    return [Turn(claim, from_payload(claim.payload)) for claim in queue.claim_due(limit=limit, now=now, engine=engine)]


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
