"""Which desk takes a request and which slots are offered for a spoken day (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_router.booking.service import HANOI, DeskKind, Slot, book, local
from feedback_router.booking.dates import parse_when
from feedback_router.booking.offer import RECEPTION, choose_desk, offer, propose
from feedback_router.core.db import make_engine

NOW = datetime(2030, 3, 11, 9, 10, tzinfo=HANOI)  # Monday 09:10
LANG = "ubnd-phuong-lang"


def test_desk_for_procedure_and_ward() -> None:
    assert choose_desk("cap-the-can-cuoc", LANG).desk.id == "ubnd-phuong-lang-cong-an"
    assert choose_desk("dang-ky-khai-sinh", LANG).desk.id == "ubnd-phuong-lang-mot-cua"
    assert choose_desk(None, LANG).desk.id == "ubnd-phuong-lang-mot-cua"  # not named: the one-stop desk
    assert choose_desk("phieu-ly-lich-tu-phap", None).desk.kind == DeskKind.city_service_centre
    assert choose_desk(RECEPTION, LANG).desk.id == "ubnd-phuong-lang-tiep-cong-dan"
    assert choose_desk(RECEPTION, None).desk.id == "tiep-cong-dan-thanh-pho"
    ward_needed = choose_desk("dang-ky-khai-sinh", None)
    assert ward_needed.desk is None and ward_needed.reason is None  # ask the ward
    passport = choose_desk("cap-ho-chieu", LANG)
    assert passport.desk is None and "Phòng Quản lý xuất nhập cảnh" in (passport.reason or "")


def _labels(slots: list[Slot]) -> list[str]:
    return [f"{local(s.starts_at):%a %H:%M}" for s in slots]


def test_offer_for_spoken_days(db_url: str) -> None:
    engine = make_engine(db_url)
    desk = "ubnd-phuong-lang-mot-cua"
    try:
        with Session(engine) as s:
            assert _labels(offer(s, desk, parse_when("", NOW), NOW)) == ["Mon 09:30", "Mon 10:00", "Mon 10:30"]
            s.commit()
            seeded = s.scalar(select(func.count()).select_from(Slot).where(Slot.desk_id == desk))
            assert seeded > 0  # published on the spot for the desk asked
            assert _labels(offer(s, desk, parse_when("chiều mai", NOW), NOW)) == ["Tue 13:30", "Tue 14:00", "Tue 14:30"]
            assert _labels(offer(s, desk, parse_when("10 giờ thứ 4", NOW), NOW))[0] == "Wed 10:00"
            # a Saturday has no slots: the nearest ones after it
            assert _labels(offer(s, desk, parse_when("thứ 7", NOW), NOW))[0] == "Mon 08:00"
            s.commit()
            assert s.scalar(select(func.count()).select_from(Slot).where(Slot.desk_id == desk)) == seeded
            tue = offer(s, desk, parse_when("chiều mai", NOW), NOW, limit=1)[0].id
            s.commit()
        for i in range(3):  # fill the first afternoon slot
            book(engine, slot_id=tue, sender_id=f"web:{i}", procedure="x", now=NOW)
        with Session(engine) as s:
            assert _labels(offer(s, desk, parse_when("chiều mai", NOW), NOW))[0] == "Tue 14:00"
            # far ahead: slots for that day are published when asked
            assert _labels(offer(s, desk, parse_when("25/4", NOW), NOW))[0] == "Thu 08:00"
            s.commit()
    finally:
        engine.dispose()


def test_part_and_day_asked_are_kept_or_refused_out_loud(db_url: str) -> None:
    """"chiều mai" on a Friday: Saturday has no session, so the reason is said and the next
    AFTERNOON slots come (never Monday morning); a weekday or a part of day with no session
    at all is refused in words, with what is left."""
    friday = datetime(2026, 12, 4, 16, 30, tzinfo=HANOI)
    engine = make_engine(db_url)
    desk = "ubnd-phuong-hoan-kiem-mot-cua"
    try:
        with Session(engine) as s:
            found = propose(s, desk, parse_when("chiều mai", friday), friday)
            assert _labels(found.slots) == ["Mon 13:30", "Mon 14:00", "Mon 14:30"]
            assert found.part == "afternoon"
            assert found.notice == "Bộ phận một cửa UBND phường Hoàn Kiếm không làm việc thứ Bảy 05/12."
            nine = propose(s, desk, parse_when("9 giờ thứ 7", friday), friday)
            assert _labels(nine.slots) == ["Mon 09:00", "Mon 09:30", "Mon 10:00"]
            assert "thứ Bảy 05/12" in (nine.notice or "")
            evening = propose(s, desk, parse_when("tối mai", friday), friday)
            assert _labels(evening.slots) == ["Mon 08:00", "Mon 08:30", "Mon 09:00"]
            assert evening.part is None and evening.notice is not None
            assert "không còn giờ trống buổi tối" in evening.notice and "chỉ còn buổi sáng" in evening.notice
            late = propose(s, desk, parse_when("sáng nay", friday), friday)
            assert late.notice == "Buổi sáng thứ Sáu 04/12 đã qua." and _labels(late.slots)[0] == "Mon 08:00"
            eve = datetime(2026, 12, 31, 15, 0, tzinfo=HANOI)
            holiday = propose(s, desk, parse_when("chiều mai", eve), eve)
            assert holiday.notice == ("Thứ Sáu 01/01 là ngày nghỉ lễ, "
                                      "Bộ phận một cửa UBND phường Hoàn Kiếm không làm việc.")
            assert [f"{local(x.starts_at):%d/%m %H:%M}" for x in holiday.slots][0] == "04/01 13:30"
            s.commit()
    finally:
        engine.dispose()


def test_desk_without_afternoons_says_only_mornings_are_left(db_url: str) -> None:
    """The ward reception day is a Thursday morning: "chiều thứ 5" says so and offers the morning."""
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=HANOI)
    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            found = propose(s, "ubnd-phuong-lang-tiep-cong-dan", parse_when("chiều thứ 5", monday), monday)
            assert [f"{local(x.starts_at):%a %d/%m %H:%M}" for x in found.slots][0] == "Thu 10/12 08:00"
            assert found.part is None
            assert found.notice is not None and "không làm việc buổi chiều thứ Năm 10/12" in found.notice
            assert "chỉ còn buổi sáng" in found.notice
            s.commit()
    finally:
        engine.dispose()
