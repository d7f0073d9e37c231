"""What staff do to a ticket: status changes, replies, reassignment, notes, merge,
and what the citizen does after: rate, reopen.

Every change is a TicketEvent (actor, time, note). Every change the citizen can see
(a reply, a status change, a merge) also writes Outbox rows for the reporter and the
followers in the same session, so they commit or roll back together. Callers own
the transaction (``session_scope``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.messaging import outbox
from feedback_router.core.catalog import catalog
from feedback_router.core.models import Contact, Ticket, TicketEvent, TicketFollower, TicketStatus, Unit
from nlu import clock
from feedback_router.tickets.duplicates import add_follower

S = TicketStatus
TRANSITIONS: dict[TicketStatus, set[TicketStatus]] = {
    S.received: {S.assigned, S.in_progress, S.resolved, S.rejected, S.merged},
    S.assigned: {S.in_progress, S.resolved, S.rejected, S.merged},
    S.in_progress: {S.resolved, S.rejected, S.merged},
    S.resolved: set(),  # only reopen(), once
    S.rejected: set(),
    S.merged: set(),
}
OPEN = (S.received, S.assigned, S.in_progress)
CLOSED = (S.resolved, S.rejected, S.merged)
MAX_REOPEN = 1
REOPEN_DAYS = 7  # a citizen may reopen a resolved report within a week of its resolution

STATUS_VI = {
    "received": "Đã tiếp nhận",
    "assigned": "Đã chuyển đơn vị xử lý",
    "in_progress": "Đang xử lý",
    "resolved": "Đã xử lý xong",
    "rejected": "Từ chối (không thuộc thẩm quyền hoặc không đủ thông tin)",
    "merged": "Đã gộp với phản ánh khác",
}


class LifecycleError(ValueError):
    """The requested change is not allowed in the ticket's current state."""


def _now(now: datetime | None) -> datetime:
    return now or clock.now()


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def recipients(session: Session, ticket: Ticket) -> list[Contact]:
    contacts: list[Contact] = []
    if ticket.contact is not None:
        contacts.append(ticket.contact)
    followers = session.scalars(select(Contact).join(TicketFollower, TicketFollower.contact_id == Contact.id)
                                .where(TicketFollower.ticket_id == ticket.id).order_by(TicketFollower.id))
    seen = {c.id for c in contacts}
    for c in followers:
        if c.id not in seen:
            contacts.append(c)
            seen.add(c.id)
    return contacts


def feedback_buttons(code: str) -> list[dict[str, str]]:
    """Rate 1–5 or reopen: button payloads the dialogue understands on every channel."""
    stars = [{"title": "⭐" * n, "payload": f'/rate_ticket{{"ticket_code":"{code}","rating":"{n}"}}'}
             for n in range(5, 0, -1)]
    return [*stars, {"title": "Mở lại / Reopen", "payload": f'/reopen_ticket{{"ticket_code":"{code}"}}'}]


def notify(session: Session, ticket: Ticket, event: TicketEvent, text: str,
           contacts: Iterable[Contact] | None = None, buttons: list[dict[str, str]] | None = None) -> int:
    """Outbox rows for a citizen-visible event (same transaction as the event)."""
    if event.id is None:
        session.flush()
    n = 0
    for contact in (recipients(session, ticket) if contacts is None else contacts):
        outbox.enqueue(session, contact=contact, text=text, ticket=ticket,
                       payload={"ticket_code": ticket.code, "status": ticket.status.value,
                                "event_id": event.id, "kind": event.kind,
                                **({"reply": {"text": text, "buttons": buttons}} if buttons else {})},
                       dedupe_key=f"ticket:{ticket.id}:event:{event.id}:contact:{contact.id}")
        n += 1
    return n


def _event(ticket: Ticket, *, kind: str, actor: str, note: str | None, public: bool,
           now: datetime | None) -> TicketEvent:
    event = TicketEvent(status=ticket.status, actor=actor, note=note, kind=kind, public=public,
                        created_at=_now(now))
    ticket.events.append(event)
    return event


def change_status(session: Session, ticket: Ticket, new_status: TicketStatus | str, *, actor: str,
                  note: str | None = None, now: datetime | None = None) -> TicketEvent:
    new = TicketStatus(new_status)
    if new == S.merged:
        raise LifecycleError("use merge() to merge tickets")
    if new not in TRANSITIONS[ticket.status]:
        raise LifecycleError(f"cannot go from {ticket.status.value} to {new.value}")
    ticket.status = new
    if new in (S.resolved, S.rejected):
        ticket.resolved_at = _now(now)
    event = _event(ticket, kind="status", actor=actor, note=note, public=True, now=now)
    session.flush()
    text = f"Phản ánh {ticket.code}: {STATUS_VI[new.value]}."
    if note:
        text += f" {note}"
    if new == S.resolved:
        text += (f" Bạn hài lòng với kết quả không? Hãy đánh giá từ 1 đến 5 sao; chưa được giải quyết thì bấm"
                 f" “Mở lại” trong {REOPEN_DAYS} ngày."
                 f" (Resolved. Please rate it 1–5, or reopen it within {REOPEN_DAYS} days.)")
    notify(session, ticket, event, text, buttons=feedback_buttons(ticket.code) if new == S.resolved else None)
    return event


def reply(session: Session, ticket: Ticket, text: str, *, actor: str, now: datetime | None = None) -> TicketEvent:
    """The unit's public answer: stored on the ticket and sent to the citizen(s)."""
    text = (text or "").strip()
    if not text:
        raise LifecycleError("empty reply")
    if ticket.status == S.merged:
        raise LifecycleError("ticket was merged; reply on the ticket it was merged into")
    ticket.public_reply = text
    event = _event(ticket, kind="reply", actor=actor, note=text, public=True, now=now)
    session.flush()
    notify(session, ticket, event, f"Trả lời phản ánh {ticket.code}: {text}")
    return event


def add_note(session: Session, ticket: Ticket, text: str, *, actor: str, now: datetime | None = None) -> TicketEvent:
    """Internal note between staff: never sent to the citizen, never shown publicly."""
    text = (text or "").strip()
    if not text:
        raise LifecycleError("empty note")
    event = _event(ticket, kind="note", actor=actor, note=text, public=False, now=now)
    session.flush()
    return event


def reassign(session: Session, ticket: Ticket, unit_id: str, *, actor: str, reason: str,
             now: datetime | None = None) -> TicketEvent:
    reason = (reason or "").strip()
    if not reason:
        raise LifecycleError("a reason is required to reassign")
    if ticket.status not in OPEN:
        raise LifecycleError(f"cannot reassign a {ticket.status.value} ticket")
    if session.get(Unit, unit_id) is None:
        raise LifecycleError(f"unknown unit {unit_id!r}")
    if unit_id == ticket.unit_id:
        raise LifecycleError("ticket is already with that unit")
    old = ticket.unit_id
    ticket.unit_id = unit_id
    outbox.hand_over(session, unit_id, ticket_id=ticket.id)  # call-backs not made yet go along
    status_changed = ticket.status != S.assigned
    ticket.status = S.assigned
    event = _event(ticket, kind="reassign", actor=actor, note=f"{old} → {unit_id}: {reason}",
                   public=status_changed, now=now)
    session.flush()
    session.expire(ticket, ["unit"])
    if status_changed:
        unit_name = catalog().units[unit_id].name if unit_id in catalog().units else unit_id
        notify(session, ticket, event, f"Phản ánh {ticket.code}: {STATUS_VI['assigned']} ({unit_name}).")
    return event


def rate(session: Session, ticket: Ticket, rating: int, *, actor: str, now: datetime | None = None) -> TicketEvent:
    if ticket.status != S.resolved:
        raise LifecycleError("only a resolved ticket can be rated")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise LifecycleError("rating must be 1–5")
    ticket.rating = rating
    event = _event(ticket, kind="rating", actor=actor, note=str(rating), public=False, now=now)
    session.flush()
    return event


def reopen(session: Session, ticket: Ticket, *, actor: str, reason: str | None = None,
           now: datetime | None = None) -> TicketEvent:
    if ticket.status not in (S.resolved, S.rejected):
        raise LifecycleError("only a resolved or rejected ticket can be reopened")
    if (ticket.reopen_count or 0) >= MAX_REOPEN:
        raise LifecycleError("a ticket can be reopened only once")
    if ticket.resolved_at is not None and _now(now) - _aware(ticket.resolved_at) > timedelta(days=REOPEN_DAYS):
        raise LifecycleError(f"a ticket can be reopened only within {REOPEN_DAYS} days of its resolution")
    ticket.reopen_count = (ticket.reopen_count or 0) + 1
    ticket.status = S.in_progress
    ticket.resolved_at = None
    ticket.rating = None
    event = _event(ticket, kind="reopen", actor=actor, note=reason, public=True, now=now)
    session.flush()
    notify(session, ticket, event, f"Phản ánh {ticket.code} đã được mở lại: {STATUS_VI['in_progress']}.")
    return event


def merge(session: Session, ticket: Ticket, into: Ticket, *, actor: str, note: str | None = None,
          now: datetime | None = None) -> TicketEvent:
    """Close ``ticket`` as a duplicate of ``into``: its reporters follow ``into``."""
    if ticket.id == into.id:
        raise LifecycleError("cannot merge a ticket into itself")
    if ticket.status not in OPEN:
        raise LifecycleError(f"cannot merge a {ticket.status.value} ticket")
    if into.status == S.merged:
        raise LifecycleError("target ticket is itself merged")
    ticket.status = S.merged
    ticket.merged_into_id = into.id
    into.report_count = (into.report_count or 1) + (ticket.report_count or 1)
    event = _event(ticket, kind="merge", actor=actor, note=note or f"gộp vào {into.code}", public=True, now=now)
    _event(into, kind="merge", actor=actor, note=f"nhận gộp {ticket.code}", public=False, now=now)
    session.flush()
    contacts = recipients(session, ticket)
    for contact in contacts:
        add_follower(session, into, contact)
    notify(session, ticket, event,
           f"Phản ánh {ticket.code} đã được gộp với phản ánh {into.code}; bạn sẽ nhận cập nhật của {into.code}.",
           contacts=contacts)
    return event
