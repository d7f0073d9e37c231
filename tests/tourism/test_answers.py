"""Answers restate data fields, say 'unknown' for nulls and always carry a map link."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from tourism.answer import UNKNOWN_EN, UNKNOWN_VI, answer_place
from tourism.procedures import answer_procedure, find_procedure, get_procedure
from tourism.sites import Place, get_place, load_places


def place(pid: str) -> Place:
    p = get_place(pid)
    assert p is not None
    return p


def test_overview_has_description_address_and_map() -> None:
    p = place("van-mieu-quoc-tu-giam")
    text = answer_place(p)
    assert p.description_vi in text and p.address in text and p.ward in text
    assert "https://www.google.com/maps/search/?api=1&query=21.02850,105.83550" in text
    assert "giá vé" in text.lower()


@pytest.mark.parametrize("aspect", ["hours", "price", "bus", "address", "festival", "products", None])
def test_every_aspect_on_every_place(aspect: str | None) -> None:
    for p in load_places():
        for lang in ("vi", "en"):
            text = answer_place(p, aspect, lang, today=date(2026, 1, 1))
            assert p.maps_url in text


def test_fields_are_quoted() -> None:
    p = place("nha-tu-hoa-lo")
    assert p.opening_hours in answer_place(p, "hours")
    assert p.ticket_price in answer_place(p, "price")
    assert all(b in answer_place(p, "bus") for b in p.bus)
    bt = place("bat-trang")
    assert "gốm" in answer_place(bt, "products")


def test_unknown_when_null() -> None:
    lake = place("ho-tay")
    assert lake.opening_hours is None
    assert UNKNOWN_VI in answer_place(lake, "hours", "vi")
    assert UNKNOWN_EN in answer_place(lake, "hours", "en")
    assert UNKNOWN_VI in answer_place(lake, "bus")
    unverified = dataclasses.replace(place("co-loa"), ward=None, old_ward=None, old_district=None)
    assert UNKNOWN_VI in answer_place(unverified, "address")


def test_address_names_current_and_old_unit() -> None:
    p = place("co-loa")
    vi, en = answer_place(p, "address", "vi"), answer_place(p, "address", "en")
    assert "xã Đông Anh" in vi and "trước 1/7/2025: xã Cổ Loa, huyện Đông Anh" in vi
    assert "(since 1 Jul 2025): Đông Anh commune (before 1 Jul 2025: Cổ Loa commune, Đông Anh district)" in en
    assert p.address_en in en and p.address not in en


def test_bus_answer_carries_the_note() -> None:
    text = answer_place(place("duong-lam"), "bus", "vi")
    assert "70A" in text and "xe ôm" in text


def test_festival_answer_gives_next_solar_date() -> None:
    text = answer_place(place("chua-huong"), "festival", "vi", today=date(2026, 1, 10))
    assert "6/1 âm lịch" in text and "22/02/2026" in text
    text_en = answer_place(place("chua-huong"), "festival", "en", today=date(2026, 3, 1))
    assert "lunar 6/1" in text_en and "2027" in text_en


def test_bad_aspect_raises() -> None:
    with pytest.raises(ValueError):
        answer_place(place("bat-trang"), "parking")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("làm cccd", "cap-the-can-cuoc"),
        ("lam can cuoc", "cap-the-can-cuoc"),
        ("lm cccd can j", "cap-the-can-cuoc"),
        ("đăng kí kết hôn", "dang-ky-ket-hon"),
        ("dkkh", "dang-ky-ket-hon"),
        ("lam giay khai sinh cho con", "dang-ky-khai-sinh"),
        ("ly lich tu phap", "phieu-ly-lich-tu-phap"),
        ("đóng tiền điện online", "thanh-toan-tien-dien"),
        ("pay my water bill", "thanh-toan-tien-nuoc"),
        ("sang tên sổ đỏ", "sang-ten-so-do"),
        ("nhập hk cho con", "dang-ky-thuong-tru"),  # hk = hộ khẩu here, not "không"
        ("dk tam tru cho ng thue nha", "dang-ky-tam-tru"),  # chat teencode (ng) from data/teencode.yaml
    ],
)
def test_find_procedure_variants(query: str, expected: str) -> None:
    hits = find_procedure(query)
    assert hits and hits[0][0].id == expected


def test_find_procedure_nonsense() -> None:
    assert find_procedure("xyzzy qwerty") == []
    assert find_procedure("") == []


def test_procedure_answers_trace_fields() -> None:
    proc = get_procedure("chung-thuc-ban-sao")
    assert proc is not None
    summary = answer_procedure(proc)
    assert proc.fee in summary and "Hỏi thêm: giấy tờ? lệ phí? thời gian? nộp online?" in summary
    assert all(p in answer_procedure(proc, "papers") for p in proc.papers)
    assert proc.processing_time in answer_procedure(proc, "time")
    assert proc.where in answer_procedure(proc, "where")
    tam_tru = get_procedure("dang-ky-tam-tru")
    assert tam_tru is not None
    online = answer_procedure(tam_tru, "online")
    assert all(c in online for c in tam_tru.online.channels)
    assert "cần kiểm tra lại" in answer_procedure(tam_tru, "papers")  # papers flagged unverified


def test_procedure_unknowns() -> None:
    proc = get_procedure("dang-ky-lai-khai-sinh")
    assert proc is not None and proc.fee is None and not proc.papers
    assert "chưa có thông tin" in answer_procedure(proc, "fee")
    assert "unknown" in answer_procedure(proc, "fee", "en")
    assert "chưa có thông tin" in answer_procedure(proc, "papers")
    with pytest.raises(ValueError):
        answer_procedure(proc, "colour")
