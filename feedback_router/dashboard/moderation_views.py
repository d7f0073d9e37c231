"""Moderation of what the public sees of a ticket (FixMyStreet model, issue 14).

``/dashboard/t/<code>/public``: staff who may see the ticket read the citizen's text beside
the text published on Open311 and the public pages (masked automatically until someone
moderates it) and may replace it. The change is recorded as an internal ticket note.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.tickets import lifecycle
from feedback_router.staff.auth import can_see, engine, login_required
from feedback_router.core.codes import normalize_code
from feedback_router.core.models import Ticket
from feedback_router.public.data import mask_personal, public_description, set_public_description

moderation_bp = Blueprint("moderation", __name__, template_folder="templates")


def _ticket(s: Session, code: str) -> Ticket:
    ticket = s.scalar(select(Ticket).where(Ticket.code == normalize_code(code)))
    if ticket is None or not can_see(g.user, ticket):
        abort(404)
    return ticket


@moderation_bp.route("/dashboard/t/<code>/public", methods=["GET", "POST"])
@login_required
def public_text(code: str):  # type: ignore[no-untyped-def]
    with Session(engine()) as s:
        ticket = _ticket(s, code)
        if request.method == "POST":
            text = request.form.get("public_description", "")
            try:
                set_public_description(s, ticket, text, actor=f"staff:{g.user.username}")
                lifecycle.add_note(s, ticket, "Đã sửa mô tả công khai (public description moderated).",
                                   actor=f"staff:{g.user.username}")
            except ValueError as exc:
                s.rollback()
                flash(str(exc), "error")
                return redirect(url_for("moderation.public_text", code=ticket.code)), 422
            s.commit()
            flash("Đã lưu mô tả công khai.", "ok")
            return redirect(url_for("moderation.public_text", code=ticket.code))
        return render_template("dashboard/public_text.html", user=g.user, t=ticket,
                               published=public_description(s, ticket), masked=mask_personal(ticket.description))
