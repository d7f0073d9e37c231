"""Photos and voice notes of a ticket for staff: ``/dashboard/t/<code>/files/<event_id>``.

Only staff who may see the ticket (its unit's operators, supervisors, admins: auth.can_see)
get the file; anyone else gets 404 as for the ticket itself. The file is looked up through
the ticket's own attachment event, never from a path in the URL, and is read from the shared
file store (ticket_files.content: a path must lie inside UPLOAD_DIR). The ticket page shows images as thumbnails through
the ``ticket_files`` template global.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, g, send_file
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.tickets import files as ticket_files
from feedback_router.staff.auth import can_see, engine, login_required
from feedback_router.core.codes import normalize_code
from feedback_router.core.models import Ticket
from feedback_router.messaging import blobs

files_bp = Blueprint("ticket_files", __name__, url_prefix="/dashboard")


@files_bp.app_template_global("ticket_files")
def _ticket_files(ticket: Ticket) -> list[ticket_files.TicketFile]:
    return ticket_files.files_of(ticket)


@files_bp.route("/t/<code>/files/<int:event_id>")
@login_required
def ticket_file(code: str, event_id: int):  # type: ignore[no-untyped-def]
    with Session(engine()) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.code == normalize_code(code)))
        if ticket is None or not can_see(g.user, ticket):
            abort(404)
        item = next((f for f in ticket_files.files_of(ticket) if f.event_id == event_id), None)
    data = ticket_files.content(item) if item is not None else None
    if data is None:
        abort(404)
    response = send_file(io.BytesIO(data), mimetype=item.mime or "application/octet-stream",  # type: ignore[union-attr]
                         download_name=blobs.name_of(item.path), max_age=0)  # type: ignore[union-attr]
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
