"""Citizens' suggestions and initiatives (góp ý, sáng kiến).

A suggestion is routed like a complaint (data/civic.yaml topics → department, or the
ward named), lives through ``received → under_review → accepted | declined`` with an
event for every change, and — only if its author said yes in the dialogue — is shown on
the public page ``/suggestions`` where other citizens support it (one support per channel
identity, enforced by the ``uq_support_suggestion_contact`` unique constraint). The
unit's answer goes back to the author through the ticket outbox, in the same transaction
as the change it announces. Callers of the ``session`` functions own the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedback_router.messaging import outbox
from feedback_router.core.catalog import catalog
from feedback_router.civic.data import civic, new_code, route_suggestion
from feedback_router.civic.models import Suggestion, SuggestionEvent, SuggestionStatus, SuggestionSupport
from feedback_router.core.codes import normalize_code
from feedback_router.core.db import session_scope
from feedback_router.core.models import Unit
from feedback_router.contacts import SYSTEM_ACTOR, get_or_create_contact
from nlu.entities import ward_unit_for
from feedback_router.civic.texts import bounded_text
from nlu.text import collapse_whitespace, nfc
from nlu import clock

S = SuggestionStatus
TRANSITIONS: dict[SuggestionStatus, set[SuggestionStatus]] = {
    S.received: {S.under_review, S.accepted, S.declined},
    S.under_review: {S.accepted, S.declined},
    S.accepted: set(),
    S.declined: set(),
}
STATUS_VI = {
    "received": "Đã tiếp nhận",
    "under_review": "Đang nghiên cứu",
    "accepted": "Được tiếp thu",
    "declined": "Chưa được tiếp thu",
}
MIN_CHARS, MAX_CHARS = 10, 5000
PAGE_SIZE = 50


class SuggestionError(ValueError):
    """The request cannot be done as asked; the message (Vietnamese) says why."""


class SuggestionNotFound(LookupError):
    pass


@dataclass(frozen=True)
class SuggestionReceipt:
    code: str
    topic: str
    unit_id: str
    unit_name: str
    status: str
    published: bool


@dataclass(frozen=True)
class PublicSuggestion:
    """What anyone may see: never the author, the channel or the contact."""

    code: str
    text: str
    topic_name: str
    unit_name: str
    status: str
    status_vi: str
    support_count: int
    answer: str | None
    created_at: datetime


def clean_text(text: object) -> str:
    return bounded_text(text, min_chars=MIN_CHARS, max_chars=MAX_CHARS, error=SuggestionError,
                        too_short="Nội dung góp ý quá ngắn, bạn viết rõ hơn giúp tôi.",
                        too_long=f"Nội dung góp ý dài quá {MAX_CHARS} ký tự.")


def _now(now: datetime | None) -> datetime:
    return now or clock.now()


def _topic_name(topic_id: str) -> str:
    for topic in civic().topics:
        if topic.id == topic_id:
            return topic.name_vi
    return "Góp ý chung"


def create_suggestion(*, text: str, sender_id: str, publish: bool, ward_unit_id: str | None = None,
                      phone: str | None = None, engine: Engine | None = None,
                      now: datetime | None = None) -> SuggestionReceipt:
    """``phone``: how to call the author back (a hotline caller's number): the unit's answer
    cannot be sent to a phone line, so it becomes a call-back (see outbox.mark_callback)."""
    body = clean_text(text)
    ward_unit_id = ward_unit_id or ward_unit_for(body)
    topic, unit_id = route_suggestion(body, ward_unit_id)
    now = _now(now)
    for _attempt in range(8):
        try:
            with session_scope(engine) as session:
                contact = get_or_create_contact(session, sender_id, phone)
                code = new_code("GY", clock.to_hanoi(now).date())  # the day in Hanoi, not on the server
                item = Suggestion(code=code, topic=topic, text=body, ward_unit_id=ward_unit_id,
                                  unit_id=unit_id, contact_id=contact.id, channel=contact.channel,
                                  status=S.received, publish_consent=bool(publish), published=bool(publish),
                                  support_count=0, created_at=now, updated_at=now)
                item.events.append(SuggestionEvent(kind="status", status=S.received, actor=SYSTEM_ACTOR,
                                                   note=f"routed to {unit_id} (topic {topic})", created_at=now))
                if publish:
                    item.events.append(SuggestionEvent(kind="publish", status=S.received, actor=SYSTEM_ACTOR,
                                                       note="author consented to publication", created_at=now))
                session.add(item)
                session.flush()
                return SuggestionReceipt(item.code, topic, unit_id, catalog().units[unit_id].name,
                                         item.status.value, item.published)
        except IntegrityError:
            continue  # code collision: draw again
    raise RuntimeError("could not allocate a unique suggestion code")


def get(session: Session, code: str) -> Suggestion | None:
    return session.scalar(select(Suggestion).where(Suggestion.code == normalize_code(code)))


def _notify(session: Session, item: Suggestion, event: SuggestionEvent, text: str) -> None:
    if item.contact is None:
        return
    session.flush()
    outbox.enqueue(session, contact=item.contact, text=text,
                   payload={"suggestion_code": item.code, "status": item.status.value, "event_id": event.id,
                            "kind": event.kind},
                   dedupe_key=f"suggestion:{item.id}:event:{event.id}", unit_id=item.unit_id)


def _event(item: Suggestion, *, kind: str, actor: str, note: str | None, now: datetime | None) -> SuggestionEvent:
    event = SuggestionEvent(kind=kind, status=item.status, actor=actor, note=note, created_at=_now(now))
    item.events.append(event)
    item.updated_at = event.created_at
    return event


def change_status(session: Session, item: Suggestion, new_status: SuggestionStatus | str, *, actor: str,
                  answer: str | None = None, now: datetime | None = None) -> SuggestionEvent:
    """Move a suggestion on; a final decision (accepted/declined) must carry the unit's answer."""
    try:
        new = SuggestionStatus(new_status)
    except ValueError as exc:
        raise SuggestionError(f"trạng thái không hợp lệ: {new_status!r}") from exc
    if new not in TRANSITIONS[item.status]:
        raise SuggestionError(f"không thể chuyển từ {item.status.value} sang {new.value}")
    answer = collapse_whitespace(nfc(answer or "")) or None
    if new in (S.accepted, S.declined) and not answer:
        raise SuggestionError("cần có nội dung trả lời người góp ý khi kết luận")
    item.status = new
    if answer:
        item.answer = answer
    event = _event(item, kind="status", actor=actor, note=answer, now=now)
    text = f"Góp ý {item.code}: {STATUS_VI[new.value]}."
    if answer:
        text += f" Trả lời của {item.unit.name}: {answer}"
    _notify(session, item, event, text)
    return event


def answer(session: Session, item: Suggestion, text: str, *, actor: str,
           now: datetime | None = None) -> SuggestionEvent:
    """The unit's answer without changing the status (e.g. 'we are studying it with…')."""
    body = collapse_whitespace(nfc(text or ""))
    if not body:
        raise SuggestionError("trả lời trống")
    item.answer = body
    event = _event(item, kind="answer", actor=actor, note=body, now=now)
    _notify(session, item, event, f"Trả lời góp ý {item.code} của {item.unit.name}: {body}")
    return event


def reassign(session: Session, item: Suggestion, unit_id: str, *, actor: str, reason: str,
             now: datetime | None = None) -> SuggestionEvent:
    """Send it to the unit that should answer (triage does this for ideas with no unit)."""
    reason = collapse_whitespace(nfc(reason or ""))
    if not reason:
        raise SuggestionError("cần ghi lý do chuyển đơn vị")
    if item.status in (S.accepted, S.declined):
        raise SuggestionError("góp ý đã có kết luận")
    if unit_id not in catalog().units or session.get(Unit, unit_id) is None:
        raise SuggestionError(f"đơn vị không tồn tại: {unit_id!r}")
    if unit_id == item.unit_id:
        raise SuggestionError("góp ý đang ở đơn vị này")
    old, item.unit_id = item.unit_id, unit_id
    outbox.hand_over(session, unit_id, dedupe_prefix=f"suggestion:{item.id}:")  # call-backs go along
    event = _event(item, kind="reassign", actor=actor, note=f"{old} → {unit_id}: {reason}", now=now)
    session.flush()
    session.expire(item, ["unit"])
    return event


def set_published(session: Session, item: Suggestion, published: bool, *, actor: str,
                  reason: str | None = None, now: datetime | None = None) -> SuggestionEvent:
    """Staff may hide a published idea (abuse, personal data); publishing needs consent."""
    if published and not item.publish_consent:
        raise SuggestionError("người góp ý không đồng ý công khai góp ý này")
    item.published = bool(published)
    return _event(item, kind="publish", actor=actor,
                  note=("published" if published else "hidden") + (f": {reason}" if reason else ""), now=now)


def support(code: str, sender_id: str, engine: Engine | None = None) -> tuple[bool, int]:
    """Record one citizen's support; returns (counted now, total). A second support from
    the same channel identity is refused by the unique constraint, not by a prior check,
    so concurrent requests cannot double count."""
    with session_scope(engine) as session:
        item = get(session, code)
        if item is None or not item.published:
            raise SuggestionNotFound(code)
        contact = get_or_create_contact(session, sender_id)
        if contact.id == item.contact_id:
            raise SuggestionError("Bạn là người gửi góp ý này nên không thể tự ủng hộ.")
        try:
            with session.begin_nested():
                session.add(SuggestionSupport(suggestion_id=item.id, contact_id=contact.id))
                session.flush()
        except IntegrityError:
            counted = False
        else:
            counted = True
            session.execute(update(Suggestion).where(Suggestion.id == item.id)
                            .values(support_count=Suggestion.support_count + 1))
        total = session.scalar(select(func.count()).select_from(SuggestionSupport)
                               .where(SuggestionSupport.suggestion_id == item.id))
        return counted, int(total or 0)


def _public(item: Suggestion) -> PublicSuggestion:
    return PublicSuggestion(item.code, item.text, _topic_name(item.topic), item.unit.name, item.status.value,
                            STATUS_VI[item.status.value], item.support_count, item.answer, item.created_at)


def public_list(engine: Engine | None = None, page: int = 1, order: str = "new") -> tuple[list[PublicSuggestion], bool]:
    with session_scope(engine) as session:
        stmt = select(Suggestion).where(Suggestion.published.is_(True))
        if order == "top":
            stmt = stmt.order_by(Suggestion.support_count.desc(), Suggestion.id.desc())
        else:
            stmt = stmt.order_by(Suggestion.created_at.desc(), Suggestion.id.desc())
        rows = list(session.scalars(stmt.limit(PAGE_SIZE + 1).offset((max(page, 1) - 1) * PAGE_SIZE)))
        return [_public(r) for r in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE


def public_get(code: str, engine: Engine | None = None) -> PublicSuggestion | None:
    with session_scope(engine) as session:
        item = get(session, code)
        return _public(item) if item is not None and item.published else None
