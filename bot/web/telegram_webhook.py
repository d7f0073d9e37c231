"""`POST /telegram/webhook`: Telegram's webhook, checked by its secret-token header and fed
to the python-telegram-bot Application (see bot/channels/telegram.py)."""

from __future__ import annotations

import hmac

from flask import Blueprint, current_app, jsonify, request

from bot.web.request_json import BadRequest, json_body
from feedback_router.core.settings import get_settings

telegram_bp = Blueprint("telegram", __name__, url_prefix="/telegram")


@telegram_bp.post("/webhook")
def telegram_webhook():  # type: ignore[no-untyped-def]
    settings = get_settings()
    secret = settings.telegram_webhook_secret.get_secret_value()
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return jsonify(error="Sai mã bí mật webhook (bad webhook secret token)."), 401
    if not settings.telegram_bot_token.get_secret_value():
        return jsonify(error="Kênh Telegram chưa được cấu hình (TELEGRAM_BOT_TOKEN not set)."), 503
    try:
        body = json_body(request)
    except BadRequest as exc:
        return jsonify(error=str(exc)), 400
    if not isinstance(body.get("update_id"), int):
        return jsonify(error="Thiếu update_id (update_id missing)."), 400
    from bot.channels.telegram import UpdateFailed, bridge

    try:
        bridge(current_app.extensions.get("gateway")).feed(body)
    except UpdateFailed:  # not stored (or not answered): Telegram re-delivers on a non-2xx
        return jsonify(error="Chưa xử lý được, Telegram sẽ gửi lại (not processed, will be re-delivered)."), 503
    return jsonify(ok=True)  # repeats too: Telegram must stop re-sending
