"""procedure / place / datetime entities (nlu.catalog, nlu.when) through nlu.entities.extract."""

from __future__ import annotations

import pytest

from nlu.entities import extract
from nlu.text import fold, normalize


def _ents(text: str) -> list[tuple[str, str]]:
    return [(e.entity, e.value) for e in extract(normalize(text))]


@pytest.mark.parametrize(("text", "procedure"), [
    ("làm căn cước cho con 14 tuổi cần gì", "cap-the-can-cuoc"),
    ("thu tuc dang ky ket hon o phuong", "dang-ky-ket-hon"),  # no diacritics
    ("what do I need to register marriage", "dang-ky-ket-hon"),  # English alias
    ("tôi muốn làm hộ chiếu", "cap-ho-chieu"),
])
def test_procedure_entity_is_the_catalog_id(text: str, procedure: str) -> None:
    assert ("procedure", procedure) in _ents(text)


@pytest.mark.parametrize(("text", "place"), [
    ("Văn Miếu mở cửa mấy giờ", "van-mieu-quoc-tu-giam"),
    ("How do I get to the Temple of Literature", "van-mieu-quoc-tu-giam"),
    ("cho tôi hỏi về chùa Hương", "chua-huong"),
])
def test_place_entity_is_the_catalog_id(text: str, place: str) -> None:
    assert ("place", place) in _ents(text)


def test_place_and_ward_can_share_words() -> None:
    found = _ents("di lang gom Bat Trang bang xe buyt so may")
    assert ("ward", "xã Bát Tràng") in found and ("place", "bat-trang") in found


def test_no_catalog_entities_in_an_ordinary_report() -> None:
    found = _ents("đèn đường hỏng ở phường Hoàn Kiếm")
    assert {e for e, _ in found} == {"ward"}


@pytest.mark.parametrize(("text", "when"), [
    ("chiều mai", "chiều mai"),
    ("đặt lịch 9h sáng thứ 3 tuần sau", "9h sáng thứ 3 tuần sau"),
    ("khoảng 3 giờ chiều hôm qua", "3 giờ chiều hôm qua"),
    ("dat lich lam ho chieu chieu mai 3h", "chieu mai 3h"),  # "hộ chiếu" is not "chiều"
    ("mai tôi đến nộp hồ sơ", "mai"),
    ("hẹn ngày 12/5 nhé", "ngày 12/5"),
    ("tomorrow at 9am please", "tomorrow at 9am"),
])
def test_datetime_entity_is_the_time_words(text: str, when: str) -> None:
    assert [v for e, v in _ents(text) if e == "datetime"] == [when]


@pytest.mark.parametrize("text", [
    "bệnh viện Bạch Mai",  # "Mai" in a name is not tomorrow
    "rác 3 ngày rồi chưa ai thu",  # a duration
    "lần thứ ba tôi đến phường",  # "the third time", not Tuesday
    "ngõ 12/5 Láng Hạ ngập",  # an alley number, not a date
    "mã HN-2611-4F7K",
])
def test_no_datetime(text: str) -> None:
    assert not [v for e, v in _ents(text) if e == "datetime"]


@pytest.mark.parametrize(("text", "ward"), [
    ("đường bị ngập ở phường Dịch Vọng Hậu", "phường Cầu Giấy"),   # old ward, merged on 1 July 2025
    ("duong bi ngap o phuong Dich Vong Hau", "phường Cầu Giấy"),
    ("rac o p. Lang Ha quan Dong Da", "phường Láng"),
    ("rác ở phường Láng", "phường Láng"),                          # a current ward is itself
])
def test_old_ward_names_become_the_current_ward(text: str, ward: str) -> None:
    from nlu.entities import ward_unit_for

    assert [v for e, v in _ents(text) if e == "ward"] == [ward]
    assert ward_unit_for(text) == "ubnd-" + fold(ward).replace(" ", "-")


def test_a_ward_prefix_is_not_a_place_alias() -> None:
    # "phường Trung" folds like the commune Phương Trung (làng Chuông's alias).
    assert not [v for e, v in _ents("cây đổ ở phường Trung Hòa") if e == "place"]
    assert [v for e, v in _ents("mua nón ở Phương Trung") if e == "place"] == ["lang-chuong"]
