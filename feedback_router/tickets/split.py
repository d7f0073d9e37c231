"""Split one citizen's report out of a ticket it was wrongly merged into.

Duplicates are attached automatically (duplicates.py) or merged by staff (lifecycle.merge);
either can be wrong ("same street, different pothole"). Splitting gives that reporter a ticket
of their own, routed afresh from its category and place, with its own code and deadlines;
the reporter stops following the old ticket, so later answers reach them from the new one.
Both tickets record the split in their history, and the citizen is told the new code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.core.codes import new_code
from feedback_router.tickets.duplicates import location_key
from feedback_router.tickets.lifecycle import LifecycleError, OPEN, notify
from feedback_router.core.models import Contact, Ticket, TicketEvent, TicketFollower, TicketStatus, Urgency
from feedback_router.tickets.routing import route
from feedback_router.tickets.sla import as_utc, deadlines
from nlu.text import nfc
from nlu import clock

REPORT_PREFIX = "báo cáo trùng #"
PLACE_PREFIX = "địa điểm: "
GPS_PREFIX = "GPS: "


@dataclass(frozen=True)
class SplitCandidate:
    """A follower of the ticket and what they reported (best evidence the history holds)."""

    contact_id: int
    channel: str
    description: str
    location_text: str | None
    ward_unit_id: str | None
    latitude: float | None
    longitude: float | None


def parse_report_note(note: str | None) -> tuple[str, str | None, float | None, float | None]:
    """(description, place, lat, lon) from a 'báo cáo trùng #n: …' event written by
    duplicates.attach_report (place on a line 'địa điểm: …', point on a line 'GPS: lat, lon')."""
    text = note or ""
    if text.startswith(REPORT_PREFIX) and ": " in text:
        text = text.split(": ", 1)[1]
    place, lat, lon, lines = None, None, None, []
    for line in text.split("\n"):
        if line.startswith(PLACE_PREFIX):
            place = line[len(PLACE_PREFIX):].strip() or None
        elif line.startswith(GPS_PREFIX):
            try:
                lat, lon = (float(x) for x in line[len(GPS_PREFIX):].split(","))
            except ValueError:
                lines.append(line)
        else:
            lines.append(line)
    return "\n".join(lines).strip(), place, lat, lon


def candidates(session: Session, ticket: Ticket) -> list[SplitCandidate]:
    """Every follower that can be split out: a merged ticket's reporter brings its own
    description and place; an attached duplicate's text is the 'báo cáo trùng' event
    closest in time to when they started following."""
    followers = list(session.scalars(select(TicketFollower).where(TicketFollower.ticket_id == ticket.id)
                                     .order_by(TicketFollower.id)))
    merged = {t.contact_id: t for t in session.scalars(select(Ticket).where(Ticket.merged_into_id == ticket.id))}
    reports = [e for e in ticket.events if e.kind == "report"]
    out = []
    for f in followers:
        source = merged.get(f.contact_id)
        if source is not None:
            out.append(SplitCandidate(f.contact_id, f.contact.channel, source.description, source.location_text,
                                      source.ward_unit_id, source.latitude, source.longitude))
            continue
        near = min(reports, key=lambda e: abs((as_utc(e.created_at) - as_utc(f.created_at)).total_seconds()),
                   default=None)
        text, place, lat, lon = parse_report_note(near.note if near else None)
        out.append(SplitCandidate(f.contact_id, f.contact.channel, text or ticket.description,
                                  place or ticket.location_text, ticket.ward_unit_id,
                                  lat if lat is not None else ticket.latitude,
                                  lon if lat is not None else ticket.longitude))
    return out


def split_report(session: Session, ticket: Ticket, contact_id: int, *, actor: str,
                 description: str | None = None, location_text: str | None = None, ward_unit_id: str | None = None,
                 category: str | None = None, now: datetime | None = None) -> Ticket:
    """Move follower ``contact_id`` out of ``ticket`` into a new ticket (same transaction)."""
    if ticket.status not in OPEN:
        raise LifecycleError(f"cannot split a report out of a {ticket.status.value} ticket")
    found = {c.contact_id: c for c in candidates(session, ticket)}.get(contact_id)
    if found is None:
        raise LifecycleError("người này không theo dõi phản ánh / that citizen does not follow this ticket")
    now = now or clock.now()
    text = nfc(description or "").strip() or found.description
    place = nfc(location_text or "").strip() or found.location_text
    ward = ward_unit_id or found.ward_unit_id
    decision = route(category or ticket.category, ward)
    ack_due, sla_due = deadlines(now, decision.urgency)
    new = Ticket(code=new_code(), category=category or ticket.category, urgency=Urgency(decision.urgency),
                 status=TicketStatus.received, description=text, location_text=place, ward_unit_id=ward,
                 latitude=found.latitude, longitude=found.longitude, unit_id=decision.unit_id,
                 contact_id=contact_id, channel=found.channel, created_at=now, updated_at=now,
                 location_key=location_key(place), ack_due_at=ack_due, sla_due_at=sla_due, report_count=1)
    new.events.append(TicketEvent(status=TicketStatus.received, actor=actor, kind="split", public=False,
                                  note=f"tách từ {ticket.code}", created_at=now))
    new.events.append(TicketEvent(status=TicketStatus.received, actor=actor, kind="status", public=False,
                                  note=f"routed to {decision.unit_id}: {decision.reason}", created_at=now))
    session.add(new)
    for row in session.scalars(select(TicketFollower).where(TicketFollower.ticket_id == ticket.id,
                                                            TicketFollower.contact_id == contact_id)):
        session.delete(row)
    ticket.report_count = max(1, (ticket.report_count or 1) - 1)
    ticket.events.append(TicketEvent(status=ticket.status, actor=actor, kind="split", public=False,
                                     note=f"tách báo cáo ra phản ánh mới {new.code}", created_at=now))
    session.flush()
    contact = session.get(Contact, contact_id)
    assert contact is not None
    notice = TicketEvent(status=new.status, actor=actor, kind="split", public=True, created_at=now,
                         note=f"Báo cáo của bạn được tách khỏi {ticket.code} thành phản ánh riêng {new.code}")
    new.events.append(notice)
    session.flush()
    notify(session, new, notice,
           f"Phản ánh của bạn được tách khỏi phản ánh {ticket.code} thành phản ánh riêng {new.code}, "
           f"do {decision.unit_name} xử lý. Các cập nhật tiếp theo sẽ gửi theo mã {new.code}.",
           contacts=[contact])
    return new
