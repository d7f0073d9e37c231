"""The public view of reports: one ticket's status and timeline, and the filterable list/map.

Everything personal is removed by feedback_router.public.data (the security rules: approximate
place, coordinates rounded to about 100 m, masked or moderated text); this module only decides
what to list and how to phrase status, events and deadlines in Vietnamese and English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.tickets import lifecycle
from feedback_router.core.catalog import catalog
from feedback_router.core.codes import normalize_code
from feedback_router.core.models import Ticket, TicketStatus
from feedback_router.public.data import approximate_place, public_descriptions, round_coordinate
from feedback_router.tickets.sla import TZ, as_utc
from nlu import gazetteer

STATUS_EN = {
    "received": "Received",
    "assigned": "Passed to the unit in charge",
    "in_progress": "In progress",
    "resolved": "Resolved",
    "rejected": "Rejected (not within its remit or not enough information)",
    "merged": "Merged with another report",
}
_EVENT_VI = {"reply": "Đơn vị trả lời", "reopen": "Người phản ánh mở lại", "merge": "Gộp phản ánh",
             "reassign": "Chuyển đơn vị xử lý", "report": "Thêm người phản ánh"}
_EVENT_EN = {"reply": "Reply from the unit", "reopen": "Reopened by the reporter", "merge": "Merged",
             "reassign": "Passed to another unit", "report": "Another person reported it"}
LIST_LIMIT = 500


def hanoi_time(moment: datetime | None) -> str:
    return "" if moment is None else as_utc(moment).astimezone(TZ).strftime("%H:%M %d/%m/%Y")


@dataclass(frozen=True)
class TimelineEntry:
    when: str
    label_vi: str
    label_en: str
    note: str | None  # only the unit's public reply; internal notes never appear


@dataclass(frozen=True)
class StatusView:
    code: str
    status: str
    status_vi: str
    status_en: str
    category_vi: str
    category_en: str
    unit_vi: str
    unit_en: str
    place: str | None
    latitude: float | None
    longitude: float | None
    ack_due: str
    resolve_due: str
    is_open: bool
    reply: str | None
    merged_into: str | None
    timeline: tuple[TimelineEntry, ...]


def _ward_name(unit_id: str | None) -> str | None:
    ward = gazetteer.ward_by_unit_id(unit_id) if unit_id else None
    return ward.full_name if ward else None


def _timeline(ticket: Ticket) -> tuple[TimelineEntry, ...]:
    out = []
    for i, event in enumerate(ticket.events):
        if i and not event.public:
            continue  # the first event (received) is always shown; later ones only when public
        if event.kind in ("status", None) or i == 0:
            vi, en = lifecycle.STATUS_VI[event.status.value], STATUS_EN[event.status.value]
        else:
            vi, en = _EVENT_VI.get(event.kind, event.kind), _EVENT_EN.get(event.kind, event.kind)
        out.append(TimelineEntry(hanoi_time(event.created_at), vi, en, event.note if event.kind == "reply" else None))
    return tuple(out)


def status_view(session: Session, code: str) -> StatusView | None:
    """What anyone holding the code may see; None for an unknown code."""
    ticket = session.scalar(select(Ticket).where(Ticket.code == normalize_code(code)))
    if ticket is None:
        return None
    cat = catalog().categories.get(ticket.category)
    unit = catalog().units.get(ticket.unit_id)
    merged = session.get(Ticket, ticket.merged_into_id).code if ticket.merged_into_id else None
    return StatusView(
        code=ticket.code, status=ticket.status.value,
        status_vi=lifecycle.STATUS_VI[ticket.status.value], status_en=STATUS_EN[ticket.status.value],
        category_vi=cat.name_vi if cat else ticket.category, category_en=cat.name_en if cat else ticket.category,
        unit_vi=ticket.unit.name, unit_en=(unit.name_en if unit and unit.name_en else ticket.unit.name),
        place=approximate_place(ticket.location_text, _ward_name(ticket.ward_unit_id)),
        latitude=round_coordinate(ticket.latitude), longitude=round_coordinate(ticket.longitude),
        ack_due=hanoi_time(ticket.ack_due_at), resolve_due=hanoi_time(ticket.sla_due_at),
        is_open=ticket.status in lifecycle.OPEN, reply=ticket.public_reply, merged_into=merged,
        timeline=_timeline(ticket),
    )


def public_list(session: Session, *, ward: str | None = None, category: str | None = None,
                limit: int = LIST_LIMIT) -> list[dict[str, object]]:
    """Reports for the public map and list, newest first: never merged ones (their twin is listed)."""
    stmt = select(Ticket).where(Ticket.status != TicketStatus.merged)
    if ward:
        stmt = stmt.where(Ticket.ward_unit_id == ward)
    if category:
        stmt = stmt.where(Ticket.category == category)
    tickets = list(session.scalars(stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit)))
    texts = public_descriptions(session, tickets)
    cats = catalog().categories
    out: list[dict[str, object]] = []
    for t in tickets:
        cat = cats.get(t.category)
        out.append({
            "code": t.code, "category": t.category,
            "category_vi": cat.name_vi if cat else t.category, "category_en": cat.name_en if cat else t.category,
            "status": t.status.value, "status_vi": lifecycle.STATUS_VI[t.status.value],
            "status_en": STATUS_EN[t.status.value], "ward": t.ward_unit_id, "ward_name": _ward_name(t.ward_unit_id),
            "place": approximate_place(t.location_text, _ward_name(t.ward_unit_id)),
            "latitude": round_coordinate(t.latitude), "longitude": round_coordinate(t.longitude),
            "description": texts[t.id], "created": hanoi_time(t.created_at), "report_count": t.report_count,
        })
    return out


def filter_choices(session: Session) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """(wards that have reports, all categories) for the filter menus."""
    ward_ids = sorted({w for w in session.scalars(select(Ticket.ward_unit_id).distinct()) if w})
    wards = [(w, _ward_name(w) or w) for w in ward_ids]
    cats = [(c.id, c.name_vi, c.name_en) for c in catalog().categories.values()]
    return wards, cats
