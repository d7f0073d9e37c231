"""Telegram channel on python-telegram-bot 22: one `Application` for webhook and polling.

Webhook mode: Flask (`bot/web/telegram_webhook.py`) checks the secret token header and
feeds `Update.de_json` into the application running on its own event-loop thread
(`TelegramBridge`). Polling mode (local use): `python -m bot.channels.telegram`.
Every message is stored in the inbound queue (bot.channels.inbound) before the webhook
answers; a repeat is skipped before anything is downloaded.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import degraded
from bot.channels import attachments, inbound
from feedback_router.messaging import dedupe
from bot.gateway import Gateway
from bot.message import Attachment, Location, Message, Reply
from feedback_router.core.settings import get_settings

log = logging.getLogger(__name__)

CHANNEL = "telegram"
HELP_TEXT = ("Tôi là trợ lý phản ánh của Hà Nội. Hãy kể sự việc (rác, đèn đường, ngập…), gửi ảnh, "
             "vị trí hoặc tin nhắn thoại.\n/status <mã hồ sơ> — tra cứu hồ sơ (vd. /status HN-2026-AB12)\n"
             "/help — hướng dẫn")
VOICE_KEPT = ("Tôi đã nhận tin nhắn thoại nhưng chưa nghe được nội dung. Bạn vui lòng nhắn bằng chữ "
              "để tôi xử lý nhanh hơn (voice note kept; please type your message).")
UNSUPPORTED = "Tôi chỉ hiểu chữ, ảnh, vị trí và tin nhắn thoại (text, photo, location, voice only)."
LOCATION_BUTTON = "📍 Gửi vị trí của tôi"
FAILED_UPDATES = "failed_updates"  # bot_data key: update ids whose handler raised


class UpdateFailed(RuntimeError):
    """A handler raised while processing this update: Telegram should send it again."""


def api_root() -> str:
    return get_settings().telegram_api_base_url.rstrip("/")


def build_application(token: str | None = None, gateway: Gateway | None = None,
                      base_url: str | None = None) -> Application:
    token = token or get_settings().telegram_bot_token.get_secret_value()
    if not token:
        raise RuntimeError("TELEGRAM_BOT_TOKEN is not set")
    root = (base_url or api_root()).rstrip("/")
    app = Application.builder().token(token).base_url(f"{root}/bot").base_file_url(f"{root}/file/bot").build()
    app.bot_data["gateway"] = gateway or Gateway()
    app.add_handler(TypeHandler(Update, _dedupe_guard), group=-1)
    app.add_handler(CommandHandler("start", _cmd_start))
    app.add_handler(CommandHandler("help", _cmd_help))
    app.add_handler(CommandHandler("status", _cmd_status))
    app.add_handler(CallbackQueryHandler(_on_button))
    app.add_handler(MessageHandler(filters.LOCATION, _on_location))
    app.add_handler(MessageHandler(filters.PHOTO, _on_photo))
    app.add_handler(MessageHandler(filters.VOICE | filters.AUDIO, _on_voice))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _on_text))
    app.add_handler(MessageHandler(filters.ALL, _on_other))
    app.add_error_handler(_on_error)
    return app


# ---- handlers -----------------------------------------------------------------------------

async def _dedupe_guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await asyncio.to_thread(dedupe.seen, CHANNEL, update.update_id):
        log.info("telegram update %s repeated: ignored", update.update_id)
        raise ApplicationHandlerStop


def _sender(update: Update) -> str:
    chat = update.effective_chat
    assert chat is not None
    return f"{CHANNEL}:{chat.id}"


def _message_id(update: Update) -> str:
    msg = update.effective_message
    return f"{update.update_id}:{msg.message_id if msg else ''}"


async def _converse(update: Update, context: ContextTypes.DEFAULT_TYPE, *, text: str = "",
                    atts: tuple[Attachment, ...] = (), location: Location | None = None,
                    metadata: dict[str, Any] | None = None) -> None:
    gateway: Gateway = context.application.bot_data["gateway"]
    chat = update.effective_chat
    assert chat is not None
    try:
        message = Message(channel=CHANNEL, sender_id=_sender(update), text=text, attachments=atts,
                          location=location, message_id=_message_id(update), metadata=metadata or {})
    except ValueError as exc:  # text validation (too long, control characters…)
        if await asyncio.to_thread(dedupe.remember, CHANNEL, update.update_id):
            await context.bot.send_message(chat_id=chat.id, text=str(exc))
        return
    try:
        turn = await asyncio.to_thread(inbound.accept, message, update.update_id)
    except inbound.Duplicate:
        return  # stored before: it is (being) answered
    answer = await asyncio.to_thread(inbound.answer_now, gateway, turn, push=True)
    if answer.queued:
        try:  # a courtesy: the real answer comes through the outbox
            await send_reply(context.bot, chat.id, answer.replies[0])
        except Exception:
            log.info("could not send the holding sentence")
        return
    for i, (reply, outbox_id) in enumerate(zip(answer.replies, answer.outbox_ids)):
        try:
            await send_reply(context.bot, chat.id, reply)
        except Exception as exc:  # Telegram hiccup: the delivery worker sends the rest
            log.warning("telegram send failed (%s): left to the delivery worker", exc.__class__.__name__)
            await asyncio.to_thread(inbound.push_failed, answer.outbox_ids[i:], str(exc))
            return
        await asyncio.to_thread(inbound.quietly, inbound.pushed, outbox_id)


async def send_reply(bot: Any, chat_id: int | str, reply: Reply) -> None:
    markup: Any = None
    if (reply.custom or {}).get("ask") == "location":
        markup = ReplyKeyboardMarkup([[KeyboardButton(LOCATION_BUTTON, request_location=True)]],
                                     one_time_keyboard=True, resize_keyboard=True)
    elif reply.buttons:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(b["title"][:64] or b["payload"],
                                                             callback_data=b["payload"][:64])]
                                       for b in reply.buttons])
    text = reply.text or ("" if not reply.image else reply.image)
    if reply.image and reply.text:
        text = f"{reply.text}\n{reply.image}"
    if not text:
        return
    await bot.send_message(chat_id=chat_id, text=text[:4096], reply_markup=markup)


async def _cmd_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _converse(update, context, text="/greet")


async def _cmd_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    assert chat is not None
    if await asyncio.to_thread(dedupe.remember, CHANNEL, update.update_id):
        await context.bot.send_message(chat_id=chat.id, text=HELP_TEXT)


async def _cmd_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    code = (context.args or [""])[0].strip().upper()
    if not code:
        chat = update.effective_chat
        assert chat is not None
        if await asyncio.to_thread(dedupe.remember, CHANNEL, update.update_id):
            await context.bot.send_message(chat_id=chat.id,
                                           text="Cú pháp: /status <mã hồ sơ>, vd. /status HN-2026-AB12")
        return
    await _converse(update, context, text="/check_status" + json.dumps({"ticket_code": code}))


async def _on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.answer()
    except Exception:  # an expired callback must not stop the conversation
        log.info("callback answer failed")
    await _converse(update, context, text=query.data or "")


async def _on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    msg = update.effective_message
    assert msg is not None
    await _converse(update, context, text=msg.text or "")


async def _on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    msg = update.effective_message
    assert msg is not None and msg.location is not None
    await _converse(update, context, location=Location(msg.location.latitude, msg.location.longitude))


async def _download(context: ContextTypes.DEFAULT_TYPE, file_id: str) -> bytes:
    tg_file = await context.bot.get_file(file_id)
    return bytes(await tg_file.download_as_bytearray())


async def _on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    msg = update.effective_message
    assert msg is not None and msg.photo
    data = await _download(context, msg.photo[-1].file_id)  # largest size
    kind = attachments.sniff_image(data) or "jpeg"
    att = await asyncio.to_thread(attachments.store_bytes, CHANNEL, data, kind="image",
                                  suffix="." + ("jpg" if kind == "jpeg" else kind),
                                  mime=attachments.IMAGE_MIMES.get(kind))
    await _converse(update, context, text=msg.caption or "", atts=(att,))


async def _on_voice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    msg = update.effective_message
    assert msg is not None
    media = msg.voice or msg.audio
    assert media is not None
    data = await _download(context, media.file_id)
    mime = getattr(media, "mime_type", None) or "audio/ogg"
    att = await asyncio.to_thread(attachments.store_bytes, CHANNEL, data, kind="audio",
                                  suffix=".ogg" if "ogg" in mime else ".audio", mime=mime)
    text = await asyncio.to_thread(attachments.transcribe, att.path)
    if text:
        await _converse(update, context, text=text, atts=(att,), metadata={"transcribed": True})
        return
    chat = update.effective_chat
    assert chat is not None
    if await asyncio.to_thread(dedupe.remember, CHANNEL, update.update_id):
        await context.bot.send_message(chat_id=chat.id, text=VOICE_KEPT)


async def _on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is not None and await asyncio.to_thread(dedupe.remember, CHANNEL, update.update_id):
        await context.bot.send_message(chat_id=chat.id, text=UNSUPPORTED)


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A handler failed (the database was down, a file download failed): the webhook answers
    500 so Telegram re-delivers; what was already stored is not processed twice."""
    log.warning("telegram handler failed: %s", context.error.__class__.__name__)
    if not isinstance(update, Update):
        return
    context.application.bot_data.setdefault(FAILED_UPDATES, set()).add(update.update_id)
    chat = update.effective_chat
    if chat is not None:
        try:
            msg = update.effective_message
            text = degraded.queued_sentence((msg.text or msg.caption or "") if msg else "")
            await context.bot.send_message(chat_id=chat.id, text=text)
        except Exception:
            log.info("could not tell the user about the failure")


# ---- webhook bridge -----------------------------------------------------------------------

class TelegramBridge:
    """Runs an initialised Application on a private event loop so a sync WSGI app can feed it."""

    def __init__(self, application: Application) -> None:
        self.application = application
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="telegram-loop", daemon=True)
        self._thread.start()
        self._run(application.initialize())

    def _run(self, coro: Any, timeout: float = 120.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def feed(self, data: dict[str, Any]) -> None:
        """Process one update; raise `UpdateFailed` when a handler failed (the database was
        down, a download failed…) so the webhook answers 500 and Telegram delivers it again.
        A repeat is harmless: what was stored is recognised by the inbound queue."""
        update = Update.de_json(data, self.application.bot)
        self._run(self.application.process_update(update))
        failed = self.application.bot_data.setdefault(FAILED_UPDATES, set())
        if update.update_id in failed:
            failed.discard(update.update_id)
            raise UpdateFailed(update.update_id)

    def set_webhook(self, url: str, secret: str) -> bool:
        return bool(self._run(self.application.bot.set_webhook(url=url, secret_token=secret,
                                                               allowed_updates=Update.ALL_TYPES)))

    def close(self) -> None:
        try:
            self._run(self.application.shutdown(), timeout=30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=5)


_bridge: TelegramBridge | None = None
_bridge_lock = threading.Lock()


def bridge(gateway: Gateway | None = None) -> TelegramBridge:
    global _bridge
    with _bridge_lock:
        if _bridge is None:
            _bridge = TelegramBridge(build_application(gateway=gateway))
        return _bridge


def reset_bridge() -> None:
    """Tests: drop the process-wide bridge (new token/base URL/gateway)."""
    global _bridge
    with _bridge_lock:
        if _bridge is not None:
            _bridge.close()
        _bridge = None


def remove_keyboard() -> ReplyKeyboardRemove:
    return ReplyKeyboardRemove()


def main() -> None:
    """`python -m bot.channels.telegram`: polling (TELEGRAM_MODE=polling) or register the webhook."""
    settings = get_settings()
    logging.basicConfig(level=settings.log_level)
    mode = settings.telegram_mode
    app = build_application()
    if mode == "polling":
        app.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
        return
    url = settings.telegram_webhook_url
    if not url:
        raise SystemExit("TELEGRAM_WEBHOOK_URL must be set to register the webhook (or TELEGRAM_MODE=polling)")
    b = TelegramBridge(app)
    try:
        ok = b.set_webhook(url, settings.telegram_webhook_secret.get_secret_value())
        print(f"[telegram] setWebhook {'ok' if ok else 'failed'}: {url}", flush=True)
    finally:
        b.close()


if __name__ == "__main__":
    main()
