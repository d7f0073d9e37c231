"""What the booking dialogue (bot.booking_actions) reads, one transaction a question, as plain
values: the actions phrase answers and never hold a session or an ORM row across a reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from feedback_router.booking.dates import When
from feedback_router.booking.offer import active_bookings, confirmation, propose, slot_label
from feedback_router.booking.service import Booking, Slot, local
from feedback_router.core.db import get_engine, session_scope


@dataclass(frozen=True)
class BookingView:
    code: str
    procedure: str
    desk_id: str
    label: str  # "09:00 Thứ Hai 07/12"


@dataclass(frozen=True)
class OfferView:
    slots: list[tuple[int, str]]  # (slot id, label), nearest first
    notice: str | None  # why the asked day or part of day is not what is offered
    part: str | None  # the part of day every offered slot is in, when one was asked and kept


@dataclass(frozen=True)
class Confirmed:
    text: str
    desk_id: str
    starts_at: datetime  # local time


def my_bookings(sender_id: str, now: datetime, engine: Engine | None = None) -> list[BookingView]:
    """The citizen's bookings still to come, soonest first."""
    with session_scope(engine or get_engine()) as session:
        return [BookingView(b.code, b.procedure, b.slot.desk_id, slot_label(b.slot))
                for b in active_bookings(session, sender_id, now)]


def offer_for(desk_id: str, when: When, now: datetime, engine: Engine | None = None) -> OfferView:
    with session_scope(engine or get_engine()) as session:
        found = propose(session, desk_id, when, now)
        return OfferView([(s.id, slot_label(s)) for s in found.slots], found.notice, found.part)


def slot_starts(slot_ids: list[int], engine: Engine | None = None) -> list[datetime]:
    """Local start times of the offered slots, in the order offered (a slot gone is left out)."""
    if not slot_ids:
        return []
    with session_scope(engine or get_engine()) as session:
        rows = {sid: at for sid, at in session.execute(select(Slot.id, Slot.starts_at).where(Slot.id.in_(slot_ids)))}
    return [local(rows[i]) for i in slot_ids if i in rows]


def confirm(code: str, procedure_id: str | None, *, moved: bool, hotline: bool,
            engine: Engine | None = None) -> Confirmed | None:
    """The confirmation of a booking just made or moved; None for an unknown code."""
    with session_scope(engine or get_engine()) as session:
        found = session.scalar(select(Booking).where(Booking.code == code))
        if found is None:
            return None
        text = confirmation(found, procedure_id, moved=moved, hotline=hotline)
        return Confirmed(text, found.slot.desk_id, local(found.slot.starts_at))
