"""`/device/v1`: the household device API (see feedback_router/messaging/devices.py for the signature).

Admin (header `Authorization: Bearer $DEVICE_ADMIN_TOKEN`):
  POST /device/v1/devices        register {device_id, household_code, address, ward_unit_id?,
                                 latitude?, longitude?} → {device_id, secret}
  POST /device/v1/announcements  {ward_unit_id, text} → {id}
Device (HMAC headers):
  POST /device/v1/messages       {"text": …}                     → {replies: [...]}
  POST /device/v1/audio          raw audio (WAV/OGG/MP3/M4A/AMR)  → {transcript, replies}
  POST /device/v1/photo          raw JPEG/PNG/WebP (?caption=…)   → {replies}
  GET  /device/v1/announcements?since=<id>                        → {items, next}
Replies carry `speech_url` (WAV) when voice.tts is available.
"""

from __future__ import annotations

import hmac
import io
import re

from flask import Blueprint, current_app, jsonify, request, send_file
from werkzeug.exceptions import RequestEntityTooLarge

from bot.channels import attachments, inbound
from feedback_router.messaging import devices as device
from bot.message import Attachment, Location, Message
from bot.web.request_json import BadRequest, json_body
from feedback_router.core.settings import get_settings
from nlu.text import TextError

device_bp = Blueprint("device", __name__, url_prefix="/device/v1")

AUDIO_MIMES = {"wav": "audio/wav", "ogg-opus": "audio/ogg", "ogg-vorbis": "audio/ogg", "ogg": "audio/ogg",
               "mp4": "audio/mp4", "mp3": "audio/mpeg", "amr": "audio/amr", "webm": "audio/webm",
               "flac": "audio/flac", "aac": "audio/aac"}
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def _err(message: str, status: int):  # type: ignore[no-untyped-def]
    return jsonify(error=message), status


@device_bp.before_request
def _timestamp_shape():  # type: ignore[no-untyped-def]
    """Refuse a malformed X-Timestamp before authentication: 4,000 digits used to overflow to a 500."""
    raw = request.headers.get("X-Timestamp")
    if raw is not None and not (raw.isascii() and raw.isdigit() and len(raw) <= 12):
        return _err("X-Timestamp phải là số giây Unix, tối đa 12 chữ số (X-Timestamp must be unix seconds).", 400)
    return None


@device_bp.before_request
def _allow_uploads() -> None:
    # The app-wide 64 KB limit is for chat JSON; devices upload clips and photos.
    settings = get_settings()
    request.max_content_length = max(settings.device_max_audio_bytes, settings.device_max_photo_bytes) + 1


def _admin_ok() -> bool:
    token = get_settings().device_admin_token.get_secret_value()
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


def _auth(body: bytes) -> device.DeviceInfo:
    path = request.full_path.rstrip("?")
    return device.authenticate(device_id=request.headers.get("X-Device-Id", ""),
                               timestamp=request.headers.get("X-Timestamp", ""),
                               nonce=request.headers.get("X-Nonce", ""),
                               signature=request.headers.get("X-Signature", ""),
                               method=request.method, path=path, body=body)


def _body() -> bytes:
    return request.get_data(cache=True)


@device_bp.post("/devices")
def register_device():  # type: ignore[no-untyped-def]
    if not _admin_ok():
        return _err("Cần quyền quản trị (admin token required).", 401)
    try:
        body = json_body(request)
        device_id = str(body.get("device_id") or "")
        if not _ID.match(device_id):
            raise BadRequest("device_id: 1–64 ký tự chữ, số, . _ - (letters, digits, . _ -).")
        household, address = str(body.get("household_code") or "").strip(), str(body.get("address") or "").strip()
        if not household or not address:
            raise BadRequest("Cần household_code và address (household_code and address required).")
        lat, lon = body.get("latitude"), body.get("longitude")
        if (lat is None) != (lon is None):
            raise BadRequest("Cần cả latitude và longitude (both coordinates or none).")
        if lat is not None:
            Location(float(lat), float(lon))
        secret = device.register(device_id=device_id, household_code=household, address=address,
                                 ward_unit_id=body.get("ward_unit_id"),
                                 latitude=None if lat is None else float(lat),
                                 longitude=None if lon is None else float(lon))
    except (BadRequest, ValueError, TypeError) as exc:
        return _err(str(exc), 400)
    except device.Conflict:
        return _err("Thiết bị đã được đăng ký (device already registered).", 409)
    return jsonify(device_id=device_id, secret=secret), 201


@device_bp.post("/announcements")
def post_announcement():  # type: ignore[no-untyped-def]
    if not _admin_ok():
        return _err("Cần quyền quản trị (admin token required).", 401)
    try:
        body = json_body(request)
        text, ward = str(body.get("text") or "").strip(), str(body.get("ward_unit_id") or "").strip()
        if not text or not ward:
            raise BadRequest("Cần ward_unit_id và text (ward_unit_id and text required).")
    except BadRequest as exc:
        return _err(str(exc), 400)
    ann_id = device.announce(text=text[:4000], ward_unit_id=ward, created_by="admin")
    return jsonify(id=ann_id), 201


@device_bp.get("/announcements")
def get_announcements():  # type: ignore[no-untyped-def]
    try:
        info = _auth(_body())
    except device.AuthError as exc:
        return _err(str(exc), 401)
    try:
        since = int(request.args.get("since", "0"))
    except ValueError:
        return _err("since phải là số (since must be an integer cursor).", 400)
    items = device.poll(info, since)
    return jsonify(items=items, next=items[-1]["id"] if items else since)


def _message(info: device.DeviceInfo, text: str, atts: tuple[Attachment, ...] = ()) -> Message:
    loc = None if info.latitude is None or info.longitude is None else Location(info.latitude, info.longitude)
    return Message(channel="device", sender_id=f"device:{info.device_id}", text=text, attachments=atts,
                   location=loc,
                   message_id=request.headers.get("X-Message-Id") or request.headers.get("X-Nonce"),
                   metadata={"device": {"household_code": info.household_code, "address": info.address,
                                        "ward_unit_id": info.ward_unit_id,
                                        "location": None if loc is None else
                                        {"latitude": loc.latitude, "longitude": loc.longitude}}})


def _answer(info: device.DeviceInfo, message: Message, **extra: object):  # type: ignore[no-untyped-def]
    """Stored in the inbound queue first; Rasa down → 202 with a holding sentence, and the
    answer comes later as an announcement for this device (the outbox's device channel)."""
    key = request.headers.get("X-Message-Id")
    try:
        turn = inbound.accept(message, f"{info.device_id}:{key}" if key else None)
    except inbound.Duplicate as dup:
        return jsonify(replies=[r.as_dict() for r in dup.replies or []], duplicate=True, **extra)
    answer = inbound.answer_now(current_app.extensions["gateway"], turn)
    out = []
    for reply in answer.replies:
        item = reply.as_dict()
        wav = attachments.synthesize_to_upload(reply.text)
        if wav is not None:  # in the shared file store: whichever replica the device asks serves it
            item["speech_url"] = f"/device/v1/speech/{wav}"
        out.append(item)
    if answer.queued:
        return jsonify(replies=out, queued=True, **extra), 202
    return jsonify(replies=out, **extra)


@device_bp.post("/messages")
def post_message():  # type: ignore[no-untyped-def]
    try:
        raw = _body()
    except RequestEntityTooLarge:
        return _err("Yêu cầu quá lớn (request too large).", 413)
    try:
        info = _auth(raw)
    except device.AuthError as exc:
        return _err(str(exc), 401)
    try:
        body = json_body(request)
        message = _message(info, str(body.get("text") or ""))
    except (BadRequest, TextError, ValueError) as exc:
        return _err(str(exc), 400)
    return _answer(info, message)


@device_bp.post("/audio")
def post_audio():  # type: ignore[no-untyped-def]
    limit = get_settings().device_max_audio_bytes
    if (request.content_length or 0) > limit:
        return _err(f"Đoạn ghi âm quá lớn, tối đa {limit // 1024} KB (audio too large, max {limit} bytes).", 413)
    try:
        raw = _body()
    except RequestEntityTooLarge:
        return _err(f"Đoạn ghi âm quá lớn (audio too large, max {limit} bytes).", 413)
    try:
        info = _auth(raw)
    except device.AuthError as exc:
        return _err(str(exc), 401)
    if len(raw) > limit:
        return _err(f"Đoạn ghi âm quá lớn (audio too large, max {limit} bytes).", 413)
    if not raw:
        return _err("Không có dữ liệu âm thanh (empty audio body).", 400)
    kind = attachments.sniff_audio(raw)
    if kind is None:
        return _err("Định dạng âm thanh không được hỗ trợ; hãy gửi WAV, OGG/Opus, MP3, M4A hoặc AMR "
                    "(unsupported audio format: send WAV, OGG/Opus, MP3, M4A or AMR).", 415)
    att = attachments.store_bytes("device", raw, kind="audio", suffix=f".{kind.split('-')[0]}",
                                  mime=AUDIO_MIMES.get(kind))
    text = attachments.transcribe(att.path)
    if not text:
        return jsonify(transcript=None, replies=[{"text": "Tôi chưa nghe rõ, bạn vui lòng nói lại chậm hơn "
                                                          "(could not understand the recording)."}])
    return _answer(info, _message(info, text, (att,)), transcript=text)


@device_bp.post("/photo")
def post_photo():  # type: ignore[no-untyped-def]
    limit = get_settings().device_max_photo_bytes
    if (request.content_length or 0) > limit:
        return _err(f"Ảnh quá lớn, tối đa {limit // 1024} KB (photo too large, max {limit} bytes).", 413)
    try:
        raw = _body()
    except RequestEntityTooLarge:
        return _err(f"Ảnh quá lớn (photo too large, max {limit} bytes).", 413)
    try:
        info = _auth(raw)
    except device.AuthError as exc:
        return _err(str(exc), 401)
    kind = attachments.sniff_image(raw)
    if kind is None:
        return _err("Chỉ nhận ảnh JPEG, PNG hoặc WebP (unsupported image format).", 415)
    att = attachments.store_bytes("device", raw, kind="image", suffix="." + ("jpg" if kind == "jpeg" else kind),
                                  mime=attachments.IMAGE_MIMES.get(kind))
    try:
        message = _message(info, request.args.get("caption", ""), (att,))
    except (TextError, ValueError) as exc:
        return _err(str(exc), 400)
    return _answer(info, message)


@device_bp.get("/speech/<name>")
def speech(name: str):  # type: ignore[no-untyped-def]
    if not re.fullmatch(r"[0-9a-f]{32}\.wav", name):
        return _err("Không tìm thấy (not found).", 404)
    data = attachments.speech_wav(name)
    if data is None:
        return _err("Không tìm thấy (not found).", 404)
    return send_file(io.BytesIO(data), mimetype="audio/wav", download_name=name)
