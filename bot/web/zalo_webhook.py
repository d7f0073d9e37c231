"""`POST /zalo/webhook`: Zalo OA events, verified by X-ZEvent-Signature, stored in the inbound
queue under their msg_id before the 200 (bot.channels.inbound), answered through the OA
message API (bot/channels/zalo.py) now or, when Rasa is down, later by the delivery worker."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from bot.channels import inbound
from feedback_router.messaging import dedupe
from bot.channels.zalo import CHANNEL, SignatureError, ZaloClient, ZaloError, event_key, to_message, verify_event
from bot.gateway import Gateway
from bot.message import Reply

zalo_bp = Blueprint("zalo", __name__, url_prefix="/zalo")


def _client() -> ZaloClient:
    client = current_app.extensions.get("zalo_client")
    if client is None:
        client = current_app.extensions["zalo_client"] = ZaloClient()
    return client


@zalo_bp.post("/webhook")
def zalo_webhook():  # type: ignore[no-untyped-def]
    raw = request.get_data(cache=True)
    client = _client()
    try:
        event = verify_event(raw, request.headers.get("X-ZEvent-Signature", ""), client.settings)
    except SignatureError as exc:
        return jsonify(error=str(exc)), 401
    name = event.get("event_name", "")
    key = event_key(event)
    if dedupe.seen(CHANNEL, key):
        return jsonify(ok=True, duplicate=True)  # Zalo re-sends until it sees 200
    try:
        message = to_message(event)
    except ValueError as exc:  # text validation: tell the user, do not retry
        user = str((event.get("sender") or {}).get("id", ""))
        if user and dedupe.remember(CHANNEL, key):
            _send(client, user, [Reply(text=str(exc))])
        return jsonify(ok=True)
    if message is None:
        current_app.logger.info("zalo event %s acknowledged", name)
        return jsonify(ok=True)
    user_id = message.sender_id.split(":", 1)[1]
    if message.metadata.get("untranscribed_audio") and not message.text:
        if dedupe.remember(CHANNEL, key):
            _send(client, user_id, [Reply(text="Tôi đã nhận tin nhắn thoại nhưng chưa nghe được nội dung. "
                                              "Bạn vui lòng nhắn bằng chữ (voice note kept; please type).")])
        return jsonify(ok=True)
    try:
        turn = inbound.accept(message, key)  # a database failure here is a 500: Zalo re-sends
    except inbound.Duplicate:
        return jsonify(ok=True, duplicate=True)
    gateway: Gateway = current_app.extensions["gateway"]
    answer = inbound.answer_now(gateway, turn, push=True)
    if answer.queued:
        _send(client, user_id, answer.replies)  # a courtesy; the real answer comes later
        return jsonify(ok=True, queued=True)
    for i, (reply, outbox_id) in enumerate(zip(answer.replies, answer.outbox_ids)):
        try:
            client.send_reply(user_id, reply)
        except ZaloError as exc:
            current_app.logger.warning("zalo send failed: %s (left to the delivery worker)", exc)
            inbound.push_failed(answer.outbox_ids[i:], str(exc))
            break
        inbound.quietly(inbound.pushed, outbox_id)
    return jsonify(ok=True)


def _send(client: ZaloClient, user_id: str, replies: list[Reply]) -> None:
    for reply in replies:
        try:
            client.send_reply(user_id, reply)
        except ZaloError as exc:
            # Only courtesy sentences go this way; logged without the user's id.
            current_app.logger.warning("zalo send failed: %s", exc)
            break
