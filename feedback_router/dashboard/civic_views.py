"""Dashboard pages for suggestions and denunciations, and the public suggestions page.

* ``/dashboard/suggestions`` — units answer their suggestions (operators see their own
  unit's, supervisors/admins all), change status with an answer, hide abusive ones.
* ``/dashboard/denunciations`` — ``inspector`` role only (everyone else gets 403); the
  denouncer's identity is decrypted only on an explicit POST, which is recorded.
* ``/suggestions`` and ``/suggestions/<code>`` — public: published suggestions only, never
  who wrote them; ``POST /suggestions/<code>/support`` records one support per channel
  identity (the web chat's sender id; JSON only, so a cross-site form cannot post it).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, jsonify, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.civic import denunciations as dn
from feedback_router.civic import suggestions as sg
from feedback_router.staff.auth import engine, login_required, role_required
from feedback_router.civic.models import Denunciation, DenunciationStatus, Suggestion, SuggestionStatus
from feedback_router.dashboard import act_and_redirect, staff_actor
from feedback_router.civic.identity_crypto import IdentityUnreadable
from feedback_router.core.models import DashboardUser, Unit
from feedback_router.public.data import mask_personal
from feedback_router.tickets.sla import as_utc
from feedback_router.messaging.web_identity import NEED_TOKEN, api_client, web_identity

civic_bp = Blueprint("civic", __name__, template_folder="templates")

PAGE_SIZE = 50
MAX_SENDER = 200


def _can_see_suggestion(user: DashboardUser, item: Suggestion) -> bool:
    return user.role in ("supervisor", "admin") or (user.unit_id is not None and item.unit_id == user.unit_id)


def _suggestion_or_404(s: Session, code: str) -> Suggestion:
    item = sg.get(s, code)
    if item is None or not _can_see_suggestion(g.user, item):
        abort(404)
    return item


def _suggestion_json(item: Suggestion) -> dict:
    return {"code": item.code, "topic": item.topic, "text": item.text, "unit_id": item.unit_id,
            "ward_unit_id": item.ward_unit_id, "status": item.status.value, "published": item.published,
            "publish_consent": item.publish_consent, "support_count": item.support_count, "answer": item.answer,
            "created_at": as_utc(item.created_at).isoformat(),
            "events": [{"kind": e.kind, "status": e.status.value, "actor": e.actor, "note": e.note,
                        "at": as_utc(e.created_at).isoformat()} for e in item.events]}


@civic_bp.route("/dashboard/suggestions")
@login_required
def suggestions_queue():  # type: ignore[no-untyped-def]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    with Session(engine()) as s:
        stmt = select(Suggestion)
        if g.user.role not in ("supervisor", "admin"):
            stmt = stmt.where(Suggestion.unit_id == (g.user.unit_id or ""))
        if request.args.get("status") in SuggestionStatus.__members__:
            stmt = stmt.where(Suggestion.status == SuggestionStatus(request.args["status"]))
        rows = list(s.scalars(stmt.order_by(Suggestion.created_at.desc(), Suggestion.id.desc())
                              .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)))
        units = {u.id: u.name for u in s.scalars(select(Unit))}
        return render_template("dashboard/suggestions.html", user=g.user, items=rows[:PAGE_SIZE], units=units,
                               has_next=len(rows) > PAGE_SIZE, page=page, status_vi=sg.STATUS_VI,
                               statuses=list(SuggestionStatus.__members__))


@civic_bp.route("/dashboard/suggestions/<code>")
@login_required
def suggestion_page(code: str):  # type: ignore[no-untyped-def]
    with Session(engine()) as s:
        item = _suggestion_or_404(s, code)
        allowed = sorted(x.value for x in sg.TRANSITIONS[item.status])
        units = sorted(((u.id, u.name) for u in s.scalars(select(Unit))), key=lambda x: x[1])
        return render_template("dashboard/suggestion.html", user=g.user, item=item, events=list(item.events),
                               allowed=allowed, unit_name=item.unit.name, status_vi=sg.STATUS_VI, units=units,
                               channel=item.contact.channel if item.contact else item.channel)


def _suggestion_act(code: str, action):  # type: ignore[no-untyped-def]
    return act_and_redirect(lambda s: _suggestion_or_404(s, code), action, sg.SuggestionError,
                            "civic.suggestion_page")


@civic_bp.route("/dashboard/suggestions/<code>/status", methods=["POST"])
@login_required
def suggestion_status(code: str):  # type: ignore[no-untyped-def]
    status = request.form.get("status", "")
    if status not in SuggestionStatus.__members__:
        abort(400)
    return _suggestion_act(code, lambda s, item: sg.change_status(s, item, status, actor=staff_actor(),
                                                                  answer=request.form.get("answer")))


@civic_bp.route("/dashboard/suggestions/<code>/answer", methods=["POST"])
@login_required
def suggestion_answer(code: str):  # type: ignore[no-untyped-def]
    return _suggestion_act(code, lambda s, item: sg.answer(s, item, request.form.get("text", ""), actor=staff_actor()))


@civic_bp.route("/dashboard/suggestions/<code>/publish", methods=["POST"])
@login_required
def suggestion_publish(code: str):  # type: ignore[no-untyped-def]
    published = request.form.get("published") in ("1", "true", "on")
    return _suggestion_act(code, lambda s, item: sg.set_published(s, item, published, actor=staff_actor(),
                                                                  reason=request.form.get("reason") or None))


@civic_bp.route("/dashboard/suggestions/<code>/reassign", methods=["POST"])
@login_required
def suggestion_reassign(code: str):  # type: ignore[no-untyped-def]
    return _suggestion_act(code, lambda s, item: sg.reassign(s, item, request.form.get("unit_id", ""),
                                                             actor=staff_actor(),
                                                             reason=request.form.get("reason", "")))


@civic_bp.route("/dashboard/api/suggestions/<code>")
@login_required
def api_suggestion(code: str):  # type: ignore[no-untyped-def]
    with Session(engine()) as s:
        return jsonify(_suggestion_json(_suggestion_or_404(s, code)))


@civic_bp.route("/dashboard/api/suggestions/<code>/status", methods=["POST"])
@login_required
def api_suggestion_status(code: str):  # type: ignore[no-untyped-def]
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or str(body.get("status", "")) not in SuggestionStatus.__members__:
        return jsonify(error="'status' phải là một trong " + ", ".join(SuggestionStatus.__members__)), 400
    with Session(engine()) as s:
        item = _suggestion_or_404(s, code)
        try:
            sg.change_status(s, item, str(body["status"]), actor=staff_actor(), answer=body.get("answer"))
        except sg.SuggestionError as exc:
            return jsonify(error=str(exc)), 409
        s.commit()
        return jsonify(code=item.code, status=item.status.value)


# --- denunciations: inspectors only -------------------------------------------------------

def _denunciation_or_404(s: Session, code: str) -> Denunciation:
    item = dn.get_for(s, code, g.user)
    if item is None:
        abort(404)
    return item


def _denunciation_json(item: Denunciation) -> dict:
    """Everything but the identity (that needs the explicit, recorded POST)."""
    return {"code": item.code, "anonymous": item.anonymous, "text": item.text, "status": item.status.value,
            "handler_unit_id": item.handler_unit_id, "subject_unit_id": item.subject_unit_id,
            "has_identity": item.identity_token is not None, "created_at": as_utc(item.created_at).isoformat(),
            "events": [{"kind": e.kind, "status": e.status.value, "actor": e.actor, "note": e.note,
                        "at": as_utc(e.created_at).isoformat()} for e in item.events]}


@civic_bp.route("/dashboard/denunciations")
@role_required(dn.INSPECTOR)
def denunciations_queue():  # type: ignore[no-untyped-def]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    with Session(engine()) as s:
        stmt = select(Denunciation).where(dn.visible_to(g.user))
        if request.args.get("status") in DenunciationStatus.__members__:
            stmt = stmt.where(Denunciation.status == DenunciationStatus(request.args["status"]))
        rows = list(s.scalars(stmt.order_by(Denunciation.created_at.desc(), Denunciation.id.desc())
                              .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)))
        units = {u.id: u.name for u in s.scalars(select(Unit))}
        return render_template("dashboard/denunciations.html", user=g.user, items=rows[:PAGE_SIZE], units=units,
                               has_next=len(rows) > PAGE_SIZE, page=page, status_vi=dn.STATUS_VI)


def _render_denunciation(s: Session, item: Denunciation, identity=None, status: int = 200):  # type: ignore[no-untyped-def]
    units = {u.id: u.name for u in s.scalars(select(Unit))}
    return render_template("dashboard/denunciation.html", user=g.user, item=item, events=list(item.events),
                           allowed=dn.allowed_next(item), units=units, status_vi=dn.STATUS_VI,
                           identity=identity), status


@civic_bp.route("/dashboard/denunciations/<code>")
@role_required(dn.INSPECTOR)
def denunciation_page(code: str):  # type: ignore[no-untyped-def]
    with Session(engine()) as s:
        return _render_denunciation(s, _denunciation_or_404(s, code))


@civic_bp.route("/dashboard/denunciations/<code>/identity", methods=["POST"])
@role_required(dn.INSPECTOR)
def denunciation_identity(code: str):  # type: ignore[no-untyped-def]
    with Session(engine(), expire_on_commit=False) as s:
        item = _denunciation_or_404(s, code)
        try:
            identity = dn.read_identity(s, item, g.user)
        except IdentityUnreadable:
            flash("Không giải mã được thông tin người tố cáo (sai DENOUNCE_KEY?).", "error")
            return _render_denunciation(s, item, status=500)
        s.commit()
        return _render_denunciation(s, item, identity=identity)


@civic_bp.route("/dashboard/denunciations/<code>/status", methods=["POST"])
@role_required(dn.INSPECTOR)
def denunciation_status(code: str):  # type: ignore[no-untyped-def]
    status = request.form.get("status", "")
    if status not in DenunciationStatus.__members__:
        abort(400)
    return act_and_redirect(
        lambda s: _denunciation_or_404(s, code),
        lambda s, item: dn.change_status(s, item, status, actor=staff_actor(), note=request.form.get("note")),
        dn.DenunciationError, "civic.denunciation_page")


@civic_bp.route("/dashboard/api/denunciations/<code>")
@role_required(dn.INSPECTOR)
def api_denunciation(code: str):  # type: ignore[no-untyped-def]
    with Session(engine()) as s:
        return jsonify(_denunciation_json(_denunciation_or_404(s, code)))


@civic_bp.route("/dashboard/api/denunciations/<code>/identity", methods=["POST"])
@role_required(dn.INSPECTOR)
def api_denunciation_identity(code: str):  # type: ignore[no-untyped-def]
    with Session(engine()) as s:
        item = _denunciation_or_404(s, code)
        identity = dn.read_identity(s, item, g.user)
        s.commit()
        if identity is None:
            return jsonify(code=item.code, anonymous=True, identity=None)
        return jsonify(code=item.code, anonymous=False,
                       identity={"name": identity.name, "phone": identity.phone, "address": identity.address,
                                 "sender_id": identity.sender_id})


# --- public suggestions page -----------------------------------------------------------------

def _public_json(item: sg.PublicSuggestion) -> dict:
    return {"code": item.code, "text": mask_personal(item.text), "topic": item.topic_name, "unit": item.unit_name,
            "status": item.status, "status_vi": item.status_vi, "supports": item.support_count,
            "answer": item.answer, "created_at": as_utc(item.created_at).isoformat()}


@civic_bp.route("/suggestions")
def public_suggestions():  # type: ignore[no-untyped-def]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    order = "top" if request.args.get("order") == "top" else "new"
    items, has_next = sg.public_list(engine(), page, order)
    return render_template("civic/suggestions.html", items=items, page=page, has_next=has_next, order=order,
                           mask_personal=mask_personal)


@civic_bp.route("/api/v1/suggestions")
def public_suggestions_json():  # type: ignore[no-untyped-def]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    items, has_next = sg.public_list(engine(), page, "top" if request.args.get("order") == "top" else "new")
    return jsonify(suggestions=[_public_json(i) for i in items], page=page, has_next=has_next)


@civic_bp.route("/suggestions/<code>")
def public_suggestion(code: str):  # type: ignore[no-untyped-def]
    item = sg.public_get(code, engine())
    if item is None:
        abort(404)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(_public_json(item))
    return render_template("civic/suggestion.html", item=item, masked_text=mask_personal(item.text))


def _supporter(named: object) -> str | None:
    """Who supports: the browser's cookie identity; a named sender only with an API token."""
    if named is None:
        return web_identity()
    if api_client() is None or not isinstance(named, str):
        return None
    sender = named.strip()
    return sender if sender.startswith("web:") else "web:" + sender


@civic_bp.route("/suggestions/<code>/support", methods=["POST"])
def public_support(code: str):  # type: ignore[no-untyped-def]
    if not request.is_json:
        return jsonify(error="Cần gửi JSON (send JSON with Content-Type application/json)."), 415
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="JSON phải là một đối tượng (JSON body must be an object)."), 400
    sender = _supporter(body.get("sender_id"))  # the web chat's server-issued identity
    if sender is None:
        return jsonify(error=NEED_TOKEN), 401
    if len(sender) < 8 or len(sender) > MAX_SENDER or any(ch.isspace() or ord(ch) < 32 for ch in sender):
        return jsonify(error="'sender_id' không hợp lệ (invalid 'sender_id')."), 400
    try:
        counted, total = sg.support(code, sender, engine())
    except sg.SuggestionNotFound:
        abort(404)
    except sg.SuggestionError as exc:
        return jsonify(error=str(exc)), 409
    return jsonify(code=code.strip().upper(), counted=counted, supports=total), (201 if counted else 200)
