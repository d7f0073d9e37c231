"""Tourism and procedure questions through the real stack: web API → trained Rasa model →
action server → tourism/ → reply; a tourist's complaint ends as a tourism_service ticket."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.conftest import Stack
from tests.test_e2e_conversation import joined, say, tickets
from tourism.procedures import get_procedure
from tourism.sites import get_place


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_guide_conversation_keeps_context_and_language(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    van_mieu = get_place("van-mieu-quoc-tu-giam")
    hours = joined(say(stack, sender, "Văn Miếu mở cửa mấy giờ"))
    assert van_mieu.opening_hours in hours and van_mieu.maps_url in hours, hours
    price = joined(say(stack, sender, "còn giá vé?"))
    assert van_mieu.ticket_price in price, price  # the place stays in context
    silk = joined(say(stack, sender, "mua lụa ở đâu"))
    assert "Vạn Phúc" in silk, silk
    pottery = joined(say(stack, sender, "where can I make pottery?"))
    assert "Bat Trang" in pottery and "google.com/maps" in pottery, pottery
    near = say(stack, sender, "gần đây có gì chơi", location={"latitude": 21.0285, "longitude": 105.8525})
    near_text = joined(near)
    assert "km" in near_text and "Hồ Hoàn Kiếm" in near_text, near_text


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_procedure_short_answer_then_follow_up(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    proc = get_procedure("dang-ky-tam-tru")
    first = joined(say(stack, sender, "đăng ký tạm trú thế nào"))
    assert proc.name_vi in first and "Hỏi thêm" in first, first
    fee = joined(say(stack, sender, "lệ phí bao nhiêu?"))
    assert proc.fee in fee, fee


def test_tourist_complaint_becomes_a_tourism_service_ticket(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    ask = joined(say(stack, sender, "xích lô ở phố cổ chặt chém khách du lịch, đòi 500 nghìn một vòng"))
    if "Xác nhận" not in ask:  # the form asks where when the text names no ward
        ask = joined(say(stack, sender, "phường Hoàn Kiếm"))
    assert "Xác nhận" in ask, ask
    done = joined(say(stack, sender, "đúng rồi"))
    code = re.search(r"HN-\d{4}-[0-9A-Z]{4}", done)
    assert code, done
    rows = tickets(stack.database_url)
    assert [(t.code, t.category) for t in rows] == [(code.group(0), "tourism_service")]
