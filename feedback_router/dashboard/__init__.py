"""Department dashboard (``/dashboard``); the public status page lives in feedback_router.public.

Operators see and change only their unit's tickets (others' give 404); supervisors and
admins see all. Jinja2 autoescaping is on for every template; every POST checks CSRF.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TypeVar

from flask import Blueprint, Response, abort, flash, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from feedback_router import lifecycle, outbox
from feedback_router.auth import (authenticate, can_see, check_csrf, csrf_token, end_session, engine, login_required,
                                  role_required, start_session)
from feedback_router.catalog import catalog
from feedback_router.codes import normalize_code
from feedback_router.models import DashboardUser, Ticket, TicketStatus, Unit
from feedback_router.sla import TZ, as_utc
from nlu.text import clean_text

T = TypeVar("T")  # the item a staff action works on (ticket, suggestion, denunciation)

dashboard_bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates",
                         static_folder="static", static_url_path="/static")
PAGE_SIZE = 50


def local_time(dt: datetime | None) -> str:
    return "" if dt is None else as_utc(dt).astimezone(TZ).strftime("%d/%m/%Y %H:%M")


@dashboard_bp.app_template_global()
def dashboard_csrf() -> str:
    return csrf_token()


@dashboard_bp.app_template_filter("vn_time")
def _vn_time(dt: datetime | None) -> str:
    return local_time(dt)


def _ticket_or_404(s: Session, code: str, user: DashboardUser) -> Ticket:
    ticket = s.scalar(select(Ticket).where(Ticket.code == normalize_code(code)))
    if ticket is None or not can_see(user, ticket):
        abort(404)  # another unit's ticket: do not even confirm it exists
    return ticket


def _scope(stmt, user: DashboardUser):  # type: ignore[no-untyped-def]
    if user.role == "operator":
        return stmt.where(Ticket.unit_id == user.unit_id)
    return stmt


def _filters(stmt, args):  # type: ignore[no-untyped-def]
    if args.get("status") in TicketStatus.__members__:
        stmt = stmt.where(Ticket.status == TicketStatus(args["status"]))
    elif args.get("status") == "open":
        stmt = stmt.where(Ticket.status.in_(lifecycle.OPEN))
    if args.get("category"):
        stmt = stmt.where(Ticket.category == args["category"])
    if args.get("ward"):
        stmt = stmt.where(Ticket.ward_unit_id == args["ward"])
    if args.get("unit") and g.user.role != "operator":
        stmt = stmt.where(Ticket.unit_id == args["unit"])
    if args.get("overdue") in ("1", "true", "on"):
        stmt = stmt.where(Ticket.overdue.is_(True))
    return stmt


def queue_query(user: DashboardUser, args, page: int = 1):  # type: ignore[no-untyped-def]
    """The unit queue: newest first, filtered, one page (also used by the benchmark)."""
    stmt = _filters(_scope(select(Ticket), user), args)
    return stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(PAGE_SIZE + 1).offset(
        (page - 1) * PAGE_SIZE)


@dashboard_bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    error = None
    if request.method == "POST":
        check_csrf()
        with Session(engine()) as s:
            user = authenticate(s, request.form.get("username", ""), request.form.get("password", ""))
            if user is not None:
                start_session(s, user)
        if user is None:
            error = "Sai tên đăng nhập hoặc mật khẩu."
        else:
            nxt = request.args.get("next") or ""
            return redirect(nxt if nxt.startswith("/dashboard") and "//" not in nxt else url_for("dashboard.queue"))
    return render_template("dashboard/login.html", error=error), (401 if error else 200)


@dashboard_bp.route("/logout", methods=["POST"])
@login_required
def logout():  # type: ignore[no-untyped-def]
    end_session(g.user.id)
    return redirect(url_for("dashboard.login"))


@dashboard_bp.route("/")
@login_required
def queue():  # type: ignore[no-untyped-def]
    user = g.user
    page = max(1, request.args.get("page", 1, type=int) or 1)
    with Session(engine()) as s:
        rows = list(s.scalars(queue_query(user, request.args, page)))
        has_next = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        units = {u.id: u.name for u in s.scalars(select(Unit))}
        failed = len(outbox.failed_items(s)) if user.role != "operator" else 0
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("dashboard/queue.html", user=user, tickets=rows, page=page, has_next=has_next,
                           args=args, units=units, categories=catalog().categories,
                           statuses=list(TicketStatus.__members__), status_vi=lifecycle.STATUS_VI,
                           failed_outbox=failed, now=datetime.now(timezone.utc), as_utc=as_utc)


@dashboard_bp.route("/t/<code>")
@login_required
def ticket_page(code: str):  # type: ignore[no-untyped-def]
    with Session(engine()) as s:
        t = _ticket_or_404(s, code, g.user)
        events = list(t.events)
        allowed = sorted(x.value for x in lifecycle.TRANSITIONS[t.status] if x != TicketStatus.merged)
        units = sorted(((u.id, u.name) for u in s.scalars(select(Unit))), key=lambda x: x[1])
        unit_name = t.unit.name
        merged_into = s.get(Ticket, t.merged_into_id).code if t.merged_into_id else None
        channel = t.contact.channel if t.contact else t.channel
        cat = catalog().categories.get(t.category)
        return render_template("dashboard/ticket.html", user=g.user, t=t, events=events, allowed=allowed,
                               units=units, unit_name=unit_name, merged_into=merged_into, channel=channel,
                               category_name=cat.name_vi if cat else t.category, status_vi=lifecycle.STATUS_VI)


def act_and_redirect(load: Callable[[Session], T], action: Callable[[Session, T], object],
                     refused: type[Exception], endpoint: str):  # type: ignore[no-untyped-def]
    """Run one staff action on a ticket, suggestion or denunciation in one transaction
    (its event and outbox row commit together), then go back to the item's page; a
    refusal by the service (`refused`) is shown and answered 409, nothing half-written."""
    with Session(engine(), expire_on_commit=False) as s:
        item = load(s)
        try:
            action(s, item)
            s.commit()
            flash("Đã lưu.", "ok")
        except refused as exc:
            s.rollback()
            flash(f"Không thực hiện được: {exc}", "error")
            return redirect(url_for(endpoint, code=item.code)), 409  # type: ignore[attr-defined]
        return redirect(url_for(endpoint, code=item.code))  # type: ignore[attr-defined]


def _act(code: str, action: Callable[[Session, Ticket], object]):  # type: ignore[no-untyped-def]
    return act_and_redirect(lambda s: _ticket_or_404(s, code, g.user), action, lifecycle.LifecycleError,
                            "dashboard.ticket_page")


def staff_actor() -> str:
    """How events name the logged-in staff member."""
    return f"staff:{g.user.username}"


@dashboard_bp.route("/t/<code>/reply", methods=["POST"])
@login_required
def ticket_reply(code: str):  # type: ignore[no-untyped-def]
    return _act(code, lambda s, t: lifecycle.reply(s, t, request.form.get("text", ""), actor=staff_actor()))


@dashboard_bp.route("/t/<code>/status", methods=["POST"])
@login_required
def ticket_status(code: str):  # type: ignore[no-untyped-def]
    status = request.form.get("status", "")
    if status not in TicketStatus.__members__:
        abort(400)
    return _act(code, lambda s, t: lifecycle.change_status(s, t, status, actor=staff_actor(),
                                                           note=request.form.get("note") or None))


@dashboard_bp.route("/t/<code>/reassign", methods=["POST"])
@login_required
def ticket_reassign(code: str):  # type: ignore[no-untyped-def]
    return _act(code, lambda s, t: lifecycle.reassign(s, t, request.form.get("unit_id", ""), actor=staff_actor(),
                                                      reason=request.form.get("reason", "")))


@dashboard_bp.route("/t/<code>/note", methods=["POST"])
@login_required
def ticket_note(code: str):  # type: ignore[no-untyped-def]
    return _act(code, lambda s, t: lifecycle.add_note(s, t, request.form.get("text", ""), actor=staff_actor()))


@dashboard_bp.route("/t/<code>/merge", methods=["POST"])
@login_required
def ticket_merge(code: str):  # type: ignore[no-untyped-def]
    def do(s: Session, t: Ticket) -> None:
        into = _ticket_or_404(s, request.form.get("into", ""), g.user)
        lifecycle.merge(s, t, into, actor=staff_actor())

    return _act(code, do)


@dashboard_bp.route("/api/tickets/<code>")
@login_required
def api_ticket(code: str):  # type: ignore[no-untyped-def]
    with Session(engine()) as s:
        t = _ticket_or_404(s, code, g.user)
        return jsonify(code=t.code, category=t.category, status=t.status.value, unit_id=t.unit_id,
                       ward_unit_id=t.ward_unit_id, description=t.description, public_reply=t.public_reply,
                       report_count=t.report_count, overdue=t.overdue,
                       sla_due_at=as_utc(t.sla_due_at).isoformat() if t.sla_due_at else None,
                       events=[{"kind": e.kind, "status": e.status.value, "actor": e.actor, "note": e.note,
                                "public": e.public, "at": as_utc(e.created_at).isoformat()} for e in t.events])


@dashboard_bp.route("/api/tickets/<code>/status", methods=["POST"])
@login_required
def api_ticket_status(code: str):  # type: ignore[no-untyped-def]
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="Cần một đối tượng JSON hợp lệ (send a valid JSON object)."), 400
    status = str(body.get("status", ""))
    if status not in TicketStatus.__members__:
        abort(400)
    note = body.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > 2000):
        return jsonify(error="'note' phải là chuỗi tối đa 2000 ký tự ('note' must be a string of at most 2000 "
                             "characters)."), 422
    with Session(engine()) as s:
        t = _ticket_or_404(s, code, g.user)
        try:
            lifecycle.change_status(s, t, status, actor=staff_actor(), note=clean_text(note) if note else None)
        except lifecycle.LifecycleError as exc:
            return jsonify(error=str(exc)), 409
        s.commit()
        return jsonify(code=t.code, status=t.status.value)


def _stats(s: Session, user: DashboardUser) -> dict:
    base = _scope(select(Ticket), user).subquery()
    by = {}
    for name, col in (("category", base.c.category), ("unit", base.c.unit_id), ("ward", base.c.ward_unit_id)):
        by[name] = s.execute(select(col, func.count()).group_by(col).order_by(func.count().desc()).limit(25)).all()
    closed = (TicketStatus.resolved.value, TicketStatus.rejected.value)
    on_time = s.execute(select(
        func.count().filter(base.c.status.in_(closed)),
        func.sum(case((base.c.status.in_(closed) & (base.c.resolved_at <= base.c.sla_due_at), 1), else_=0)),
        func.count().filter(base.c.overdue.is_(True)),
        func.count(),
    )).one()
    since = datetime.now(timezone.utc) - timedelta(days=30)
    day = func.date(base.c.created_at)
    trend = s.execute(select(day, func.count()).where(base.c.created_at >= since).group_by(day).order_by(day)).all()
    return {"by": by, "closed": on_time[0] or 0, "on_time": int(on_time[1] or 0), "overdue": on_time[2] or 0,
            "total": on_time[3] or 0, "trend": [(str(d), n) for d, n in trend]}


@dashboard_bp.route("/stats")
@login_required
def stats():  # type: ignore[no-untyped-def]
    with Session(engine()) as s:
        data = _stats(s, g.user)
        units = {u.id: u.name for u in s.scalars(select(Unit))}
    cats = {c.id: c.name_vi for c in catalog().categories.values()}
    return render_template("dashboard/stats.html", user=g.user, d=data, units=units, cats=cats)


def _csv_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dashboard_bp.route("/export.csv")
@login_required
def export_csv():  # type: ignore[no-untyped-def]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["code", "category", "unit_id", "ward_unit_id", "status", "urgency", "created_at",
                     "sla_due_at", "resolved_at", "overdue", "report_count", "rating", "public_reply"])
    with Session(engine()) as s:
        stmt = _filters(_scope(select(Ticket), g.user), request.args).order_by(Ticket.created_at.desc()).limit(100_000)
        for t in s.scalars(stmt):
            writer.writerow([_csv_safe(v) for v in (
                t.code, t.category, t.unit_id, t.ward_unit_id, t.status.value, t.urgency.value,
                as_utc(t.created_at).isoformat(), as_utc(t.sla_due_at).isoformat() if t.sla_due_at else "",
                as_utc(t.resolved_at).isoformat() if t.resolved_at else "", int(bool(t.overdue)),
                t.report_count, t.rating or "", t.public_reply or "")])
    return Response("\ufeff" + buf.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=tickets.csv"})


@dashboard_bp.route("/outbox")
@role_required("supervisor", "admin")
def outbox_page():  # type: ignore[no-untyped-def]
    with Session(engine()) as s:
        items = outbox.failed_items(s)
        pending = outbox.pending_count(s)
    return render_template("dashboard/outbox.html", user=g.user, items=items, pending=pending)


@dashboard_bp.route("/callbacks")
@login_required
def callbacks_page():  # type: ignore[no-untyped-def]
    """Answers that could not be sent because the citizen called the hotline: the unit calls back."""
    with Session(engine()) as s:
        rows = [(item.id, item.text, item.created_at, unit, phone, may_call)
                for item, unit, phone, may_call in outbox.callbacks_for(s, g.user)]
        units = {u.id: u.name for u in s.scalars(select(Unit))}
    return render_template("dashboard/callbacks.html", user=g.user, rows=rows, units=units)


@dashboard_bp.route("/callbacks/<int:item_id>/called", methods=["POST"])
@login_required
def callback_done(item_id: int):  # type: ignore[no-untyped-def]
    check_csrf()
    note = (request.form.get("note") or "").strip()[:500] or None
    with Session(engine()) as s:
        try:
            outbox.mark_called(s, item_id, g.user, note=note)
        except LookupError:
            abort(404)
        except PermissionError:
            abort(403)
        s.commit()
    flash("Đã ghi nhận cuộc gọi lại.", "ok")
    return redirect(url_for("dashboard.callbacks_page"))


