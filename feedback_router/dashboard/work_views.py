"""Staff pages for work on many tickets at once: the map, bulk actions, reply templates.

Bulk actions are all-or-nothing: every ticket named must be one the user may change (an
operator: their unit's), else nothing happens and the answer is 403; every ticket gets its
own event (and outbox rows) exactly as when changed from its own page.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.tickets import lifecycle
from feedback_router.staff.auth import engine, login_required, role_required
from feedback_router.core.catalog import catalog
from feedback_router.core.codes import normalize_code
from feedback_router.dashboard import fill_placeholders, labels, maps, search, staff_actor, unit_names
from feedback_router.dashboard import reply_templates as rt
from feedback_router.dashboard.errors import html_error_page
from feedback_router.core.models import Ticket, TicketStatus
from nlu import clock

work_bp = Blueprint("dashboard_work", __name__, template_folder="templates")

MAX_BULK = 200
BULK_ACTIONS = ("assign", "status", "reply")


def _now() -> datetime:
    return clock.now()


@work_bp.route("/dashboard/map")
@login_required
def map_page():  # type: ignore[no-untyped-def]
    params = search.parse(request.args)
    with Session(engine()) as s:
        names = unit_names(s)
        points = maps.open_points(s, g.user, params, dialect=engine().dialect.name, now=_now(), names=names)
    return render_template("dashboard/map.html", user=g.user, points=points, p=params, args=params.args,
                           categories=catalog().categories, map_config=maps.map_config())


@work_bp.route("/dashboard/api/map")
@login_required
def map_points():  # type: ignore[no-untyped-def]
    params = search.parse(request.args)
    with Session(engine()) as s:
        points = maps.open_points(s, g.user, params, dialect=engine().dialect.name, now=_now(), names=unit_names(s))
    return jsonify(points=points)


def _refuse(code: int, message: str):  # type: ignore[no-untyped-def]
    page = html_error_page(code, message)
    return page if page is not None else (jsonify(error=message), code)


@work_bp.route("/dashboard/bulk", methods=["POST"])
@login_required
def bulk():  # type: ignore[no-untyped-def]
    action = request.form.get("action", "")
    codes = list(dict.fromkeys(normalize_code(c) for c in request.form.getlist("codes") if c.strip()))
    if action not in BULK_ACTIONS or not codes:
        return _refuse(400, "Chọn phản ánh và thao tác / choose tickets and an action")
    if len(codes) > MAX_BULK:
        return _refuse(400, f"Tối đa {MAX_BULK} phản ánh mỗi lần / at most {MAX_BULK} tickets at once")
    back = _back_url()
    actor = staff_actor()
    with Session(engine(), expire_on_commit=False) as s:
        tickets = list(s.scalars(search.scope(select(Ticket), g.user).where(Ticket.code.in_(codes))))
        if len(tickets) != len(codes):
            # another unit's (or a made-up) code: refuse the whole request, say nothing about which exist
            return _refuse(403, "Có phản ánh không thuộc đơn vị của bạn; không thay đổi gì. "
                                "/ Some tickets are not your unit's; nothing was changed.")
        try:
            for t in sorted(tickets, key=lambda x: codes.index(x.code)):
                _apply(s, t, action, actor)
            s.commit()
        except (lifecycle.LifecycleError, rt.TemplateError) as exc:
            s.rollback()
            flash(f"Không thực hiện được, không thay đổi phản ánh nào: {exc}", "error")
            return redirect(back), 409
    flash(f"Đã cập nhật {len(tickets)} phản ánh.", "ok")
    return redirect(back)


def _back_url() -> str:
    back = request.form.get("back") or ""
    return back if back.startswith("/dashboard") and "//" not in back else url_for("dashboard.queue")


def _apply(s: Session, t: Ticket, action: str, actor: str) -> None:
    form = request.form
    if action == "assign":
        lifecycle.reassign(s, t, form.get("unit_id", ""), actor=actor, reason=form.get("reason", ""))
    elif action == "status":
        status = form.get("status", "")
        if status not in TicketStatus.__members__:
            raise lifecycle.LifecycleError(f"trạng thái không hợp lệ / unknown status {status!r}")
        if TicketStatus(status) == t.status:
            return  # already there: nothing to record
        lifecycle.change_status(s, t, status, actor=actor, note=form.get("note") or None)
    else:
        try:
            text = fill_placeholders(s, t, form.get("text", ""))
        except rt.TemplateError as exc:
            raise lifecycle.LifecycleError(str(exc)) from None
        lifecycle.reply(s, t, text, actor=actor)


@work_bp.route("/dashboard/templates")
@role_required("supervisor", "admin")
def templates_page():  # type: ignore[no-untyped-def]
    with Session(engine()) as s:
        rows = list(s.scalars(select(rt.ReplyTemplate).order_by(rt.ReplyTemplate.active.desc(),
                                                                rt.ReplyTemplate.category, rt.ReplyTemplate.title)))
        edit = s.get(rt.ReplyTemplate, request.args.get("edit", type=int) or 0)
    return render_template("dashboard/reply_templates.html", user=g.user, rows=rows, edit=edit,
                           categories=catalog().categories, placeholders=rt.PLACEHOLDERS,
                           category_vi=labels.category_vi)


@work_bp.route("/dashboard/templates", methods=["POST"])
@role_required("supervisor", "admin")
def templates_save():  # type: ignore[no-untyped-def]
    category = request.form.get("category") or None
    if category and category not in catalog().categories:
        abort(400, description="lĩnh vực không có / unknown category")
    with Session(engine()) as s:
        try:
            rt.save(s, category=category, title=request.form.get("title", ""), body=request.form.get("body", ""),
                    actor=g.user.username, template_id=request.form.get("id", type=int))
            s.commit()
        except rt.TemplateError as exc:
            s.rollback()
            flash(f"Chưa lưu: {exc}", "error")
            return redirect(url_for("dashboard_work.templates_page")), 409
    flash("Đã lưu mẫu trả lời.", "ok")
    return redirect(url_for("dashboard_work.templates_page"))


@work_bp.route("/dashboard/templates/<int:template_id>/off", methods=["POST"])
@role_required("supervisor", "admin")
def templates_off(template_id: int):  # type: ignore[no-untyped-def]
    with Session(engine()) as s:
        row = s.get(rt.ReplyTemplate, template_id)
        if row is None:
            abort(404)
        row.active = False
        s.commit()
    flash("Đã ngừng dùng mẫu.", "ok")
    return redirect(url_for("dashboard_work.templates_page"))

