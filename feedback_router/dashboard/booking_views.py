"""Desk staff pages (``/dashboard/desks``): the day's bookings of a desk and arrivals.

An operator sees the desks of their own unit only (another unit's desk gives 404, as tickets
do); supervisors and admins see every desk. Marking a no-show frees nothing: the slot has
started, and a started slot never gives capacity back (feedback_router.booking.service).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.booking import service as booking
from feedback_router.staff.auth import engine, login_required
from feedback_router.booking.service import BookingError, Desk, local
from feedback_router.core.codes import normalize_code
from feedback_router.booking.desks import desk_data
from feedback_router.core.models import DashboardUser
from nlu import clock

booking_bp = Blueprint("booking_desk", __name__, url_prefix="/dashboard/desks", template_folder="templates")

STATUS_VI = {"booked": "đã đặt", "arrived": "đã đến", "no_show": "vắng mặt", "cancelled": "đã huỷ"}
MAX_LISTED = 200


def _desk_or_404(s: Session, desk_id: str, user: DashboardUser) -> Desk:
    desk = s.get(Desk, desk_id)
    if desk is None or (user.role == "operator" and desk.unit_id != user.unit_id):
        abort(404)
    return desk


def _day() -> date:
    raw = request.args.get("day") or request.form.get("day") or ""
    try:
        return date.fromisoformat(raw) if raw else clock.hanoi_today()
    except ValueError:
        abort(400, description="Ngày không hợp lệ (dùng dạng YYYY-MM-DD).")


def masked(sender_id: str) -> str:
    """Channel and the last 3 characters: enough to tell two citizens apart at the desk, never
    a full phone number or chat id on a screen others can see."""
    channel, _, ident = sender_id.partition(":")
    return f"{channel}:…{ident[-3:]}" if ident else channel


@booking_bp.route("/")
@login_required
def desks():  # type: ignore[no-untyped-def]
    user = g.user
    q = (request.args.get("q") or "").strip()[:100]
    with Session(engine()) as s:
        stmt = select(Desk).order_by(Desk.name)
        if user.role == "operator":
            stmt = stmt.where(Desk.unit_id == user.unit_id)
        if q:
            stmt = stmt.where(Desk.name.ilike(f"%{q}%"))
        rows = list(s.scalars(stmt.limit(MAX_LISTED)))
    if user.role == "operator" and len(rows) == 1 and not q:
        return redirect(url_for("booking_desk.day_list", desk_id=rows[0].id))
    return render_template("dashboard/booking_desks.html", user=user, desks=rows, q=q)


@booking_bp.route("/<desk_id>")
@login_required
def day_list(desk_id: str):  # type: ignore[no-untyped-def]
    user = g.user
    day = _day()
    with Session(engine()) as s:
        desk = _desk_or_404(s, desk_id, user)
        rows = [{"code": b.code, "time": f"{local(b.slot.starts_at):%H:%M}", "procedure": b.procedure,
                 "status": b.status.value, "who": masked(b.contact.sender_id)}
                for b in booking.day_list(s, desk.id, day)]
        name = desk.name
    info = desk_data().desks.get(desk_id)
    return render_template("dashboard/booking_day.html", user=user, desk_id=desk_id, desk_name=name,
                           address=info.address if info else "", day=day, rows=rows, status_vi=STATUS_VI)


def _mark(desk_id: str, action: str):  # type: ignore[no-untyped-def]
    user = g.user
    day = _day()
    code = normalize_code(request.form.get("code") or "")[:20]
    with Session(engine()) as s:
        desk = _desk_or_404(s, desk_id, user)
        found = s.scalar(select(booking.Booking).where(booking.Booking.code == code))
        if found is None or found.slot.desk_id != desk.id:
            abort(404)
        try:
            if action == "arrived":
                booking.mark_arrived(s, code)
            else:
                booking.mark_no_show(s, code)
            s.commit()
            flash(f"{code}: {STATUS_VI[action]}.", "ok")
        except BookingError as exc:
            s.rollback()
            flash(f"{code}: {exc}", "error")
    return redirect(url_for("booking_desk.day_list", desk_id=desk_id, day=day.isoformat()))


@booking_bp.route("/<desk_id>/arrived", methods=["POST"])
@login_required
def arrived(desk_id: str):  # type: ignore[no-untyped-def]
    return _mark(desk_id, "arrived")


@booking_bp.route("/<desk_id>/no-show", methods=["POST"])
@login_required
def no_show(desk_id: str):  # type: ignore[no-untyped-def]
    return _mark(desk_id, "no_show")
