"""Booking a turn by chat, end to end: web API → real Rasa (trained model) → real action server
→ real database (SQLite and PostgreSQL). Typed answers only ("số 2", "cái đầu tiên", a clock
time), as the hotline has no buttons; the buttons offered carry the same words.

Every test here runs at a fixed instant (the stack's clock is frozen, tests/conftest.py): "mai"
and "chiều mai" mean one day whatever day the suite runs on. The dated matrix at the end runs
the same questions at each instant of DATED_INSTANTS (or at ``--at`` / TEST_NOW)."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta

import holidays
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.booking.service import HANOI, Booking, BookingStatus, Slot, local
from feedback_router.booking.offer import WEEKDAYS_VI
from feedback_router.core.db import make_engine
from tests.chat import joined, say
from tests.conftest import Stack
from tourism.procedures import get_procedure

MONDAY_MORNING = "2026-12-07T09:10+07:00"
FRIDAY_AFTERNOON = "2026-12-04T16:30+07:00"  # the day this suite once failed: "chiều mai" is a Saturday
pytestmark = pytest.mark.clock(MONDAY_MORNING)

CODE_RE = re.compile(r"LH-\d{4}-[0-9A-Z]{4}")
OFFER_RE = re.compile(r"^(\d)\. (\d{2}:\d{2}) \S+ \S+ (\d{2}/\d{2})$", re.MULTILINE)


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


@pytest.mark.clock(FRIDAY_AFTERNOON)
def test_questions_asked_time_typed_and_cancel_by_code(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    assert "thủ tục gì" in joined(say(stack, sender, "tôi muốn đặt lịch hẹn"))
    ask = joined(say(stack, sender, "chứng thực bản sao"))
    assert "phường/xã nào" in ask, ask
    offer = say(stack, sender, "phường Hoàn Kiếm chiều mai")
    text = joined(offer)
    assert "Bộ phận một cửa UBND phường Hoàn Kiếm" in text
    # Saturday has no session: said so, and the next AFTERNOON slots are offered (not Monday morning)
    assert "không làm việc thứ Bảy 05/12" in text, text
    afternoon = offered(offer)
    assert afternoon == [("13:30", "07/12"), ("14:00", "07/12"), ("14:30", "07/12")], text
    # a clock time after it: 9:00 of the next open day (the asked Saturday is still closed)
    again = say(stack, sender, "9 giờ")
    nine = offered(again)
    assert nine == [("09:00", "07/12"), ("09:30", "07/12"), ("10:00", "07/12")], joined(again)
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


# ---------------------------------------------------------------- the dated matrix

_VN_HOLIDAYS = holidays.country_holidays("VN", years=range(2026, 2031))


def _one_stop_open(day: date) -> bool:
    """data/desks.yaml, schedule one_stop: Monday to Friday, never on a public holiday."""
    return day.weekday() < 5 and day not in _VN_HOLIDAYS


def _first_open(day: date) -> date:
    while not _one_stop_open(day):
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize("stack", ["sqlite", "postgresql"], indirect=True)
def test_afternoon_and_clock_time_asked_at_any_instant(stack: Stack, instant: datetime) -> None:
    """"chiều mai" then "9 giờ" at a Monday, a Friday afternoon, a Saturday, the eve of a
    holiday, the last working day before Tết and 23:59: the afternoon asked is kept (tomorrow's,
    or the next open day's with the reason said), the clock time too, and the code and the
    confirmation carry the slot's Hanoi date."""
    here = instant.astimezone(HANOI)
    tomorrow = here.date() + timedelta(days=1)
    day = _first_open(tomorrow)
    sender = uuid.uuid4().hex
    say(stack, sender, "tôi muốn đặt lịch chứng thực bản sao")
    offer = say(stack, sender, "phường Hoàn Kiếm chiều mai")
    text = joined(offer)
    assert offered(offer) == [("13:30", f"{day:%d/%m}"), ("14:00", f"{day:%d/%m}"), ("14:30", f"{day:%d/%m}")], text
    if day == tomorrow:
        assert "không làm việc" not in text, text
    else:
        assert f"{tomorrow:%d/%m}" in text and "không làm việc" in text, text  # refused out loud
    nine = say(stack, sender, "9 giờ")
    assert offered(nine)[0] == ("09:00", f"{day:%d/%m}"), joined(nine)
    done = joined(say(stack, sender, "số 2"))
    code = CODE_RE.search(done)
    assert code and code.group(0).startswith(f"LH-{day:%d%m}-"), done
    assert f"09:30 {WEEKDAYS_VI[day.weekday()]} ngày {day:%d/%m/%Y}" in done, done
    assert booking_row(stack.database_url, code.group(0))[1:4] == ("ubnd-phuong-hoan-kiem-mot-cua", "09:30",
                                                                    f"{day:%d/%m}")
