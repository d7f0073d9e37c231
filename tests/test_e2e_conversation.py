"""End to end: a Vietnamese conversation through the web API, real Rasa, real actions,
real database (SQLite and PostgreSQL), ending in exactly one routed ticket."""

from __future__ import annotations

import re
import uuid

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.core.db import make_engine
from feedback_router.core.models import Ticket
from feedback_router.tickets.routing import route
from nlu import gazetteer
from scripts.procs import API_HEADERS
from tests.conftest import Stack


def say(stack: Stack, sender: str, text: str = "", **extra: object) -> list[dict]:
    resp = requests.post(f"{stack.web_url}/api/v1/messages",
                         json={"sender_id": sender, "text": text, **extra}, headers=API_HEADERS, timeout=60)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["sender_id"] == f"web:{sender}"
    return body["replies"]


def joined(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def tickets(db_url: str) -> list[Ticket]:
    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            rows = list(s.scalars(select(Ticket)))
            for t in rows:
                _ = [e.status for e in t.events]
            return rows
    finally:
        engine.dispose()


def test_waste_report_becomes_one_routed_ticket(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    greet = joined(say(stack, sender, "Xin chào"))
    assert "Xin chào" in greet

    ask = say(stack, sender, "Ở ngõ 12 Láng Hạ rác thải ba ngày không ai thu gom")
    ask_text = joined(ask)
    assert "ngõ 12" in ask_text and "phường" in ask_text, ask_text   # form asks where, with the hint
    assert any((r.get("custom") or {}).get("ask") == "location" for r in ask)

    # The old ward, typed without diacritics, as people still say it: the summary names the
    # ward in force since 1 July 2025 and the ticket goes there.
    confirm = say(stack, sender, "p. Lang Ha")
    confirm_text = joined(confirm)
    assert "Xác nhận" in confirm_text and "Phường/xã hiện nay: phường Láng" in confirm_text, confirm_text
    assert [b["payload"] for b in confirm[-1]["buttons"]] == [
        "/affirm", '/edit_report{"report_field":"location"}', '/edit_report{"report_field":"description"}', "/deny"]

    done = say(stack, sender, "đúng rồi")
    done_text = joined(done)
    match = re.search(r"HN-\d{4}-[0-9A-Z]{4}", done_text)
    assert match, done_text

    rows = tickets(stack.database_url)
    assert len(rows) == 1
    ticket = rows[0]
    ward = gazetteer.find_ward("phường Láng")
    assert ward is not None
    expected = route("waste", ward.unit_id)
    assert ticket.code == match.group(0)
    assert ticket.category == "waste"
    assert ticket.unit_id == expected.unit_id
    assert ticket.status.value == "received"
    assert expected.unit_name in done_text
    assert "Láng Hạ" in (ticket.location_text or "")
    assert ticket.channel == "web"
    assert [e.status.value for e in ticket.events] == ["received"]


def test_small_talk_answers_in_the_language_asked(stack: Stack) -> None:
    tourist, citizen = uuid.uuid4().hex, uuid.uuid4().hex
    assert joined(say(stack, tourist, "Hello")).startswith("Hello!")
    assert "I can't help" in joined(say(stack, tourist, "what is the weather like tomorrow?"))
    assert "welcome" in joined(say(stack, tourist, "thank you so much!"))
    assert joined(say(stack, citizen, "xin chao")).startswith("Xin chào")
    assert "Không có gì" in joined(say(stack, citizen, "cam on ban"))


def test_shared_location_and_cancel(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    say(stack, sender, "đường Nguyễn Trãi ngập sâu nửa mét, xe chết máy hàng loạt")
    confirm = say(stack, sender, location={"latitude": 20.9935, "longitude": 105.8052})
    # shown as the ward the point falls in (nearest ward centre, distance stated), not raw GPS
    assert "phường Thanh Xuân" in joined(confirm) and "GPS 20.99" not in joined(confirm), joined(confirm)
    cancelled = joined(say(stack, sender, "/deny"))
    assert "huỷ" in cancelled
    assert not [t for t in tickets(stack.database_url) if "Nguyễn Trãi" in t.description]


def test_tourism_and_procedure_answers_come_from_data(stack: Stack) -> None:
    from tourism.procedures import get_procedure
    from tourism.sites import get_place

    sender = uuid.uuid4().hex
    van_mieu = get_place("van-mieu-quoc-tu-giam")
    hours = joined(say(stack, sender, "Văn Miếu mở cửa mấy giờ vậy?"))
    assert van_mieu.opening_hours.split(";")[0] in hours, hours
    assert "google.com/maps" in hours
    english = joined(say(stack, sender, "What are the opening hours of the Temple of Literature?"))
    assert "Temple of Literature" in english or van_mieu.name_en in english, english
    card = get_procedure("cap-the-can-cuoc")
    answer = joined(say(stack, sender, "làm thẻ căn cước ở đâu, mất bao lâu?"))
    assert card.name_vi in answer, answer


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_hotline_responder_talks_to_the_real_dialogue(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    from datetime import datetime, timezone

    from bot.gateway import Gateway
    from bot.hotline import make_responder, on_call_end
    from voice.call_record import CallRecord

    started = datetime.now(timezone.utc)
    responder = make_responder(Gateway(stack.rasa_url))
    replies = asyncio.run(responder("hotline:0912345678", "Xin chào"))
    assert replies and "Xin chào" in replies[0]
    replies = asyncio.run(responder("hotline:0912345678", "cháy nhà ở ngõ 5 Kim Mã, cứu với"))
    assert any("114" in r for r in replies), replies
    rows = tickets(stack.database_url)
    assert [(t.category, t.channel, t.urgency.value) for t in rows] == [("fire", "hotline", "emergency")]

    from feedback_router.core.db import engine_for

    record = CallRecord(uuid="c0ffee", caller="0912345678", sender_id="hotline:0912345678",
                        started_at=started, duration=12.0, recording_path=None)
    monkeypatch.setenv("DATABASE_URL", stack.database_url)
    engine_for.cache_clear()
    try:
        assert on_call_end(record) == [rows[0].code]
    finally:
        engine_for.cache_clear()
    engine = make_engine(stack.database_url)
    with Session(engine) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.code == rows[0].code))
        assert ticket.contact.phone == "0912345678"
        notes = [e.note for e in ticket.events if e.actor == "system:hotline"]
        assert notes and "hotline:0912345678" in notes[0]
    engine.dispose()


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_household_device_report_skips_where(stack: Stack) -> None:
    from bot.gateway import Gateway
    from bot.message import Location, Message

    gateway = Gateway(stack.rasa_url)
    device = {"household_code": "HN-HH-0001", "address": "số 8 ngõ 41 Thái Hà, phường Đống Đa",
              "location": {"latitude": 21.0128, "longitude": 105.8205}}

    def send(text: str) -> str:
        msg = Message(channel="device", sender_id="device:dev-001", text=text,
                      location=Location(21.0128, 105.8205), metadata={"device": device})
        return "\n".join(r.text for r in gateway.handle(msg))

    confirm = send("đèn đường trước cửa nhà tôi bị hỏng mấy hôm nay tối om")
    assert "Xác nhận" in confirm and "Thái Hà" in confirm, confirm
    done = send("đúng rồi")
    match = re.search(r"HN-\d{4}-[0-9A-Z]{4}", done)
    assert match, done
    ticket = next(t for t in tickets(stack.database_url) if t.code == match.group(0))
    assert ticket.location_text == device["address"] and ticket.channel == "device"
    assert (ticket.latitude, ticket.longitude) == (21.0128, 105.8205)
