"""Booking a turn by chat, end to end: web API → real Rasa (trained model) → real action server
→ real database (SQLite and PostgreSQL). Typed answers only ("số 2", "cái đầu tiên", a clock
time), as the hotline has no buttons; the buttons offered carry the same words."""

from __future__ import annotations

import re
import uuid

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.booking import Booking, BookingStatus, Slot, local
from feedback_router.db import make_engine
from tests.conftest import Stack
from tourism.procedures import get_procedure

CODE_RE = re.compile(r"LH-\d{4}-[0-9A-Z]{4}")
OFFER_RE = re.compile(r"^(\d)\. (\d{2}:\d{2}) \S+ \S+ (\d{2}/\d{2})$", re.MULTILINE)


def say(stack: Stack, sender: str, text: str) -> list[dict]:
    resp = requests.post(f"{stack.web_url}/api/v1/messages", json={"sender_id": sender, "text": text}, timeout=60)
    assert resp.status_code == 200, resp.text
    return resp.json()["replies"]


def joined(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def offered(replies: list[dict]) -> list[tuple[str, str]]:
    """(HH:MM, dd/mm) of each offered slot, from the numbered list (what a caller hears)."""
    found = [(m.group(2), m.group(3)) for m in OFFER_RE.finditer(joined(replies))]
    assert found, joined(replies)
    buttons = [b for r in replies for b in r.get("buttons") or []]
    assert [b["payload"].split(". ", 1)[0] for b in buttons] == [str(i + 1) for i in range(len(found))]
    return found


def booking_row(db_url: str, code: str) -> tuple[BookingStatus, str, str, str, int]:
    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            b = s.scalar(select(Booking).where(Booking.code == code))
            assert b is not None, code
            at = local(b.slot.starts_at)
            return b.status, b.slot.desk_id, f"{at:%H:%M}", f"{at:%d/%m}", s.get(Slot, b.slot_id).booked
    finally:
        engine.dispose()


def test_book_move_and_cancel_by_chat(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    offer = say(stack, sender, "mai tôi muốn làm căn cước ở phường Láng")
    text = joined(offer)
    assert "Công an phường Láng" in text, text  # căn cước is done by the ward police
    slots = offered(offer)

    done = joined(say(stack, sender, "số 2"))
    match = CODE_RE.search(done)
    assert match, done
    code = match.group(0)
    assert "Trụ sở Công an phường Láng" in done
    card = get_procedure("cap-the-can-cuoc")
    assert card is not None and card.papers[0] in done  # the papers to bring
    status, desk, hhmm, ddmm, seats = booking_row(stack.database_url, code)
    assert (status, desk, (hhmm, ddmm), seats) == (BookingStatus.booked, "ubnd-phuong-lang-cong-an", slots[1], 1)

    moving = say(stack, sender, "đổi sang chiều mai")
    new_slots = offered(moving)
    moved = joined(say(stack, sender, "cái đầu tiên"))
    assert "Đã đổi lịch hẹn" in moved and code in moved, moved
    status, desk, hhmm, ddmm, _ = booking_row(stack.database_url, code)
    assert (status, desk, (hhmm, ddmm)) == (BookingStatus.booked, "ubnd-phuong-lang-cong-an", new_slots[0])
    assert new_slots[0] != slots[1] or new_slots[0][0] >= "12:00"

    cancelled = joined(say(stack, sender, "huỷ lịch hẹn"))  # the only active booking: no code needed
    assert f"Đã huỷ lịch hẹn {code}" in cancelled, cancelled
    status, _, _, _, seats = booking_row(stack.database_url, code)
    assert status == BookingStatus.cancelled and seats == 0
    assert "không có lịch hẹn" in joined(say(stack, sender, "huỷ lịch hẹn")).lower()


def test_changing_your_mind_while_moving(stack: Stack) -> None:
    """While a new time is being chosen, "thôi" keeps the booking and "huỷ lịch hẹn"
    cancels it — never "no booking was made" while one exists."""
    sender = uuid.uuid4().hex
    say(stack, sender, "mai tôi muốn làm căn cước ở phường Láng")
    code = CODE_RE.search(joined(say(stack, sender, "số 1"))).group(0)  # type: ignore[union-attr]

    offered(say(stack, sender, "đổi sang chiều mai"))
    kept = joined(say(stack, sender, "thôi"))
    assert f"lịch hẹn {code} vẫn giữ nguyên" in kept, kept
    assert booking_row(stack.database_url, code)[0] == BookingStatus.booked

    offered(say(stack, sender, "đổi sang chiều mai"))
    cancelled = joined(say(stack, sender, "huỷ lịch hẹn"))
    assert f"Đã huỷ lịch hẹn {code}" in cancelled, cancelled
    status, _, _, _, seats = booking_row(stack.database_url, code)
    assert status == BookingStatus.cancelled and seats == 0


def test_questions_asked_time_typed_and_cancel_by_code(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    assert "thủ tục gì" in joined(say(stack, sender, "tôi muốn đặt lịch hẹn"))
    ask = joined(say(stack, sender, "chứng thực bản sao"))
    assert "phường/xã nào" in ask, ask
    offer = say(stack, sender, "phường Hoàn Kiếm chiều mai")
    assert "Bộ phận một cửa UBND phường Hoàn Kiếm" in joined(offer)
    afternoon = offered(offer)
    assert all(hhmm >= "12:00" for hhmm, _ in afternoon) or afternoon[0][1] != afternoon[-1][1]
    # a time that was not offered: offered again around it, on the day asked (not today)
    again = say(stack, sender, "9 giờ")
    nine = offered(again)
    assert ("09:00", afternoon[0][1]) in nine or nine[0][1] > afternoon[0][1], (afternoon, nine)
    hh, mm = nine[-1][0].split(":")
    spoken = f"{int(hh)} giờ" + (f" {mm}" if mm != "00" else "")  # "9 giờ", "9 giờ 30"
    done = joined(say(stack, sender, spoken))
    code = CODE_RE.search(done)
    assert code, done
    _, desk, hhmm, ddmm, _ = booking_row(stack.database_url, code.group(0))
    assert (desk, (hhmm, ddmm)) == ("ubnd-phuong-hoan-kiem-mot-cua", nine[-1])
    assert "Trụ sở UBND phường Hoàn Kiếm" in done

    # a second booking at the city centre: a city procedure never asks for a ward
    centre = say(stack, sender, "tôi muốn đặt lịch làm phiếu lý lịch tư pháp")
    assert "Trung tâm Phục vụ hành chính công thành phố Hà Nội" in joined(centre), joined(centre)
    second = CODE_RE.search(joined(say(stack, sender, "cái đầu tiên")))
    assert second and second.group(0) != code.group(0)

    several = joined(say(stack, sender, "huỷ lịch hẹn"))  # two bookings: which one?
    assert code.group(0) in several and second.group(0) in several
    assert booking_row(stack.database_url, code.group(0))[0] == BookingStatus.booked
    gone = joined(say(stack, sender, f"huỷ lịch {code.group(0)}"))
    assert f"Đã huỷ lịch hẹn {code.group(0)}" in gone, gone
    assert booking_row(stack.database_url, code.group(0))[0] == BookingStatus.cancelled
    assert booking_row(stack.database_url, second.group(0))[0] == BookingStatus.booked
    # somebody else cannot cancel it with the code
    stranger = uuid.uuid4().hex
    other = joined(say(stack, stranger, f"huỷ lịch {second.group(0)}"))
    assert "không thuộc về bạn" in other, other
    other = joined(say(stack, stranger, f"đổi lịch {second.group(0)} sang chiều mai"))
    assert f"Bạn không có lịch hẹn {second.group(0)}" in other, other
    assert booking_row(stack.database_url, second.group(0))[0] == BookingStatus.booked


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_booking_by_hotline_voice_turns(stack: Stack) -> None:
    """The hotline's responder (what the call flow speaks) through the same dialogue: spoken
    answers, no buttons; the booking belongs to the caller's hotline identity."""
    import asyncio

    from bot.gateway import Gateway
    from bot.hotline import make_responder

    responder = make_responder(Gateway(stack.rasa_url))
    caller = "hotline:0912000111"
    heard = "\n".join(asyncio.run(responder(caller, "tôi muốn đặt lịch tiếp công dân")))
    assert "Tiếp công dân định kỳ của Chủ tịch UBND thành phố Hà Nội" in heard, heard
    assert "1. " in heard  # the choices are read out as a numbered list
    booked = "\n".join(asyncio.run(responder(caller, "số một")))
    code = CODE_RE.search(booked)
    assert code, booked
    assert "34 phố Lý Thái Tổ" in booked
    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as s:
            b = s.scalar(select(Booking).where(Booking.code == code.group(0)))
            assert b.contact.channel == "hotline" and b.slot.desk_id == "tiep-cong-dan-thanh-pho"
            assert local(b.slot.starts_at).weekday() == 1  # the third Tuesday of a month
            assert (local(b.slot.starts_at).day - 1) // 7 == 2
    finally:
        engine.dispose()
