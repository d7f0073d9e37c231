"""Department dashboard (``/dashboard``); the public status page lives in feedback_router.public.

Operators see and change only their unit's tickets (others' give 404); supervisors and
admins see all. Jinja2 autoescaping is on for every template; every POST checks CSRF.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from flask import Blueprint, Response, abort, flash, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.tickets import lifecycle
from feedback_router.messaging import outbox
from feedback_router.tickets import split
from feedback_router.dashboard import labels, maps, search, stats_data
from feedback_router.dashboard import reply_templates as rt
from feedback_router.staff.auth import (
    authenticate,
    can_see,
    check_csrf,
    csrf_token,
    end_session,
    engine,
    login_required,
    role_required,
    start_session,
)
from feedback_router.core.catalog import catalog
from feedback_router.core.codes import normalize_code
from feedback_router.core.models import DashboardUser, Ticket, TicketStatus, Unit
from feedback_router.tickets.sla import TZ, as_utc
from nlu.text import clean_text
from nlu import clock
from feedback_router.dashboard.callbacks import record_callback

T = TypeVar("T")  # the item a staff action works on (ticket, suggestion, denunciation)

dashboard_bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates",
                         static_folder="static", static_url_path="/static")



def local_time(dt: datetime | None) -> str:
    return "" if dt is None else as_utc(dt).astimezone(TZ).strftime("%d/%m/%Y %H:%M")


@dashboard_bp.app_template_global()
def dashboard_csrf() -> str:
    return csrf_token()


@dashboard_bp.app_template_global("options_html")
def _options_html(pairs: tuple[tuple[str, str], ...], selected: str = "") -> str:
    return labels.options_html(pairs, selected)


@dashboard_bp.app_template_filter("vn_time")
def _vn_time(dt: datetime | None) -> str:
    return local_time(dt)


def _ticket_or_404(s: Session, code: str, user: DashboardUser) -> Ticket:
    ticket = s.scalar(select(Ticket).where(Ticket.code == normalize_code(code)))
    if ticket is None or not can_see(user, ticket):
        abort(404)  # another unit's ticket: do not even confirm it exists
    return ticket


def _now() -> datetime:
    return clock.now()


def _dialect() -> str:
    return engine().dialect.name


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
    user, now = g.user, _now()
    params = search.parse(request.args)
    with Session(engine()) as s:
        rows = list(s.scalars(search.page_query(user, params, dialect=_dialect(), now=now)))
        cursor = search.next_cursor(params, rows)
        rows = rows[:search.PAGE_SIZE]
        units = unit_names(s)
        failed = len(outbox.failed_items(s)) if user.role != "operator" else 0
        reply_templates = rt.for_category(s, None)
    return render_template("dashboard/queue.html", user=user, tickets=rows, cursor=cursor, p=params,
                           args=params.args, units=units, categories=catalog().categories,
                           wards=labels.ward_options(), unit_options=labels.unit_options(),
                           ticket_url=url_for("dashboard.ticket_page", code=""),
                           statuses=list(TicketStatus.__members__), status_vi=lifecycle.STATUS_VI,
                           failed_outbox=failed, now=now, deadline_class=search.deadline_class,
                           open_statuses=lifecycle.OPEN, reply_templates=reply_templates,
                           category_vi=labels.category_vi, urgency_vi=labels.urgency_vi)


def unit_names(s: Session) -> dict[str, str]:
    return {u.id: u.name for u in s.scalars(select(Unit))}


@dashboard_bp.route("/t/<code>")
@login_required
def ticket_page(code: str):  # type: ignore[no-untyped-def]
    with Session(engine()) as s:
        t = _ticket_or_404(s, code, g.user)
        events = list(t.events)
        allowed = sorted(x.value for x in lifecycle.TRANSITIONS[t.status] if x != TicketStatus.merged)
        names = unit_names(s)
        merged_into = s.get(Ticket, t.merged_into_id).code if t.merged_into_id else None
        channel = t.contact.channel if t.contact else t.channel
        nearby = maps.nearby(s, t, g.user)
        split_from = split.candidates(s, t) if t.status in lifecycle.OPEN else []
        return render_template("dashboard/ticket.html", user=g.user, t=t, events=events, allowed=allowed,
                               units=labels.unit_options(), names=names, unit_name=names.get(t.unit_id, t.unit_id),
                               merged_into=merged_into, channel=channel, category_name=labels.category_vi(t.category),
                               status_vi=lifecycle.STATUS_VI, labels=labels, urgency=labels.urgency_vi(t.urgency.value),
                               reply_templates=rt.for_category(s, t.category), nearby=nearby,
                               pin=maps.feature(t, names), map_config=maps.map_config(), split_from=split_from,
                               now=_now(), deadline_class=search.deadline_class, open_statuses=lifecycle.OPEN)


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
    """The reply may be a template's text: its {code}/{deadline}/{unit} are filled for this ticket."""
    def do(s: Session, t: Ticket) -> None:
        try:
            text = fill_placeholders(s, t, request.form.get("text", ""))
        except rt.TemplateError as exc:
            raise lifecycle.LifecycleError(str(exc)) from None
        lifecycle.reply(s, t, text, actor=staff_actor())

    return _act(code, do)


def fill_placeholders(s: Session, t: Ticket, text: str) -> str:
    if "{" not in (text or ""):
        return text
    unit = s.get(Unit, t.unit_id)
    return rt.render(text, t, unit_name=unit.name if unit else t.unit_id, category_name=labels.category_vi(t.category))


@dashboard_bp.route("/t/<code>/split", methods=["POST"])
@login_required
def ticket_split(code: str):  # type: ignore[no-untyped-def]
    """Tách: one follower's report becomes its own ticket, routed afresh."""
    contact_id = request.form.get("contact_id", type=int)
    if contact_id is None:
        abort(400)
    created: list[str] = []

    def do(s: Session, t: Ticket) -> None:
        new = split.split_report(s, t, contact_id, actor=staff_actor(),
                                 description=request.form.get("description"),
                                 location_text=request.form.get("location_text"))
        created.append(new.code)

    answer = _act(code, do)
    if created:
        flash(f"Đã tách thành phản ánh mới {created[0]}.", "ok")
    return answer


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


@dashboard_bp.route("/stats")
@login_required
def stats():  # type: ignore[no-untyped-def]
    period = stats_data.period_days(request.args.get("days"))
    with Session(engine()) as s:
        data = stats_data.compute(s, g.user, days=period, now=_now())
    return render_template("dashboard/stats.html", user=g.user, d=data, days=period,
                           periods=stats_data.PERIODS, tables=stats_data.TABLES)


@dashboard_bp.route("/stats.csv")
@login_required
def stats_csv():  # type: ignore[no-untyped-def]
    """The table behind one chart (``?table=trend|category|unit|ward|ontime_unit|ontime_ward|ratings``)."""
    name = request.args.get("table", "")
    if name not in stats_data.TABLES:
        abort(400, description="bảng không có / unknown table")
    period = stats_data.period_days(request.args.get("days"))
    with Session(engine()) as s:
        data = stats_data.compute(s, g.user, days=period, now=_now())
    header, rows = stats_data.table(data, name)
    return _csv_response([header, *rows], f"thong-ke-{name}-{period}-ngay.csv")


def _csv_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_response(rows: list[list[object]], filename: str) -> Response:
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow([_csv_safe(v) for v in row])
    return Response("\ufeff" + buf.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


EXPORT_LIMIT = 100_000
EXPORT_HEADER = ["code", "category", "category_vi", "unit_id", "unit", "ward_unit_id", "ward", "status", "status_vi",
                 "urgency", "created_at", "ack_due_at", "sla_due_at", "resolved_at", "overdue", "report_count",
                 "rating", "description", "location_text", "latitude", "longitude", "public_reply"]


def _iso(dt: datetime | None) -> str:
    return local_iso(dt) if dt else ""


def local_iso(dt: datetime) -> str:
    return as_utc(dt).astimezone(TZ).isoformat(timespec="seconds")


@dashboard_bp.route("/export.csv")
@login_required
def export_csv():  # type: ignore[no-untyped-def]
    """What an analyst needs, for the tickets the viewer may see (unit-scoped) and the queue's
    filters; never the citizen's identity or contact (those stay in the ticket page)."""
    params = search.parse(request.args)
    rows: list[list[object]] = [EXPORT_HEADER]
    with Session(engine()) as s:
        names = unit_names(s)
        stmt = search.filtered(g.user, params, dialect=_dialect(), now=_now())
        for t in s.scalars(stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(EXPORT_LIMIT)):
            rows.append([t.code, t.category, labels.category_vi(t.category), t.unit_id, names.get(t.unit_id, ""),
                         t.ward_unit_id or "", names.get(t.ward_unit_id or "", ""), t.status.value,
                         lifecycle.STATUS_VI[t.status.value], t.urgency.value, _iso(t.created_at),
                         _iso(t.ack_due_at), _iso(t.sla_due_at), _iso(t.resolved_at), int(bool(t.overdue)),
                         t.report_count, t.rating or "", t.description, t.location_text or "",
                         "" if t.latitude is None else t.latitude, "" if t.longitude is None else t.longitude,
                         t.public_reply or ""])
    return _csv_response(rows, "phan-anh.csv")


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
            outbox.mark_called(s, item_id, g.user, note=note, record=record_callback)
        except LookupError:
            abort(404)
        except PermissionError:
            abort(403)
        s.commit()
    flash("Đã ghi nhận cuộc gọi lại.", "ok")
    return redirect(url_for("dashboard.callbacks_page"))


