"""Address parts and the ward of a GPS point (feedback_router.tickets.places)."""

from __future__ import annotations

import pytest

from feedback_router.tickets.places import Address, parse_address, ward_at


@pytest.mark.parametrize(("text", "street", "alley", "house"), [
    ("rác thải ở ngõ 77 Chùa Bộc", "Chùa Bộc", "77", None),
    ("ngõ 77, Chùa Bộc, phường Kim Liên", "Chùa Bộc", "77", None),
    ("ngõ 7 Nguyễn Chí Thanh", "Nguyễn Chí Thanh", "7", None),
    ("ngõ 997 Láng Hạ, phường Láng", "Láng Hạ", "997", None),
    ("số 5 ngõ 12/34 Láng Hạ", "Láng Hạ", "12/34", "5"),
    ("ngõ 12 ngách 34 Láng Hạ", "Láng Hạ", "12/34", None),
    ("Cống trước số 18 phố Huế", "Huế", None, "18"),
    ("The street light in front of 25 Hang Bai street is broken", "Hang Bai", None, "25"),
    ("ngo 77 chua boc phuong kim lien", "chua boc", "77", None),
    ("số 1 Ô Chợ Dừa", "Ô Chợ Dừa", None, "1"),
    ("tôi không biết phường nào", None, None, None),
    ("", None, None, None),
])
def test_parse_address(text: str, street: str | None, alley: str | None, house: str | None) -> None:
    assert parse_address(text) == Address(street, alley, house)


def test_streets_compare_folded_but_respect_diacritics_typed_on_both_sides() -> None:
    assert parse_address("25 Hang Bai street").same_street(parse_address("số 25 phố Hàng Bài"))
    assert parse_address("số 25 phố Hàng Bài").same_street(parse_address("25 hàng bài"))
    assert not parse_address("số 5 Hàng Bè").same_street(parse_address("số 5 Hàng Bé"))
    assert parse_address("ngõ 45 Kim Mã").conflicts(parse_address("ngõ 45 Nguyễn Trãi"))
    assert parse_address("ngõ 12 Láng Hạ").conflicts(parse_address("ngõ 14 Láng Hạ"))
    assert not parse_address("phường Láng").conflicts(parse_address("ngõ 14 Láng Hạ"))
    assert parse_address("đường Láng, phường Láng").key is None  # a street alone is too vague


def test_ward_of_a_gps_point_is_the_nearest_ward_centre_with_its_distance() -> None:
    guess = ward_at(21.0285, 105.8542)  # Hoàn Kiếm lake
    assert guess is not None and guess.full_name == "phường Hoàn Kiếm" and 0 < guess.distance_m < 2000
    assert ward_at(10.7769, 106.7009) is None  # Ho Chi Minh City: not a Hanoi ward
    assert ward_at(None, 105.8) is None
