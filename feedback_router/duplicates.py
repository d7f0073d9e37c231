"""Several citizens report the same pothole: attach them to one ticket.

A new report is a duplicate of an open ticket of the same category created in the
last 7 days when both name the same street/alley (compared after folding diacritics:
"Ngõ 12 Láng Hạ" == "ngo 12 lang ha") or both carry coordinates less than 150 m apart.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from feedback_router.models import Contact, Ticket, TicketEvent, TicketFollower, TicketStatus

WINDOW = timedelta(days=7)
RADIUS_M = 150.0
OPEN_STATUSES = (TicketStatus.received, TicketStatus.assigned, TicketStatus.in_progress)

_STREET_RE = re.compile(r"\b(ngo|ngach|hem|kiet|duong|pho|dai lo)\b\s*\S.*")
_CUT_RE = re.compile(r"\b(phuong|huyen|thi xa|thanh pho|tp|ha noi|gan|canh|truoc|doi dien)\b")


def fold(text: str) -> str:
    """Lower case, no diacritics, đ → d, punctuation → spaces, single spaces."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    text = re.sub(r"[^\w/]+", " ", text)
    return " ".join(text.split())


def location_key(location_text: str | None) -> str | None:
    """The street/alley part of a free-text place, folded; None when there is none."""
    if not location_text:
        return None
    first = fold(location_text.split(",")[0])
    match = _STREET_RE.search(first)
    if match is None:  # no street or alley named: text alone is too vague to merge on
        return None
    key = match.group(0)
    cut = _CUT_RE.search(key, 3)
    if cut:
        key = key[: cut.start()]
    key = key.strip()[:255]
    return key if len(key) >= 4 and re.search(r"[a-z]", key) else None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def find_duplicate(
    session: Session,
    *,
    category: str,
    key: str | None,
    latitude: float | None,
    longitude: float | None,
    now: datetime | None = None,
) -> Ticket | None:
    if key is None and (latitude is None or longitude is None):
        return None
    now = now or datetime.now(timezone.utc)
    near = []
    if key is not None:
        near.append(Ticket.location_key == key)
    if latitude is not None and longitude is not None:
        dlat = RADIUS_M / 111_320.0
        dlon = RADIUS_M / (111_320.0 * max(math.cos(math.radians(latitude)), 0.01))
        near.append(and_(Ticket.latitude.between(latitude - dlat, latitude + dlat),
                         Ticket.longitude.between(longitude - dlon, longitude + dlon)))
    candidates = session.scalars(
        select(Ticket)
        .where(Ticket.category == category, Ticket.status.in_(OPEN_STATUSES),
               Ticket.created_at >= now - WINDOW, Ticket.created_at <= now + timedelta(minutes=5), or_(*near))
        .order_by(Ticket.created_at)
        .limit(50)
    )
    for ticket in candidates:
        if key is not None and ticket.location_key == key:
            return ticket
        if (latitude is not None and longitude is not None and ticket.latitude is not None
                and ticket.longitude is not None
                and distance_m(latitude, longitude, ticket.latitude, ticket.longitude) <= RADIUS_M):
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


def attach_report(session: Session, ticket: Ticket, contact: Contact, description: str, actor: str) -> TicketEvent:
    """Count one more report on ``ticket`` and make its sender a follower; the citizen is
    told (outbox) that the report joined an existing ticket."""
    from feedback_router.lifecycle import notify

    ticket.report_count = (ticket.report_count or 1) + 1
    add_follower(session, ticket, contact)
    event = TicketEvent(status=ticket.status, actor=actor, kind="report", public=False,
                        note=f"báo cáo trùng #{ticket.report_count}: {description[:2000]}")
    ticket.events.append(event)
    session.flush()
    notify(session, ticket, event,
           f"Phản ánh của bạn trùng với phản ánh {ticket.code} đang được xử lý; "
           "bạn sẽ nhận được cập nhật của phản ánh này.", contacts=[contact])
    return event
