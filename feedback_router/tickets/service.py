"""Ticket operations shared by Rasa actions, the web app, Open311 and tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedback_router.core.accused import accused_unit
from feedback_router.tickets import replay
from feedback_router.tickets import files as ticket_files
from feedback_router.core.catalog import Catalog, catalog
from feedback_router.core.codes import new_code, normalize_code
from feedback_router.core.db import session_scope
from feedback_router.tickets.duplicates import OPEN_STATUSES, Place, attach_report, find_duplicate
from feedback_router.tickets.places import ward_at
from feedback_router.core.models import Contact, Ticket, TicketEvent, TicketStatus, Unit, Urgency
from feedback_router.tickets.routing import route
from feedback_router.tickets.sla import deadlines
from nlu import safety
from nlu.text import fold
from nlu import clock
from feedback_router.contacts import SYSTEM_ACTOR, get_or_create_contact
from feedback_router.tickets.lifecycle import add_note


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
    report_count: int = 1  # how many citizens have reported this ticket's problem


@dataclass(frozen=True)
class DuplicateOffer:
    """An open ticket the citizen may be reporting again, shown before joining it."""

    code: str
    category: str
    location_text: str | None
    report_count: int


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


def resolved_ward(ward_unit_id: str | None, latitude: float | None, longitude: float | None) -> str | None:
    """The ward typed, else the ward of the GPS point (nearest ward centre, places.ward_at)."""
    if ward_unit_id:
        return ward_unit_id
    guess = ward_at(latitude, longitude)
    return guess.unit_id if guess else None


def likely_duplicate(*, category: str, location_text: str | None, ward_unit_id: str | None = None,
                     latitude: float | None = None, longitude: float | None = None,
                     engine: Engine | None = None, now: datetime | None = None) -> DuplicateOffer | None:
    """The open ticket this report probably repeats, for the citizen to confirm (or not)."""
    ward = resolved_ward(ward_unit_id, latitude, longitude)
    decision = route(category, ward)
    place = Place.of(location_text, ward, latitude, longitude)
    with session_scope(engine) as session:
        ticket = find_duplicate(session, category=category, unit_id=decision.unit_id, place=place,
                                strict=False, now=now)
        if ticket is None:
            return None
        return DuplicateOffer(ticket.code, ticket.category, ticket.location_text, ticket.report_count or 1)


def _joinable(session: Session, code: str, category: str, unit_id: str, ward: str | None) -> Ticket | None:
    """The ticket the citizen chose to join, if it is still open and at the same unit and ward."""
    ticket = session.scalar(select(Ticket).where(Ticket.code == normalize_code(code)))
    if (ticket is None or ticket.status not in OPEN_STATUSES or ticket.category != category
            or ticket.unit_id != unit_id or ticket.ward_unit_id != ward):
        return None
    return ticket


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
    join_code: str | None = None,
    attachments: Sequence[Mapping[str, Any]] = (),
    message_id: str | None = None,
) -> TicketReceipt:
    """File a report: route it, give it a unique code, record its first event, set its
    SLA deadlines.

    Joining an existing open ticket happens in two ways only: ``join_code`` (the citizen
    confirmed "this is the same problem" in a dialogue, see likely_duplicate) or, with
    ``detect_duplicates``, the strict same-address rule of duplicates.py for callers with
    no dialogue (Open311, hotline). The receipt then carries the existing code,
    ``merged=True`` and the number of reports. Without a typed ward the ward of the GPS
    point is used, for routing and for duplicates. ``attachments`` (photos, voice notes the
    citizen sent: kind/path/mime/size) are kept on the ticket, joined or new (ticket_files).
    ``message_id`` (the channel's id of the message whose turn files this) makes a replay of
    that turn return the receipt of the first attempt instead of filing again (replay.py).
    """
    ward = resolved_ward(ward_unit_id, latitude, longitude)
    # A report accusing the unit it would go to goes to the inspectorate (feedback_router.core.accused).
    decision = route(category, ward, accused_unit_id=accused_unit(description, ward))
    now = now or clock.now()
    place = Place.of(location_text, ward, latitude, longitude)
    ack_due, sla_due = deadlines(now, decision.urgency)
    for _attempt in range(8):
        try:
            with session_scope(engine) as session:
                contact = get_or_create_contact(session, sender_id, phone)
                turn = replay.filed_by(session, contact, message_id) if message_id else None
                if turn is not None:  # the same turn again (a replica died mid-turn): one ticket
                    done = session.get(Ticket, turn.ticket_id)
                    assert done is not None
                    return TicketReceipt(done.code, done.category, done.unit_id, done.unit.name,
                                         done.urgency.value, decision.hotline, done.status.value,
                                         merged=turn.joined, report_count=done.report_count or 1)
                existing = None
                if join_code:
                    existing = _joinable(session, join_code, category, decision.unit_id, ward)
                elif detect_duplicates:
                    existing = find_duplicate(session, category=category, unit_id=decision.unit_id,
                                              place=place, strict=True, now=now)
                if existing is not None:
                    attach_report(session, existing, contact, description, SYSTEM_ACTOR,
                                  location_text=location_text, latitude=latitude, longitude=longitude, now=now)
                    ticket_files.record(session, existing, attachments, actor=SYSTEM_ACTOR, now=now)
                    if message_id:
                        replay.remember(session, contact, message_id, existing, joined=True, now=now)
                    return TicketReceipt(existing.code, existing.category, existing.unit_id,
                                         existing.unit.name, existing.urgency.value, decision.hotline,
                                         existing.status.value, merged=True, report_count=existing.report_count)
                ticket = Ticket(
                    code=new_code(clock.to_hanoi(now).date()),
                    category=category,
                    urgency=Urgency(decision.urgency),
                    status=TicketStatus.received,
                    description=description,
                    location_text=location_text,
                    ward_unit_id=ward,
                    latitude=latitude,
                    longitude=longitude,
                    unit_id=decision.unit_id,
                    contact_id=contact.id,
                    channel=contact.channel,
                    created_at=now,
                    updated_at=now,
                    location_key=place.address.key,
                    ack_due_at=ack_due,
                    sla_due_at=sla_due,
                    report_count=1,
                )
                ticket.events.append(TicketEvent(status=TicketStatus.received, actor=SYSTEM_ACTOR,
                                                 note=f"routed to {decision.unit_id}: {decision.reason}",
                                                 created_at=now))
                session.add(ticket)
                session.flush()
                ticket_files.record(session, ticket, attachments, actor=SYSTEM_ACTOR, now=now)
                if message_id:
                    replay.remember(session, contact, message_id, ticket, joined=False, now=now)
                return TicketReceipt(ticket.code, category, decision.unit_id, decision.unit_name,
                                     decision.urgency, decision.hotline, ticket.status.value)
        except IntegrityError:
            continue  # the random code collided (draw again), or another attempt of this turn won (found now)
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
    since = _aware(started_at)
    if fold("to cao") in fold(transcript or "") or safety.signals(transcript or "").accusation:
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
