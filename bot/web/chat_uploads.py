"""Web chat extras: `POST /api/v1/uploads` (a photo, optionally captioned) and
`GET /api/v1/messages/inbox` (answers from units waiting in the outbox for a web user)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from bot.channels import attachments
from bot.message import Attachment, Message
from bot.web.api import chat_turn, sender_for
from bot.web.request_json import BadRequest, json_body
from feedback_router.messaging.web_identity import NEED_TOKEN, api_client, web_identity
from feedback_router.messaging import outbox
from feedback_router.core.settings import get_settings
from nlu.text import TextError

uploads_bp = Blueprint("chat_uploads", __name__, url_prefix="/api/v1")

FORM_OVERHEAD_BYTES = 64 * 1024  # multipart boundaries, sender id, caption
ALLOWED = {"jpeg": ".jpg", "png": ".png", "webp": ".webp"}
INBOX_LIMIT = 50


def _max_photo_bytes() -> int:
    return get_settings().web_max_photo_bytes


def _error(message: str, status: int):  # type: ignore[no-untyped-def]
    return jsonify(error=message), status


def _sender(raw: str | None) -> str | None:
    """The server-issued web identity; a named ``sender_id`` only with an API token
    (feedback_router.messaging.web_identity)."""
    raw = (raw or "").strip()
    if not raw:
        return web_identity()
    if api_client() is None:
        return None
    return raw if raw.startswith("web:") else f"web:{raw}"


@uploads_bp.before_request
def _allow_photo_size() -> None:
    # The app-wide 64 KB limit is for chat JSON; a photo may be up to 5 MB.
    if request.endpoint == "chat_uploads.upload_photo":
        request.max_content_length = _max_photo_bytes() + FORM_OVERHEAD_BYTES


@uploads_bp.post("/uploads")
def upload_photo():  # type: ignore[no-untyped-def]
    photo = request.files.get("photo")
    if photo is None:
        return _error("Thiếu ảnh: trường 'photo' là bắt buộc (missing 'photo' file field).", 400)
    sender = _sender(request.form.get("sender_id"))
    if sender is None:
        return _error(NEED_TOKEN, 401)
    limit = _max_photo_bytes()
    data = photo.stream.read(limit + 1)
    if not data:
        return _error("Ảnh rỗng (empty 'photo' file).", 400)
    if len(data) > limit:
        return _error(f"Ảnh quá lớn, tối đa {limit // (1024 * 1024)} MB "
                      f"(photo too large, max {limit // (1024 * 1024)} MB).", 413)
    kind = attachments.sniff_image(data)
    if kind not in ALLOWED:
        return _error("Chỉ nhận ảnh JPEG, PNG hoặc WebP "
                      "(unsupported file type: only JPEG, PNG or WebP images are accepted).", 415)
    mime = attachments.IMAGE_MIMES[kind]
    caption = request.form.get("text") or request.form.get("caption") or ""
    try:
        # Validate before storing anything: a bad caption or sender leaves no file behind.
        Message(channel="web", sender_id=sender, text=caption,
                attachments=(Attachment(kind="image", path="-", mime=mime, size=len(data)),))
        att = attachments.store_bytes("web", data, kind="image", suffix=ALLOWED[kind], mime=mime)
        message = Message(channel="web", sender_id=sender, text=caption, attachments=(att,),
                          message_id=request.form.get("message_id") or None)
    except (TextError, ValueError) as exc:
        return _error(str(exc), 400)
    return chat_turn(message)


@uploads_bp.get("/messages/inbox")
def inbox():  # type: ignore[no-untyped-def]
    """Answers waiting for this identity (units' answers, late answers of queued messages).
    Reading marks nothing: a row stays until `POST /messages/inbox/ack` names it, so a
    response lost on the way does not lose the answer (the next poll returns it again)."""
    try:
        sender = _inbox_sender(request.args.get("channel"), request.args.get("sender_id"))
    except BadRequest as exc:
        return _error(str(exc), 400)
    if sender is None:
        return _error(NEED_TOKEN, 401)
    out = [{"id": item.id, "text": item.text, **_reply_extras(item.payload),
            "created_at": item.created_at.isoformat() if item.created_at else None}
           for item in outbox.inbox(sender, INBOX_LIMIT, engine=_engine())]
    return jsonify(sender_id=sender, messages=out)


@uploads_bp.post("/messages/inbox/ack")
def inbox_ack():  # type: ignore[no-untyped-def]
    """`{"ids": [...]}`: the client shows these answers; they are not returned again."""
    try:
        body = json_body(request)
        sender = _inbox_sender(body.get("channel"), body.get("sender_id"))
        ids = body.get("ids")
        if not isinstance(ids, list) or not ids or len(ids) > INBOX_LIMIT or \
                not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**62 for i in ids):
            raise BadRequest(f"'ids' phải là danh sách 1–{INBOX_LIMIT} số nguyên dương "
                             f"('ids' must be a list of 1–{INBOX_LIMIT} positive integers).")
    except BadRequest as exc:
        return _error(str(exc), 400)
    if sender is None:
        return _error(NEED_TOKEN, 401)
    count = outbox.acknowledge_read(sender, ids, engine=_engine())
    return jsonify(sender_id=sender, acknowledged=count)


def _engine():  # type: ignore[no-untyped-def]
    """The app's own engine when it was given one (tests); the outbox's default otherwise."""
    return current_app.config.get("DATABASE_ENGINE")


def _inbox_sender(channel: object, named: object) -> str | None:
    channel = str(channel or "web")
    if channel not in ("web", "api"):
        raise BadRequest("Kênh chỉ được là 'web' hoặc 'api' (channel must be 'web' or 'api').")
    return sender_for(channel, named or None)


def _reply_extras(payload: dict | None) -> dict:
    reply = (payload or {}).get("reply") or payload or {}
    extras = {k: reply[k] for k in ("buttons", "custom", "image") if reply.get(k)}
    if (payload or {}).get("in_reply_to"):
        extras["in_reply_to"] = payload["in_reply_to"]  # type: ignore[index]
    return extras
