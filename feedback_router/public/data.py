"""What a citizen may see of a ticket or suggestion on any public surface (Open311, status and
suggestion pages, the public map): one module so every surface masks the same way.

Shown: category, status, unit, an approximate place (street or ward, never a house number;
coordinates rounded to 3 decimals, about 100 m) and a description with phone numbers, e-mail
addresses, ID numbers and house numbers masked. FixMyStreet model: staff may replace the
description by a moderated ``public_description`` (security_models.TicketPublicText); until
they do, the masked citizen text is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.core.models import Ticket
from feedback_router.staff.security_models import TicketPublicText
from nlu import clock
from nlu.text import clean_text

MASK = "•••"
COORD_DECIMALS = 3

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Phone numbers (0912 345 678, +84 912.345.678, 024-3825-1234) and ID numbers (CMND 9, CCCD 12
# digits): any run of 8+ digits, possibly split by spaces, dots or dashes.
_LONG_NUMBER = re.compile(r"(?<![\w])\+?\d(?:[ .\-]?\d){7,}(?![\w])")
# House numbers: "số nhà 15", "nhà số 15B", "số 15/3", "nhà 25", "15/3 Láng Hạ", "No. 7".
_HOUSE_WORDS = re.compile(r"(?i)\b(số\s+nhà|nhà\s+số|so\s+nha|nha\s+so|nhà|nha|số|so|no\.?|house)"
                          r"\s*\d+[a-z]?(?:/\d+[a-z]?)*\b")
_SLASH_NUMBER = re.compile(r"(?<![\w/])\d+[a-zA-Z]?(?:/\d+[a-zA-Z]?)+(?![\w/])")
_LEADING_NUMBER = re.compile(r"^\s*\d+[a-zA-Z]?\s+(?=\D)")


def mask_personal(text: str | None) -> str:
    """The text with phones, e-mails, ID numbers and house numbers replaced by •••."""
    if not text:
        return ""
    text = clean_text(text)
    text = _EMAIL.sub(MASK, text)
    text = _LONG_NUMBER.sub(MASK, text)
    text = _HOUSE_WORDS.sub(lambda m: m.group(1) + " " + MASK, text)
    return _SLASH_NUMBER.sub(MASK, text)


def approximate_place(location_text: str | None, ward_name: str | None) -> str | None:
    """Street or ward, never the house: "15 Láng Hạ, phường Láng" → "Láng Hạ, phường Láng"."""
    if location_text:
        place = mask_personal(_LEADING_NUMBER.sub("", clean_text(location_text)))
        place = re.sub(rf"(?:\b\w+\s+)?{re.escape(MASK)}\s*,?\s*", "", place).strip(" ,")
        if place:
            return place
    return ward_name


def round_coordinate(value: float | None) -> float | None:
    return None if value is None else round(float(value), COORD_DECIMALS)


@dataclass(frozen=True)
class PublicTicket:
    code: str
    category: str
    status: str
    unit_name: str
    place: str | None
    latitude: float | None
    longitude: float | None
    description: str
    created_at: datetime | None
    updated_at: datetime | None


def public_description(s: Session, ticket: Ticket) -> str:
    """Staff's moderated text when there is one, else the masked citizen text."""
    moderated = s.get(TicketPublicText, ticket.id)
    return moderated.public_description if moderated is not None else mask_personal(ticket.description)


def public_descriptions(s: Session, tickets: list[Ticket]) -> dict[int, str]:
    """Several at once (Open311 lists): one query, not one per ticket."""
    ids = [t.id for t in tickets]
    rows = s.scalars(select(TicketPublicText).where(TicketPublicText.ticket_id.in_(ids))) if ids else []
    moderated = {row.ticket_id: row.public_description for row in rows}
    return {t.id: moderated.get(t.id, mask_personal(t.description)) for t in tickets}


def public_ticket(ticket: Ticket, description: str, ward_name: str | None = None) -> PublicTicket:
    return PublicTicket(code=ticket.code, category=ticket.category, status=ticket.status.value,
                        unit_name=ticket.unit.name, place=approximate_place(ticket.location_text, ward_name),
                        latitude=round_coordinate(ticket.latitude), longitude=round_coordinate(ticket.longitude),
                        description=description, created_at=ticket.created_at, updated_at=ticket.updated_at)


def set_public_description(s: Session, ticket: Ticket, text: str, actor: str) -> TicketPublicText:
    """Staff moderation: what the public sees from now on (caller commits)."""
    text = clean_text(text or "").strip()
    if not text or len(text) > 4000:
        raise ValueError("Mô tả công khai cần 1–4000 ký tự (public description must be 1–4000 characters).")
    row = s.get(TicketPublicText, ticket.id)
    if row is None:
        row = TicketPublicText(ticket_id=ticket.id, public_description=text, moderated_by=actor)
        s.add(row)
    else:
        row.public_description, row.moderated_by = text, actor
        row.moderated_at = clock.now() if row.moderated_at else None
    s.flush()
    return row
