"""The day-before reminder reaches the citizen on the channel they booked from: the real
delivery worker process publishes slots, queues the reminder and sends it to a Telegram Bot
API stand-in (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_router.booking.service import HANOI, Booking, Slot, book, publish_slots
from feedback_router.core.db import make_engine
from feedback_router.booking.desks import load_desks, planned_slots
from feedback_router.messaging.models import Outbox
from nlu import clock
from scripts import procs
from tests.channels.standins.telegram_api import TelegramStandIn

TOKEN = "777:booking-reminders"
DESK = "ubnd-phuong-lang-mot-cua"


def _wait(cond, timeout: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.2)
    return False


def test_worker_sends_the_day_before_reminder_once(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    today = clock.hanoi_today()
    with Session(engine) as s:
        tomorrow_slot = publish_slots(s, DESK, today + timedelta(days=1), start="08:00", end="08:30", capacity=2)[0].id
        later_slot = publish_slots(s, DESK, today + timedelta(days=2), start="08:00", end="08:30", capacity=2)[0].id
        s.commit()
    due = book(engine, slot_id=tomorrow_slot, sender_id="telegram:4242", procedure="Đăng ký khai sinh")
    not_yet = book(engine, slot_id=later_slot, sender_id="telegram:4343", procedure="Chứng thực bản sao")
    health = procs.free_port()
    with TelegramStandIn(TOKEN) as tg:
        env = procs.base_env(DATABASE_URL=db_url, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=tg.url,
                             DELIVERY_HEALTH_PORT=str(health), DELIVERY_POLL_SECONDS="0.2",
                             BOOKING_CHECK_SECONDS="1", BOOKING_REMINDER_HOUR="0", BOOKING_SEED_DAYS="2",
                             SLA_CHECK_SECONDS="3600")
        with procs.running([str(procs.ROOT / ".venv/bin/python"), "-m", "bot.channels.delivery"], env,
                           f"http://127.0.0.1:{health}/healthz", tmp_path / "delivery.log", timeout=60):
            assert _wait(lambda: len(tg.sent) >= 1), (tmp_path / "delivery.log").read_text()[-3000:]
            time.sleep(3)  # a few more passes of the worker: nothing is sent twice
        sent = list(tg.sent)
    assert len(sent) == 1, sent
    assert int(sent[0]["chat_id"]) == 4242
    text = sent[0]["text"]
    assert due.code in text and "08:00" in text and "Bộ phận một cửa UBND phường Láng" in text
    assert f"{today + timedelta(days=1):%d/%m/%Y}" in text
    with Session(engine) as s:
        rows = list(s.scalars(select(Outbox)))
        assert [(r.recipient, r.status) for r in rows] == [("telegram:4242", "sent")]
        assert s.scalar(select(Booking).where(Booking.code == due.code)).reminded_at is not None
        assert s.scalar(select(Booking).where(Booking.code == not_yet.code)).reminded_at is None
        # the worker also published the slots of the next BOOKING_SEED_DAYS days for every desk
        data = load_desks()
        expected = sum(len(planned_slots(d.schedule, today + timedelta(days=i)))
                       for d in data.desks.values() for i in range(2))
        lo = datetime.combine(today, datetime.min.time(), HANOI).astimezone(timezone.utc)
        hi = lo + timedelta(days=2)
        seeded = s.scalar(select(func.count()).select_from(Slot).where(Slot.starts_at >= lo, Slot.starts_at < hi))
        # our hand-published 08:00 slot of tomorrow is one of the planned ones on a working day
        ours = datetime.combine(today + timedelta(days=1), datetime.min.time().replace(hour=8), HANOI)
        planned = {a for a, _ in planned_slots(data.desks[DESK].schedule, today + timedelta(days=1))}
        assert seeded == expected + (0 if ours.astimezone(timezone.utc) in planned else 1)
    engine.dispose()


def test_reminders_wait_for_the_morning_and_slots_are_published_once_a_day(db_url: str,
                                                                          monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from feedback_router.booking.jobs import BookingJobs

    monkeypatch.setenv("BOOKING_REMINDER_HOUR", "7")
    monkeypatch.setenv("BOOKING_SEED_DAYS", "1")
    engine = make_engine(db_url)
    day = datetime(2030, 3, 12).date()  # a Tuesday
    with Session(engine) as s:
        slot = publish_slots(s, DESK, day, start="08:00", end="08:30")[0].id
        s.commit()
    b = book(engine, slot_id=slot, sender_id="zalo:99", procedure="x", now=datetime(2030, 3, 1, tzinfo=timezone.utc))
    jobs = BookingJobs()
    night = datetime(2030, 3, 11, 5, 30, tzinfo=HANOI)  # the day before, 05:30: too early
    morning = datetime(2030, 3, 11, 7, 0, tzinfo=HANOI)
    try:
        with Session(engine) as s:
            first = jobs.run(s, night)
            s.commit()
            assert first["reminders"] == 0 and first["slots"] > 0  # one desk-day of 381 desks at least
            assert jobs.run(s, morning) == {"slots": 0, "reminders": 1}  # same day: not seeded again
            s.commit()
            assert jobs.run(s, morning) == {"slots": 0, "reminders": 0}  # queued once
            assert [r.recipient for r in s.scalars(select(Outbox))] == ["zalo:99"]
            assert b.code in s.scalars(select(Outbox)).one().text
    finally:
        engine.dispose()
