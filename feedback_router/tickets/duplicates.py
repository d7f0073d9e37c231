"""Several citizens report the same pothole: attach them to one ticket — but only at the
same place, never across wards.

Hanoi has hundreds of "ngõ 12"; matching on the alley number handed reports to another
ward's ticket (and the unit's answer to the wrong citizen). A report and an open ticket
are candidates only when they have the same category, the same handling unit and the same
resolved ward (typed, or derived from GPS — places.ward_at), were filed within 7 days, and
their places match (places.parse_address):

- **same address** (strict): same street (folded; diacritics both typed must agree), same
  alley chain, same house number, and at least an alley or a house number;
- **likely** (offered to the citizen, who confirms, FixMyStreet-style): the same address,
  or the same street and alley with one house number missing, or GPS points at most
  ``RADIUS_M`` apart — in every case never when both name different streets or alleys.
  When neither report has a ward (a tourist's "25 Hang Bai street") only the same full
  address is offered.

Automatic joining (Open311, the hotline, anything without a dialogue) uses the strict rule
only, and only with a known ward; the chat shows a likely candidate and joins on "Đúng".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from feedback_router.core.models import Contact, Ticket, TicketEvent, TicketFollower, TicketStatus
from feedback_router.tickets.places import Address, distance_m, parse_address
from nlu import clock

WINDOW = timedelta(days=7)
# Inner-city frontages are 4–5 m wide and phone GPS is good to 5–20 m: 30 m is a few houses,
# close enough to be the same pothole, too close to reach the next alley's mouth on most streets.
RADIUS_M = 30.0
MAX_CANDIDATES = 100
OPEN_STATUSES = (TicketStatus.received, TicketStatus.assigned, TicketStatus.in_progress)

__all__ = ["Place", "RADIUS_M", "WINDOW", "add_follower", "attach_report", "distance_m", "find_duplicate",
           "location_key", "same_address", "likely_same"]


@dataclass(frozen=True)
class Place:
    """What duplicate detection knows about where a report is."""

    address: Address
    ward_unit_id: str | None
    latitude: float | None = None
    longitude: float | None = None

    @classmethod
    def of(cls, location_text: str | None, ward_unit_id: str | None,
           latitude: float | None = None, longitude: float | None = None) -> Place:
        return cls(parse_address(location_text), ward_unit_id, latitude, longitude)

    @classmethod
    def of_ticket(cls, ticket: Ticket) -> Place:
        return cls.of(ticket.location_text, ticket.ward_unit_id, ticket.latitude, ticket.longitude)

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def location_key(location_text: str | None) -> str | None:
    """Indexed form of a place's address ("lang ha|12/34|5"), None when too vague to match."""
    return parse_address(location_text).key


def same_address(a: Address, b: Address) -> bool:
    return a.key is not None and a.key == b.key and a.same_street(b)


def _same_alley_one_house(a: Address, b: Address) -> bool:
    return (a.alley is not None and a.alley == b.alley and a.same_street(b)
            and (a.house is None or b.house is None or a.house == b.house))


def likely_same(new: Place, old: Place) -> bool:
    """Worth asking the citizen: same ward, no conflicting names, and a matching address
    or GPS points within RADIUS_M."""
    if new.ward_unit_id != old.ward_unit_id or new.address.conflicts(old.address):
        return False
    if same_address(new.address, old.address) or _same_alley_one_house(new.address, old.address):
        return True
    return (new.has_point and old.has_point
            and distance_m(new.latitude, new.longitude, old.latitude, old.longitude) <= RADIUS_M)  # type: ignore[arg-type]


def find_duplicate(
    session: Session,
    *,
    category: str,
    unit_id: str,
    place: Place,
    strict: bool = True,
    now: datetime | None = None,
) -> Ticket | None:
    """The oldest open ticket this report duplicates (strict) or likely duplicates."""
    addr = place.address
    if place.ward_unit_id is None and strict:
        return None  # an unplaced report is never joined automatically: it could be any ward's
    near = []
    if addr.street_key is not None and (addr.alley or addr.house):
        near.append(Ticket.location_key.startswith(f"{addr.street_key}|{addr.alley or ''}|", autoescape=True))
    if not strict and place.has_point and place.ward_unit_id is not None:
        lat, lon = float(place.latitude), float(place.longitude)  # type: ignore[arg-type]
        dlat = RADIUS_M / 111_320.0
        dlon = RADIUS_M / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
        near.append(and_(Ticket.latitude.between(lat - dlat, lat + dlat),
                         Ticket.longitude.between(lon - dlon, lon + dlon)))
    if not near:
        return None
    now = now or clock.now()
    candidates = session.scalars(
        select(Ticket)
        .where(Ticket.category == category, Ticket.unit_id == unit_id,
               Ticket.ward_unit_id == place.ward_unit_id if place.ward_unit_id else Ticket.ward_unit_id.is_(None),
               Ticket.status.in_(OPEN_STATUSES),
               Ticket.created_at >= now - WINDOW, Ticket.created_at <= now + timedelta(minutes=5), or_(*near))
        .order_by(Ticket.created_at, Ticket.id)
        .limit(MAX_CANDIDATES)
    )
    for ticket in candidates:
        old = Place.of_ticket(ticket)
        if (strict or place.ward_unit_id is None) and same_address(addr, old.address):
            return ticket  # without a ward on either side only the full address may be offered
        if not strict and place.ward_unit_id is not None and likely_same(place, old):
            return ticket
    return None


def add_follower(session: Session, ticket: Ticket, contact: Contact) -> bool:
    """Link a citizen to a ticket's updates; False when already linked (or the reporter)."""
    if ticket.contact_id == contact.id:
        return False
    exists = session.scalar(select(TicketFollower.id).where(TicketFollower.ticket_id == ticket.id,
                                                            TicketFollower.contact_id == contact.id))
    if exists is not None:
        return False
    session.add(TicketFollower(ticket_id=ticket.id, contact_id=contact.id))
    session.flush()
    return True


def attach_report(session: Session, ticket: Ticket, contact: Contact, description: str, actor: str, *,
                  location_text: str | None = None, latitude: float | None = None,
                  longitude: float | None = None, now: datetime | None = None) -> TicketEvent:
    """Count one more report on ``ticket`` and make its sender a follower.

    The citizen is told by the caller, in the reply it is giving right now (chat, Open311
    response, hotline speech) — one message with one code, not a second one from the outbox.
    The report's own place and GPS point are kept on the event, and the point on the ticket
    when it had none, so staff still see where each citizen stood.
    """
    ticket.report_count = (ticket.report_count or 1) + 1
    add_follower(session, ticket, contact)
    if ticket.latitude is None and latitude is not None and longitude is not None:
        ticket.latitude, ticket.longitude = latitude, longitude
    where = ""
    if location_text:
        where += f"\nđịa điểm: {location_text[:500]}"
    if latitude is not None and longitude is not None:
        where += f"\nGPS: {latitude:.6f}, {longitude:.6f}"
    event = TicketEvent(status=ticket.status, actor=actor, kind="report", public=False,
                        note=f"báo cáo trùng #{ticket.report_count}: {description[:2000]}{where}",
                        created_at=now or clock.now())
    ticket.events.append(event)
    session.flush()
    return event
