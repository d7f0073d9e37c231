"""`POST /api/v1/messages`: one chat turn over JSON, used by the web chat and clients."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, jsonify, request

from sqlalchemy.exc import SQLAlchemyError

from bot import degraded
from bot.channels import inbound
from bot.gateway import Gateway
from bot.message import Location, Message
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
        sender = str(body.get("sender_id") or body.get("sender") or uuid.uuid4().hex)
        if not sender.startswith(channel + ":"):
            sender = f"{channel}:{sender}"
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
        message = Message(channel=channel, sender_id=sender, text=body.get("text", ""),
                          location=location, message_id=body.get("message_id"))
    except (BadRequest, TextError, ValueError) as exc:
        return _error(str(exc))
    return chat_turn(message)


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
