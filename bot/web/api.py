"""`POST /api/v1/messages`: one chat turn over JSON, used by the web chat and clients.

The browser's identity is the server-issued cookie (feedback_router.messaging.web_identity); a ``sender_id`` in the
body is accepted only from a client holding an API token.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from sqlalchemy.exc import SQLAlchemyError

from bot import degraded
from bot.channels import inbound
from bot.gateway import Gateway
from bot.message import Location, Message
from feedback_router.messaging.web_identity import NEED_TOKEN, api_client, web_identity
from bot.web.request_json import BadRequest, json_body
from nlu.text import TextError

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _error(message: str, status: int = 400):  # type: ignore[no-untyped-def]
    return jsonify(error=message), status


@api_bp.post("/messages")
def post_message():  # type: ignore[no-untyped-def]
    try:
        body = json_body(request)
        channel = str(body.get("channel") or "web")
        if channel not in ("web", "api"):
            raise BadRequest("Kênh chỉ được là 'web' hoặc 'api' (channel must be 'web' or 'api').")
        sender = sender_for(channel, body.get("sender_id") or body.get("sender"))
        if sender is None:
            return _error(NEED_TOKEN, 401)
        loc = body.get("location")
        location = None
        if loc is not None:
            if not isinstance(loc, dict):
                raise BadRequest("'location' phải có latitude và longitude (location needs latitude, longitude).")
            try:
                lat, lon = float(loc["latitude"]), float(loc["longitude"])
            except (KeyError, TypeError, ValueError) as exc:
                raise BadRequest("'location' phải có latitude và longitude hợp lệ (invalid location).") from exc
            location = Location(lat, lon)
        lang = body.get("lang")
        if lang is not None and lang not in ("vi", "en"):
            raise BadRequest("'lang' chỉ được là 'vi' hoặc 'en' ('lang' must be 'vi' or 'en').")
        message = Message(channel=channel, sender_id=sender, text=body.get("text", ""),
                          location=location, message_id=body.get("message_id"),
                          metadata={"lang": lang} if lang else {})
    except (BadRequest, TextError, ValueError) as exc:
        return _error(str(exc))
    return chat_turn(message)


def sender_for(channel: str, named: object) -> str | None:
    """Whose conversation this is: the caller's own ``sender_id`` only with an API token,
    otherwise the browser's cookie identity (None: a browser tried to name someone)."""
    client = api_client()
    if client is not None and named is not None:
        if not isinstance(named, (str, int)) or not str(named).strip() or len(str(named)) > 200:
            raise BadRequest("'sender_id' phải là chuỗi 1–200 ký tự ('sender_id' must be a 1–200 character string).")
        sender = str(named).strip()
        return sender if sender.startswith(channel + ":") else f"{channel}:{sender}"
    if named is not None or (channel == "api" and client is None):
        return None
    if client is not None:
        return f"api:{client}"  # an integrator that names nobody speaks as itself
    return web_identity()


def chat_turn(message: Message):  # type: ignore[no-untyped-def]
    """One turn as the JSON answer every web entry point gives.

    The message is stored first (bot.channels.inbound). Rasa answering: 200 with the replies.
    Rasa or the actions down: 202 with `queued: true` and a holding sentence; the real answer
    comes to the inbox. A retry with the same `message_id` is never answered twice: it gets
    the first answer again (200) or `queued` (202) when the answer went to the inbox.
    """
    gateway: Gateway = current_app.extensions["gateway"]
    key = f"{message.sender_id}:{message.message_id}" if message.message_id else None
    try:
        turn = inbound.accept(message, key)
    except inbound.Duplicate as dup:
        if dup.replies is not None:
            return jsonify(sender_id=message.sender_id, replies=[r.as_dict() for r in dup.replies], duplicate=True)
        return jsonify(sender_id=message.sender_id, replies=[], queued=True, duplicate=True), 202
    except SQLAlchemyError:
        current_app.logger.exception("inbound queue unavailable")
        return _error(degraded.gave_up_sentence(message.text), 503)
    answer = inbound.answer_now(gateway, turn)
    body = {"sender_id": message.sender_id, "message_id": turn.message.message_id,
            "replies": [r.as_dict() for r in answer.replies]}
    if answer.queued:
        return jsonify(queued=True, **body), 202
    return jsonify(body)
