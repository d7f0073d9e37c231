"""Search, nearby, language detection and lunar festival conversion."""

from __future__ import annotations

from datetime import date

import pytest

from tourism.search import (
    detect_language,
    detect_place_aspect,
    detect_procedure_aspect,
    festival_dates,
    festivals_in_month,
    haversine_km,
    lunar_date_to_solar,
    nearby,
    search_places,
)
from tourism.sites import Festival, get_place


def top(query: str) -> str | None:
    hits = search_places(query)
    return hits[0][0].id if hits else None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Văn Miếu mở cửa mấy giờ", "van-mieu-quoc-tu-giam"),
        ("van mieu mo cua may gio", "van-mieu-quoc-tu-giam"),  # no diacritics
        ("hoang thanh thang long", "hoang-thanh-thang-long"),
        ("chua tran quok", "chua-tran-quoc"),  # misspelt
        ("bat trag", "bat-trang"),  # misspelt
        ("nha tu hoả lò", "nha-tu-hoa-lo"),  # old-style tone placement
        ("Temple of Literature ticket", "van-mieu-quoc-tu-giam"),  # English
        ("perfume pagoda", "chua-huong"),
        ("Hanoi Hilton", "nha-tu-hoa-lo"),
    ],
)
def test_names_aliases_variants(query: str, expected: str) -> None:
    assert top(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mua lụa ở đâu", "van-phuc"),
        ("mua lua o dau", "van-phuc"),
        ("where can I make pottery", "bat-trang"),
        ("gốm sứ đẹp mua ở đâu", "bat-trang"),
        ("nón lá", "lang-chuong"),
        ("incense village", "quang-phu-cau"),
        ("lacquer painting", "ha-thai"),
    ],
)
def test_products(query: str, expected: str) -> None:
    assert top(query) == expected


def test_diacritics_disambiguate() -> None:
    assert top("mua lúa ở đâu") != "van-phuc"  # lúa (rice) is not lụa (silk)
    assert top("chùa Hương") == "chua-huong"  # a name beats the product "hương" (incense)
    assert top("làng Chuông") == "lang-chuong"


@pytest.mark.parametrize(("query", "ptype"), [("chùa nào đẹp", "pagoda"), ("museums in Hanoi", "museum"),
                                              ("các làng nghề", "village_craft")])
def test_type_lists(query: str, ptype: str) -> None:
    hits = search_places(query, limit=3)
    assert len(hits) == 3 and all(p.type == ptype for p, _ in hits)


def test_nonsense_returns_nothing() -> None:
    assert search_places("xyzzy qwerty") == []
    assert search_places("") == []


def test_nearby_ordering_and_type() -> None:
    res = nearby(21.0281, 105.8352, n=5)
    assert res[0][0].id == "van-mieu-quoc-tu-giam"
    dists = [d for _, d in res]
    assert dists == sorted(dists)
    assert res[0][1] < 0.2
    crafts = nearby(21.0285, 105.8525, n=3, type="village_craft")
    assert all(p.type == "village_craft" for p, _ in crafts)
    assert nearby(21.0, 105.8, n=0) == []


def test_haversine_known_distance() -> None:
    # Hoàn Kiếm Lake → Temple of Literature is roughly 1.8 km
    assert 1.5 < haversine_km(21.0289, 105.8525, 21.0285, 105.8355) < 2.1


def test_lunar_conversion_vietnam() -> None:
    assert lunar_date_to_solar(2026, 1, 1) == date(2026, 2, 17)  # Tết Bính Ngọ
    assert lunar_date_to_solar(2026, 1, 6) == date(2026, 2, 22)  # chùa Hương opened 22/2/2026
    assert lunar_date_to_solar(2026, 1, 5) == date(2026, 2, 21)  # hội Gò Đống Đa 21/2/2026
    assert lunar_date_to_solar(2025, 1, 1) == date(2025, 1, 29)
    # UTC+7 vs UTC+8: Vietnam's Tết differs from China's in these years
    assert lunar_date_to_solar(2030, 1, 1) == date(2030, 2, 2)
    assert lunar_date_to_solar(2007, 1, 1) == date(2007, 2, 17)


def test_festivals_in_month() -> None:
    feb = festivals_in_month(2, 2026)
    found = {(o.place.id, o.start) for o in feb}
    assert ("chua-huong", date(2026, 2, 22)) in found
    assert ("go-dong-da", date(2026, 2, 21)) in found
    assert [o.start for o in feb] == sorted(o.start for o in feb)
    nov = {o.place.id for o in festivals_in_month(11, 2026)}
    assert "van-mieu-quoc-tu-giam" in nov  # solar 23/11 heritage day
    with pytest.raises(ValueError):
        festivals_in_month(13, 2026)


def test_multi_day_festival_spans_month_boundary() -> None:
    fest = Festival("x", "x", "solar", 1, 30, 5)
    (start, end), = festival_dates(fest, 2026)
    assert (start, end) == (date(2026, 1, 30), date(2026, 2, 3))


@pytest.mark.parametrize("text", ["Hello", "hi there", "thanks a lot", "thank you so much!", "good bye",
                                  "what is the weather today", "are you a bot?", "Is it open today?"])
def test_small_talk_in_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", ["xin chao", "cam on", "cam on ban nhieu", "chào bạn", "tam biet", "chao ban",
                                  "ban la ai", "ok", "alo", "ko hieu", "/greet",
                                  "hello ad ơi"])  # Vietnamese marks win
def test_small_talk_in_vietnamese(text: str) -> None:
    assert detect_language(text) == "vi"


def test_detect_language() -> None:
    assert detect_language("Where is the Temple of Literature?") == "en"
    assert detect_language("văn miếu ở đâu") == "vi"
    assert detect_language("van mieu o dau") == "vi"
    assert detect_language("") == "vi"


def test_detect_aspects() -> None:
    assert detect_place_aspect("giờ mở cửa Văn Miếu") == "hours"
    assert detect_place_aspect("ticket price") == "price"
    assert detect_place_aspect("xe buýt số mấy") == "bus"
    assert detect_procedure_aspect("làm cccd cần giấy tờ gì") == "papers"
    assert detect_procedure_aspect("lệ phí bao nhiêu") == "fee"
    assert detect_procedure_aspect("mất bao lâu") == "time"
    assert detect_procedure_aspect("nộp online được không") == "online"


def test_get_place() -> None:
    assert get_place("bat-trang") is not None
    assert get_place("nope") is None
