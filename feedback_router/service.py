"""Ticket operations shared by Rasa actions, the web app, Open311 and tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedback_router.catalog import Catalog, catalog
from feedback_router.codes import new_code, normalize_code
from feedback_router.db import session_scope
from feedback_router.duplicates import attach_report, find_duplicate, location_key
from feedback_router.models import Contact, Ticket, TicketEvent, TicketStatus, Unit, Urgency
from feedback_router.routing import route
from feedback_router.sla import deadlines
from nlu.text import fold

SYSTEM_ACTOR = "system:assistant"


@dataclass(frozen=True)
class TicketReceipt:
    """What the citizen is told: the code and who handles it."""

    code: str
    category: str
    unit_id: str
    unit_name: str
    urgency: str
    hotline: str | None
    status: str
    merged: bool = False  # True: the report joined an existing open ticket (a duplicate)


def channel_of(sender_id: str) -> str:
    """Sender ids are namespaced per channel ("telegram:123")."""
    return sender_id.split(":", 1)[0] if ":" in sender_id else "unknown"


def hotline_number(sender_id: str) -> str | None:
    """A hotline caller's number (``hotline:0912345678``): the only way to reach them again."""
    channel, _, ident = sender_id.partition(":")
    digits = ident.lstrip("+")
    return ident if channel == "hotline" and digits.isdigit() and 8 <= len(digits) <= 15 else None


def sync_units(session: Session, cat: Catalog | None = None) -> int:
    """Make the units table mirror data/units.yaml (insert or update, never delete:
    old tickets keep pointing at units that were retired)."""
    cat = cat or catalog()
    existing = {u.id: u for u in session.scalars(select(Unit))}
    for info in cat.units.values():
        row = existing.get(info.id)
        if row is None:
            session.add(Unit(id=info.id, name=info.name, name_en=info.name_en,
                             kind=info.kind, hotline=info.hotline))
        else:
            row.name, row.name_en, row.kind, row.hotline = info.name, info.name_en, info.kind, info.hotline
    session.flush()
    return len(cat.units)


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


def create_ticket(
    *,
    category: str,
    description: str,
    sender_id: str,
    location_text: str | None = None,
    ward_unit_id: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    phone: str | None = None,
    engine: Engine | None = None,
    now: datetime | None = None,
    detect_duplicates: bool = True,
) -> TicketReceipt:
    """File a report: route it, give it a unique code, record its first event, set its
    SLA deadlines. A report duplicating an open ticket (see duplicates.py) is attached to
    it instead: the receipt carries the existing code and ``merged=True``."""
    decision = route(category, ward_unit_id)
    now = now or datetime.now(timezone.utc)
    key = location_key(location_text)
    ack_due, sla_due = deadlines(now, decision.urgency)
    for _attempt in range(8):
        try:
            with session_scope(engine) as session:
                contact = get_or_create_contact(session, sender_id, phone)
                if detect_duplicates:
                    existing = find_duplicate(session, category=category, key=key, latitude=latitude,
                                              longitude=longitude, now=now)
                    if existing is not None:
                        attach_report(session, existing, contact, description, SYSTEM_ACTOR)
                        return TicketReceipt(existing.code, existing.category, existing.unit_id,
                                             existing.unit.name, existing.urgency.value, decision.hotline,
                                             existing.status.value, merged=True)
                ticket = Ticket(
                    code=new_code(),
                    category=category,
                    urgency=Urgency(decision.urgency),
                    status=TicketStatus.received,
                    description=description,
                    location_text=location_text,
                    ward_unit_id=ward_unit_id,
                    latitude=latitude,
                    longitude=longitude,
                    unit_id=decision.unit_id,
                    contact_id=contact.id,
                    channel=contact.channel,
                    created_at=now,
                    updated_at=now,
                    location_key=key,
                    ack_due_at=ack_due,
                    sla_due_at=sla_due,
                    report_count=1,
                )
                ticket.events.append(TicketEvent(status=TicketStatus.received, actor=SYSTEM_ACTOR,
                                                 note=f"routed to {decision.unit_id}: {decision.reason}",
                                                 created_at=now))
                session.add(ticket)
                session.flush()
                return TicketReceipt(ticket.code, category, decision.unit_id, decision.unit_name,
                                     decision.urgency, decision.hotline, ticket.status.value)
        except IntegrityError:
            continue  # the random code collided with an existing one: draw again
    raise RuntimeError("could not allocate a unique ticket code")


def find_ticket(code: str, engine: Engine | None = None) -> TicketReceipt | None:
    with session_scope(engine) as session:
        ticket = session.scalar(select(Ticket).where(Ticket.code == normalize_code(code)))
        if ticket is None:
            return None
        return TicketReceipt(ticket.code, ticket.category, ticket.unit_id, ticket.unit.name,
                             ticket.urgency.value, None, ticket.status.value)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def attach_call_record(*, sender_id: str, started_at: datetime, transcript: str,
                       recording_path: str | None, engine: Engine | None = None) -> list[str]:
    """Keep a hotline call's transcript and recording on the tickets it filed.

    Called when the call ends; staff see it as an internal note (never sent to the
    citizen). Returns the codes of the tickets it was attached to.
    """
    from feedback_router.lifecycle import add_note

    since = _aware(started_at)
    if fold("to cao") in fold(transcript or ""):
        # A denunciation was spoken in this call: its transcript and recording carry the
        # denouncer's identity and must not become a note the (possibly denounced) unit reads.
        transcript, recording_path = ("(không đính kèm: cuộc gọi có nội dung tố cáo, thông tin người tố cáo "
                                      "được bảo mật theo Luật Tố cáo)"), None
    with session_scope(engine) as session:
        contact = session.scalar(select(Contact).where(Contact.sender_id == sender_id))
        if contact is None:
            return []
        recent = session.scalars(select(Ticket).where(Ticket.contact_id == contact.id)
                                 .order_by(Ticket.id.desc()).limit(20))
        codes = []
        for ticket in recent:
            if _aware(ticket.created_at) < since:
                continue
            note = (f"Cuộc gọi tổng đài {sender_id}\nGhi âm: {recording_path or 'không có'}\n"
                    f"Bản ghi lời thoại:\n{transcript.strip() or '(trống)'}")
            add_note(session, ticket, note, actor="system:hotline")
            codes.append(ticket.code)
        return codes
