"""Outbound delivery worker: `python -m bot.channels.delivery`.

Two queues, one process:
- the inbound queue (bot.channels.inbound): messages Rasa could not answer at once are
  replayed in order per sender until it does; their answers go into the outbox;
- the outbox (feedback_router.messaging.outbox): due rows are leased in a short transaction, sent with
  no transaction open, and marked sent (or failed, with backoff) one by one, each in its own
  short transaction, so a failed commit costs at most that one message:
- telegram: sendMessage through python-telegram-bot's Bot (TELEGRAM_API_BASE_URL)
- zalo:     OA message API v3 (ZaloClient, token refresh included)
- device:   the device's announcement queue (idempotent per outbox row)
- web/api:  never claimed; the web inbox returns them until the client acknowledges them
- hotline:  a phone line takes no message: the row becomes a call-back for the owning
            unit's operators (dashboard "Cần gọi lại"), no attempt spent
A channel outage only delays rows (backoff); nothing is dropped. Several workers never take
the same row: the lease is taken under FOR UPDATE SKIP LOCKED on PostgreSQL (SQLite
serialises writers).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from datetime import timedelta
from typing import Any

from bot.channels import inbound
from feedback_router.messaging import dedupe
from feedback_router.messaging import devices as device
from bot.channels.zalo import ZaloClient, ZaloError
from bot.gateway import Gateway
from bot.health_http import serve_health
from bot.message import Reply
from feedback_router.core.settings import get_settings
from feedback_router.messaging import outbox
from feedback_router.booking.jobs import BookingJobs
from feedback_router.tickets.sla import escalate_overdue
from nlu import clock

log = logging.getLogger(__name__)

POLL_FOR = {"web", "api"}


class DeliveryError(RuntimeError):
    pass


class TelegramSender:
    def __init__(self) -> None:
        from telegram import Bot

        from bot.channels.telegram import api_root

        token = get_settings().telegram_bot_token.get_secret_value()
        if not token:
            raise DeliveryError("TELEGRAM_BOT_TOKEN not set")
        root = api_root()
        self.loop = asyncio.new_event_loop()
        self.bot = Bot(token, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot")

    def send(self, chat_id: str, reply: Reply) -> None:
        from telegram.error import TelegramError

        from bot.channels.telegram import send_reply

        try:
            self.loop.run_until_complete(send_reply(self.bot, int(chat_id), reply))
        except TelegramError as exc:
            raise DeliveryError(f"telegram: {exc.__class__.__name__}: {exc}") from exc

    def close(self) -> None:
        self.loop.close()


class Deliverer:
    def __init__(self) -> None:
        self._telegram: TelegramSender | None = None
        self._zalo: ZaloClient | None = None

    def deliver(self, item: Any) -> None:
        """Send one row to a remote platform (no database work here)."""
        channel, recipient = item.channel, str(item.recipient)
        ident = recipient.split(":", 1)[1] if ":" in recipient else recipient
        reply = _reply_of(item)
        if channel == "telegram":
            if self._telegram is None:
                self._telegram = TelegramSender()
            self._telegram.send(ident, reply)
        elif channel == "zalo":
            if self._zalo is None:
                self._zalo = ZaloClient()
            try:
                self._zalo.send_reply(ident, reply)
            except ZaloError as exc:
                raise DeliveryError(f"zalo: {exc}") from exc
        else:
            raise DeliveryError(f"no adapter for channel {channel!r}")

    def close(self) -> None:
        if self._telegram is not None:
            self._telegram.close()


def _reply_of(item: Any) -> Reply:
    """An answer replayed from the inbound queue keeps its buttons; other rows are text."""
    payload = item.payload or {}
    data = payload.get("reply")
    if not isinstance(data, dict):
        return Reply(text=item.text, buttons=tuple(payload.get("buttons") or ()))
    return Reply(text=data.get("text") or "", buttons=tuple(data.get("buttons") or ()),
                 custom=data.get("custom"), image=data.get("image"))


def lease_seconds() -> float:
    return get_settings().outbox_lease_seconds


def run_once(deliverer: Deliverer, limit: int = 50, now: Any = None) -> dict[str, int]:
    """One pass over due rows; returns counts of sent / failed / call-backs."""
    counts = {"sent": 0, "failed": 0, "callback": 0}
    items = outbox.take_for_sending(limit=limit, now=now, lease_s=lease_seconds(), skip_channels=POLL_FOR)
    for item in items:
        if item.channel in outbox.CALLBACK_CHANNELS:
            outbox.record_callback(item.id)
            counts["callback"] += 1
            continue
        try:
            if item.channel == "device":  # a local queue: the announcement and the mark commit together
                device.deliver_outbox(item.id, text=item.text, recipient=str(item.recipient))
            else:
                deliverer.deliver(item)
        except Exception as exc:  # any adapter failure: retry later, never drop
            log.warning("delivery of outbox %s via %s failed: %s", item.id, item.channel, exc)
            outbox.record_failed([item.id], str(exc)[:500], now=now)
            counts["failed"] += 1
            continue
        if item.channel != "device":
            inbound.with_db_retry(lambda item_id=item.id: outbox.record_sent(item_id))
        counts["sent"] += 1
    return counts


def run_inbound(gateway: Gateway | None) -> dict[str, int]:
    """Replay queued inbound messages (Rasa was down when they came)."""
    if gateway is None:
        return {"done": 0}
    return inbound.run_queue(gateway)


def main() -> None:
    from feedback_router.core.settings import startup_check

    settings = startup_check("delivery")  # unsafe secrets outside development: no start (issue 14)
    logging.basicConfig(level=settings.log_level,
                        format='{"time":"%(asctime)s","level":"%(levelname)s","logger":"%(name)s","msg":"%(message)s"}')
    interval = settings.delivery_poll_seconds
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    health = serve_health(settings.delivery_health_host, settings.delivery_health_port, "delivery")
    deliverer = Deliverer()
    gateway = Gateway() if settings.delivery_inbound != "off" else None
    sla_every = settings.sla_check_seconds
    next_sla_check = 0.0
    booking_jobs = BookingJobs()  # slots for the days ahead, day-before reminders
    booking_every = settings.booking_check_seconds
    next_booking_check = 0.0
    next_purge = 0.0  # answered inbound messages are kept 2 days (dedupe), then their texts go
    log.info("delivery worker started")
    try:
        while not stop.is_set():
            try:
                replayed = run_inbound(gateway)
            except Exception:
                log.exception("inbound pass failed")
                replayed = {"done": 0}
            try:
                counts = run_once(deliverer)
            except Exception:
                log.exception("delivery pass failed")
                counts = {"sent": 0}
            if time.monotonic() >= next_sla_check:
                # The same long-running worker escalates overdue tickets, so no cron is needed.
                next_sla_check = time.monotonic() + sla_every
                try:
                    flagged = escalate_overdue()
                    if flagged:
                        log.info("escalated %d overdue tickets", flagged)
                except Exception:
                    log.exception("SLA check failed")
            if time.monotonic() >= next_booking_check:
                next_booking_check = time.monotonic() + booking_every
                try:
                    done = booking_jobs.run_pass(clock.now())
                    if any(done.values()):
                        log.info("booking: %d slots published, %d reminders queued", done["slots"], done["reminders"])
                except Exception:
                    log.exception("booking pass failed")
            if time.monotonic() >= next_purge:
                next_purge = time.monotonic() + 3600
                try:
                    dedupe.purge(timedelta(days=2))
                except Exception:
                    log.exception("inbound purge failed")
            if counts["sent"] == 0 and replayed["done"] == 0:
                stop.wait(interval)
    finally:
        deliverer.close()
        health.shutdown()


if __name__ == "__main__":
    main()
