"""Outbound delivery: outbox rows go out through each channel's real client; an outage
delays them (backoff) and recovery sends each exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.channels import delivery
from feedback_router.messaging import devices as device
from feedback_router.messaging import outbox
from feedback_router.core.db import get_engine, session_scope
from feedback_router.messaging.models import Outbox
from feedback_router.contacts import get_or_create_contact
from tests.channels.standins.telegram_api import TelegramStandIn
from tests.channels.standins.zalo_api import ZaloStandIn

TOKEN = "555:delivery-token"


@pytest.fixture
def standins(channel_db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple]:
    with TelegramStandIn(TOKEN) as tg, ZaloStandIn("app1", "sec1", "acc-0", "ref-0") as zl:
        for key, value in {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": tg.url,
                           "ZALO_APP_ID": "app1", "ZALO_APP_SECRET": "sec1", "ZALO_API_BASE_URL": zl.url,
                           "ZALO_OAUTH_BASE_URL": zl.url, "ZALO_ACCESS_TOKEN": "acc-0",
                           "ZALO_REFRESH_TOKEN": "ref-0", "ZALO_TOKEN_FILE": str(tmp_path / "z.json")}.items():
            monkeypatch.setenv(key, value)
        yield tg, zl


def enqueue(sender: str, text: str) -> None:
    with session_scope(get_engine()) as s:
        outbox.enqueue(s, contact=get_or_create_contact(s, sender), text=text, dedupe_key=f"k:{sender}:{text}")


def statuses() -> dict[str, tuple[str, int]]:
    with session_scope(get_engine()) as s:
        return {r.recipient: (r.status, r.attempts) for r in s.scalars(select(Outbox))}


def test_outage_then_recovery_delivers_each_once(standins: tuple) -> None:
    tg, zl = standins
    device.register(device_id="hh-9", household_code="HK9", address="Số 9 Hàng Bông", ward_unit_id="w1",
                    latitude=None, longitude=None)
    enqueue("telegram:4242", "Hồ sơ HN-2026-AB12 đã được xử lý xong.")
    enqueue("zalo:2468", "Hồ sơ HN-2026-CD34 đang được xử lý.")
    enqueue("device:hh-9", "Đã sửa đèn đường trước nhà bạn.")
    enqueue("web:abc", "Trả lời cho web chat")
    tg.down = zl.down = True
    d = delivery.Deliverer()
    try:
        first = delivery.run_once(d)
        assert first == {"sent": 1, "failed": 2, "callback": 0}  # the device queue is local
        assert statuses()["telegram:4242"] == ("pending", 1) and statuses()["zalo:2468"] == ("pending", 1)
        assert delivery.run_once(d) == {"sent": 0, "failed": 0, "callback": 0}  # backing off
        tg.down = zl.down = False
        zl.expire()  # and the Zalo token expired meanwhile
        later = datetime.now(timezone.utc) + timedelta(minutes=5)
        assert delivery.run_once(d, now=later) == {"sent": 2, "failed": 0, "callback": 0}
        assert delivery.run_once(d, now=later + timedelta(hours=2)) == {"sent": 0, "failed": 0, "callback": 0}
    finally:
        d.close()
    assert [m["text"] for m in tg.sent] == ["Hồ sơ HN-2026-AB12 đã được xử lý xong."]
    assert [m["message"]["text"] for m in zl.sent] == ["Hồ sơ HN-2026-CD34 đang được xử lý."]
    assert zl.refreshes == 1
    info = device.DeviceInfo("hh-9", "HK9", "Số 9 Hàng Bông", "w1", None, None)
    assert [(i["text"], i["kind"]) for i in device.poll(info, 0)] == [("Đã sửa đèn đường trước nhà bạn.", "answer")]
    final = statuses()
    assert final["web:abc"] == ("pending", 0)
    assert {k: v[0] for k, v in final.items() if k != "web:abc"} == dict.fromkeys(
        ["telegram:4242", "zalo:2468", "device:hh-9"], "sent")


def test_hotline_rows_become_call_backs_without_spending_attempts(channel_db: str) -> None:
    """A phone line takes no message: the row waits for the unit to call back (issue 8)."""
    enqueue("hotline:0912345678", "Góp ý GY-0112-AB12: Được tiếp thu.")
    enqueue("web:abc", "Trả lời cho web chat")
    d = delivery.Deliverer()
    try:
        assert delivery.run_once(d) == {"sent": 0, "failed": 0, "callback": 1}
        later = datetime.now(timezone.utc) + timedelta(days=2)
        assert delivery.run_once(d, now=later) == {"sent": 0, "failed": 0, "callback": 0}  # once
    finally:
        d.close()
    final = statuses()
    assert final["hotline:0912345678"] == ("callback", 0)
    with session_scope(get_engine()) as s:
        assert outbox.failed_items(s) == [] and outbox.pending_count(s) == 1  # only the web row
