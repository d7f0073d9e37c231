"""What the staff map shows: open tickets as points, and the tickets near one ticket.

Leaflet and its marker-cluster plugin are served from static/vendor (no CDN); only the
map tiles come from outside, from ``DASHBOARD_TILE_URL`` (OpenStreetMap's tile server by
default; a city can point it at its own tile server).
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.tickets import lifecycle
from feedback_router.dashboard import labels
from feedback_router.dashboard.search import QueueParams, filtered, scope
from feedback_router.tickets.duplicates import distance_m
from feedback_router.core.models import DashboardUser, Ticket
from feedback_router.core.settings import get_settings
from feedback_router.tickets.sla import as_utc

HANOI_CENTER = (21.0285, 105.8542)
MAP_LIMIT = 5000
NEARBY_M = 500.0
NEARBY_LIMIT = 20


def map_config() -> dict[str, object]:
    settings = get_settings()
    return {"tiles": settings.dashboard_tile_url, "attribution": settings.dashboard_tile_attribution,
            "center": list(HANOI_CENTER)}


def marker_state(t: Ticket, now: datetime | None = None) -> str:
    """The marker's colour class: overdue beats status."""
    if t.status in lifecycle.OPEN and (t.overdue or (now is not None and t.sla_due_at is not None
                                                     and as_utc(t.sla_due_at) < now)):
        return "overdue"
    return t.status.value


def feature(t: Ticket, names: dict[str, str] | None = None, now: datetime | None = None) -> dict | None:
    if t.latitude is None or t.longitude is None:
        return None
    return {"code": t.code, "lat": t.latitude, "lon": t.longitude, "state": marker_state(t, now),
            "status": labels.status_vi(t.status.value), "category": labels.category_vi(t.category),
            "unit": labels.unit_vi(t.unit_id, names), "text": t.description[:140]}


def open_points(session: Session, user: DashboardUser, params: QueueParams, *, dialect: str, now: datetime,
                names: dict[str, str]) -> list[dict]:
    """Open tickets with coordinates that the user may see, matching the queue's filters."""
    if not params.status:
        params.status = "open"
    stmt = filtered(user, params, dialect=dialect, now=now).where(Ticket.latitude.is_not(None),
                                                                   Ticket.longitude.is_not(None))
    rows = session.scalars(stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(MAP_LIMIT))
    return [f for f in (feature(t, names, now) for t in rows) if f is not None]


def nearby(session: Session, ticket: Ticket, user: DashboardUser, radius_m: float = NEARBY_M) -> list[dict]:
    """Open tickets within ``radius_m`` of ``ticket`` (bounding box in SQL, exact distance here)."""
    if ticket.latitude is None or ticket.longitude is None:
        return []
    dlat = radius_m / 111_320.0
    dlon = radius_m / (111_320.0 * max(math.cos(math.radians(ticket.latitude)), 0.01))
    stmt = scope(select(Ticket), user).where(
        Ticket.id != ticket.id, Ticket.status.in_(lifecycle.OPEN),
        Ticket.latitude.between(ticket.latitude - dlat, ticket.latitude + dlat),
        Ticket.longitude.between(ticket.longitude - dlon, ticket.longitude + dlon)).limit(200)
    out = []
    for t in session.scalars(stmt):
        d = distance_m(ticket.latitude, ticket.longitude, t.latitude, t.longitude)  # type: ignore[arg-type]
        if d <= radius_m:
            f = feature(t)
            if f is not None:
                out.append({**f, "distance_m": round(d)})
    return sorted(out, key=lambda f: f["distance_m"])[:NEARBY_LIMIT]

