"""A report that accuses the unit it would be routed to goes to the inspectorate (issue 18)."""

from __future__ import annotations

import pytest

from feedback_router.core.accused import CITY_POLICE_UNIT, TRAFFIC_POLICE_UNIT, accused_unit
from feedback_router.civic.data import civic
from feedback_router.core.db import make_engine
from feedback_router.tickets.routing import INSPECTORATE_UNIT_ID, route
from feedback_router.tickets.service import create_ticket
from nlu import gazetteer

VENDOR_FEES = "tổ trật tự đô thị của phường cứ đầu tháng đi thu tiền mấy quán nước vỉa hè để cho họ ngồi bán tiếp"


def _ward(name: str) -> str:
    ward = gazetteer.find_ward(name)
    assert ward is not None
    return ward.unit_id


def test_inspectorate_is_the_civic_inspection_unit() -> None:
    assert INSPECTORATE_UNIT_ID == civic().inspection_unit


def test_route_never_goes_to_the_accused_unit() -> None:
    ward = _ward("phường Khương Đình")
    assert route("urban_order", ward).unit_id == ward
    guarded = route("urban_order", ward, accused_unit_id=ward)
    assert guarded.unit_id == INSPECTORATE_UNIT_ID and "inspectorate" in guarded.reason
    other = _ward("phường Láng")
    assert route("urban_order", ward, accused_unit_id=other).unit_id == ward  # someone else is accused


@pytest.mark.parametrize(("text", "expected"), [
    (VENDOR_FEES, "ward"),
    ("cán bộ địa chính phường bắt nộp thêm tiền mới nhận hồ sơ, không có biên lai", "ward"),
    ("anh csgt ở chân cầu vượt ra hiệu dừng xe rồi đòi tiền để bỏ qua lỗi", TRAFFIC_POLICE_UNIT),
    ("công an khu vực nhận tiền bảo kê của quán nhậu mở đến 2h sáng", CITY_POLICE_UNIT),
    ("quán nhậu đầu ngõ mở nhạc to đến 2h sáng", None),
    ("nhóm xã hội đen thu tiền bảo kê bãi xe", None),
])
def test_accused_unit(text: str, expected: str | None) -> None:
    ward = _ward("phường Khương Đình")
    assert accused_unit(text, ward) == (ward if expected == "ward" else expected)


def test_accusing_report_is_filed_with_the_inspectorate(db_url: str) -> None:
    engine = make_engine(db_url)
    ward = _ward("phường Khương Đình")
    accusing = create_ticket(category="urban_order", description=VENDOR_FEES, sender_id="web:acc-1",
                             location_text="phố Khương Trung, phường Khương Đình", ward_unit_id=ward, engine=engine)
    assert accusing.unit_id == INSPECTORATE_UNIT_ID != ward
    plain = create_ticket(category="urban_order", description="quán nước bày bàn ghế kín vỉa hè phố Khương Hạ",
                          sender_id="web:acc-2", location_text="phố Khương Hạ, phường Khương Đình",
                          ward_unit_id=ward, engine=engine)
    assert plain.unit_id == ward
    traffic = create_ticket(category="traffic_order", sender_id="web:acc-3", engine=engine,
                            description="csgt ở vòng xuyến nhận tiền của xe khách chở quá tải")
    assert traffic.unit_id == INSPECTORATE_UNIT_ID


def test_call_accusing_an_official_keeps_its_transcript_off_tickets(db_url: str) -> None:
    """Said without the word "tố cáo", an accusation still carries the caller's identity:
    the ward's operator must not read the call note."""
    from datetime import timedelta

    from sqlalchemy import select

    from feedback_router.core.db import session_scope
    from feedback_router.core.models import Ticket
    from feedback_router.tickets.service import attach_call_record
    from nlu import clock

    engine = make_engine(db_url)
    ward = _ward("phường Láng")
    caller = "hotline:0911000444"
    started = clock.now() - timedelta(seconds=5)
    code = create_ticket(category="waste", description="rác ngõ 20 Láng Hạ chưa thu", sender_id=caller,
                         location_text="ngõ 20 Láng Hạ, phường Láng", ward_unit_id=ward, engine=engine).code
    transcript = ("[1.0s] Người gọi: rác ngõ 20 Láng Hạ chưa thu\n"
                  "[8.0s] Người gọi: cán bộ phường còn đòi nhà tôi đưa hai triệu mới cho xe rác vào ngõ")
    assert attach_call_record(sender_id=caller, started_at=started, transcript=transcript,
                              recording_path="/var/rec/a1.wav", engine=engine) == [code]
    with session_scope(engine) as s:
        [ticket] = s.scalars(select(Ticket))
        note = " ".join(e.note or "" for e in ticket.events if e.kind == "note")
    assert "hai triệu" not in note and "a1.wav" not in note
