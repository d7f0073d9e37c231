"""Which desk takes a request and which slots are offered for a spoken day (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_router.booking import HANOI, DeskKind, Slot, book, local
from feedback_router.booking_dates import parse_when
from feedback_router.booking_offer import RECEPTION, choose_desk, offer
from feedback_router.db import make_engine

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
