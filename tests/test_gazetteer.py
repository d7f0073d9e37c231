"""nlu/gazetteer.py: Hanoi's 126 current wards/communes and the old names.

Old→new examples are those stated by press reports of Resolution 1656/NQ-UBTVQH15
(each old ward below was merged whole, or for the most part, into the new one):
- phường Láng = all of Láng Thượng + most of Láng Hạ (+ part of Ngọc Khánh):
  https://beta-hn.tek4tv.vn/phuong-lang-tat-ca-thong-tin-chi-dan-ban-can-biet-344166.htm
- xã Bát Tràng = all of Kim Đức + most of Bát Tràng, Đa Tốn:
  https://cloudwebhn.tek4tv.vn/xa-vinh-thanh-nhung-thong-tin-chi-tiet-sau-sap-xep-344047.htm
- phường Hồng Hà = all of Phúc Tân, Chương Dương (Hoàn Kiếm), Phúc Xá (Ba Đình) + ...:
  https://baomoi.net.vn/dien-mao-phuong-rong-nhat-ha-noi-sau-sap-nhap-c52653261.epi
- phường Hoàn Kiếm = all of Hàng Bạc, Hàng Bồ, Hàng Buồm, Hàng Đào, Hàng Gai, Hàng Mã,
  Lý Thái Tổ + ...; phường Ba Đình = all of Quán Thánh, Trúc Bạch + ...; phường Ngọc
  Hà = all of Vĩnh Phúc, Liễu Giai + ...:
  https://www.vietnam.vn/pt/ha-noi-chinh-thuc-co-126-xa-phuong
Ward codes are checked against a seed that follows Decision 19/2025/QĐ-TTg:
https://github.com/thanglequoc/vietnamese-provinces-database (01_HaNoi.sql).
"""

from __future__ import annotations

import time
import unicodedata

import pytest

from nlu import gazetteer as g
from nlu.gazetteer import Ward


def _ward(full_name: str) -> Ward:
    found = [w for w in g.all_wards() if w.full_name == full_name]
    assert len(found) == 1, full_name
    return found[0]


# ------------------------------------------------------------------------ the list


def test_126_wards() -> None:
    wards = g.all_wards()
    assert len(wards) == 126
    kinds = [w.kind for w in wards]
    assert kinds.count("phường") == 51
    assert kinds.count("xã") == 75
    assert len({w.code for w in wards}) == 126
    assert len({w.unit_id for w in wards}) == 126
    assert len({g.fold(w.name) for w in wards}) == 126  # no name is both a phường and a xã


def test_ward_fields() -> None:
    for w in g.all_wards():
        assert unicodedata.is_normalized("NFC", w.name)
        assert w.full_name == f"{w.kind} {w.name}"
        assert w.unit_id.isascii() and w.unit_id.startswith("ubnd-")
        assert len(w.code) == 5 and w.code.isdigit()
        assert g.get_ward(w.code) == w
        assert g.ward_by_unit_id(w.unit_id) == w


@pytest.mark.parametrize(
    ("full_name", "code", "unit_id"),
    [
        ("phường Láng", "00199", "ubnd-phuong-lang"),
        ("phường Hoàn Kiếm", "00070", "ubnd-phuong-hoan-kiem"),
        ("phường Văn Miếu - Quốc Tử Giám", "00226", "ubnd-phuong-van-mieu-quoc-tu-giam"),
        ("xã Bát Tràng", "00577", "ubnd-xa-bat-trang"),
        ("xã Hương Sơn", "10489", "ubnd-xa-huong-son"),
    ],
)
def test_known_wards(full_name: str, code: str, unit_id: str) -> None:
    w = _ward(full_name)
    assert (w.code, w.unit_id) == (code, unit_id)


def test_fold() -> None:
    assert g.fold("Phường Láng Hạ") == "phuong lang ha"
    assert g.fold("ĐỐNG ĐA") == "dong da"
    assert g.fold(unicodedata.normalize("NFD", "Bát Tràng")) == "bat trang"
    assert g.fold("Hoà") == g.fold("Hòa") == "hoa"


# ----------------------------------------------------------------------- find_ward


@pytest.mark.parametrize(
    ("text", "full_name"),
    [
        ("rác ở phường láng", "phường Láng"),
        ("p. Lang", "phường Láng"),
        ("P.Láng ngập sâu", "phường Láng"),
        ("p Lang", "phường Láng"),
        ("Phường Láng", "phường Láng"),
        ("xa bat trang", "xã Bát Tràng"),
        ("x. Bát Tràng có rác", "xã Bát Tràng"),
        ("nhà tôi ở Bát Tràng", "xã Bát Tràng"),
        ("BAT TRANG bi ngap", "xã Bát Tràng"),
        ("phường Phương Liệt", "phường Phương Liệt"),
        ("Phuong Liet mat nuoc", "phường Phương Liệt"),
        ("phuong van mieu quoc tu giam", "phường Văn Miếu - Quốc Tử Giám"),
        ("Văn Miếu - Quốc Tử Giám", "phường Văn Miếu - Quốc Tử Giám"),
        ("phường Cầu Giấy, gần đường Xuân Thủy", "phường Cầu Giấy"),
        ("xã Chương Dương, Hà Nội", "xã Chương Dương"),
    ],
)
def test_find_ward(text: str, full_name: str) -> None:
    ward = g.find_ward(text)
    assert ward is not None, text
    assert ward.full_name == full_name


@pytest.mark.parametrize(
    "text",
    [
        "",
        "rác thải không ai thu gom",
        "đường Láng bị ngập",  # a street, not the ward
        "hàng xóm láng giềng ồn ào",  # an ordinary word
        "ở Đống Đa",  # bare: may mean the old quận
        "quận Cầu Giấy",  # the old district
        "phường Láng Hạ, quận Đống Đa",  # an old ward that no longer exists
        "bệnh viện Bạch Mai",  # a landmark
        "Bát Tràng và Hòa Lạc",  # two bare wards: ambiguous
        "plang",  # no prefix separator
        "bến Đục chùa Hương có đò không",  # "có đò" folds to Cổ Đô
        "ben Duc co do khong",  # the same, typed plain
        "taxi from Noi Bai airport to the Old Quarter",  # the airport
        "sân bay Nội Bài",
        "đón ở Nội Bài lúc 9 giờ",  # bare Nội Bài is the airport
        "Kim Liên street is flooded",  # English tail word: a street
    ],
)
def test_find_ward_none(text: str) -> None:
    assert g.find_ward(text) is None


@pytest.mark.parametrize(
    "text,full_name",
    [
        ("lũ tràn vào Cổ Đô rồi", "xã Cổ Đô"),  # typed with its own diacritics
        ("ngap o xa co do", "xã Cổ Đô"),  # prefixed: plain is fine
        ("xã Nội Bài mất điện", "xã Nội Bài"),
        ("đi Bat Tràng mua gốm", "xã Bát Tràng"),  # partly accented, accents agree
        ("Bat Trang village", "xã Bát Tràng"),
    ],
)
def test_find_ward_accents_and_landmarks(text: str, full_name: str) -> None:
    ward = g.find_ward(text)
    assert ward is not None and ward.full_name == full_name


def test_prefix_inside_a_longer_name_reads_as_prefix() -> None:
    # "ủy ban nhân dân phường Yên Sở": not the district Đan Phượng.
    assert g.find_ward("ủy ban nhân dân phường Yên Sở") is not None
    assert g.find_district("uy ban nhan dan phuong Yen So") is None
    # "quận Thanh Xuan": not the old ward Quán Thánh followed by "Xuan".
    assert g.find_district("den hong o quận Thanh Xuan")[0] == "quận Thanh Xuân"


def test_prefixed_beats_bare() -> None:
    ward = g.find_ward("từ Bát Tràng về phường Láng")
    assert ward is not None and ward.full_name == "phường Láng"


def test_find_ward_span_offsets() -> None:
    text = "rác ở phường Láng nhé"
    found = g.find_ward_span(text)
    assert found is not None
    ward, start, end = found
    assert text[start:end] == "phường Láng"
    assert ward.unit_id == "ubnd-phuong-lang"

    text = "Ngập ở xa bat trang!"
    _, start, end = g.find_ward_span(text) or (None, 0, 0)
    assert text[start:end] == "xa bat trang"


def test_find_ward_span_nfd_input() -> None:
    text = unicodedata.normalize("NFD", "rác ở Phường Láng nhé")
    found = g.find_ward_span(text)
    assert found is not None
    _, start, end = found
    assert unicodedata.normalize("NFC", text[start:end]) == "Phường Láng"


def test_find_ward_phuong_name_after_prefix() -> None:
    # "phường Mai Động" must not be read as "Phương Mai" + "Động".
    found = g.find_old_ward_span("phuong mai dong bi ngap")
    assert found is not None and found[0] == "phường Mai Động"


# ------------------------------------------------------------------- find_district


@pytest.mark.parametrize(
    ("text", "name", "mention"),
    [
        ("quận Đống Đa", "quận Đống Đa", "quận Đống Đa"),
        ("nhà ở q.Cau Giay", "quận Cầu Giấy", "q.Cau Giay"),
        ("Q. Hoàn Kiếm", "quận Hoàn Kiếm", "Q. Hoàn Kiếm"),
        ("huyện Gia Lâm", "huyện Gia Lâm", "huyện Gia Lâm"),
        ("h. Dong Anh", "huyện Đông Anh", "h. Dong Anh"),
        ("thị xã Sơn Tây", "thị xã Sơn Tây", "thị xã Sơn Tây"),
        ("ở Nam Từ Liêm", "quận Nam Từ Liêm", "Nam Từ Liêm"),
        ("phường Láng Hạ, quận Đống Đa", "quận Đống Đa", "quận Đống Đa"),
    ],
)
def test_find_district(text: str, name: str, mention: str) -> None:
    found = g.find_district(text)
    assert found is not None, text
    got, start, end = found
    assert got == name
    assert text[start:end] == mention


@pytest.mark.parametrize("text", ["phường Cầu Giấy", "xã Gia Lâm", "đường Cầu Giấy", "không có gì"])
def test_find_district_none(text: str) -> None:
    assert g.find_district(text) is None


def test_find_old_ward_span() -> None:
    text = "ngõ 5 phường Láng Hạ, quận Đống Đa"
    found = g.find_old_ward_span(text)
    assert found is not None
    name, start, end = found
    assert name == "phường Láng Hạ"
    assert text[start:end] == "phường Láng Hạ"
    assert g.find_old_ward_span("phường Láng") is None  # a current ward


# --------------------------------------------------------------------- resolve_old


@pytest.mark.parametrize(
    ("ward_old", "district_old", "full_name"),
    [
        ("phường Láng Thượng", "quận Đống Đa", "phường Láng"),
        ("phường Láng Hạ", "quận Đống Đa", "phường Láng"),
        ("Lang Ha", "Dong Da", "phường Láng"),
        ("p. Láng Thượng", None, "phường Láng"),
        ("xã Kim Đức", "huyện Gia Lâm", "xã Bát Tràng"),
        ("xã Bát Tràng", "huyện Gia Lâm", "xã Bát Tràng"),
        ("phường Phúc Xá", "quận Ba Đình", "phường Hồng Hà"),
        ("p. Phuc Xa", "q. Ba Dinh", "phường Hồng Hà"),
        ("phường Phúc Tân", "quận Hoàn Kiếm", "phường Hồng Hà"),
        ("phường Chương Dương", "quận Hoàn Kiếm", "phường Hồng Hà"),
        ("phường Hàng Bạc", "quận Hoàn Kiếm", "phường Hoàn Kiếm"),
        ("Hàng Gai", None, "phường Hoàn Kiếm"),
        ("phường Lý Thái Tổ", "quận Hoàn Kiếm", "phường Hoàn Kiếm"),
        ("phường Quán Thánh", "quận Ba Đình", "phường Ba Đình"),
        ("phường Trúc Bạch", "Ba Đình", "phường Ba Đình"),
        ("phường Vĩnh Phúc", "quận Ba Đình", "phường Ngọc Hà"),
        ("phường Liễu Giai", "quận Ba Đình", "phường Ngọc Hà"),
    ],
)
def test_resolve_old(ward_old: str, district_old: str | None, full_name: str) -> None:
    ward = g.resolve_old(ward_old, district_old)
    assert ward is not None, (ward_old, district_old)
    assert ward.full_name == full_name


def test_resolve_old_ambiguous_or_missing() -> None:
    # "Chương Dương" was a phường of Hoàn Kiếm and a xã of Thường Tín.
    assert g.resolve_old("Chương Dương", None) is None
    assert g.resolve_old(None, "quận Đống Đa") is None
    assert g.resolve_old("", None) is None
    assert g.resolve_old("phường Không Tồn Tại", None) is None
    assert g.resolve_old("phường Láng Hạ", "quận Không Có") is None


def test_resolve_old_accepts_a_current_name() -> None:
    ward = g.resolve_old("phường Láng", "quận Đống Đa")
    assert ward is not None and ward.full_name == "phường Láng"


def test_pipeline_old_address() -> None:
    text = "Cống tràn ở ngõ 5 phường Láng Hạ, quận Đống Đa"
    assert g.find_ward(text) is None
    old = g.find_old_ward_span(text)
    district = g.find_district(text)
    assert old is not None and district is not None
    ward = g.resolve_old(old[0], district[0])
    assert ward is not None and ward.unit_id == "ubnd-phuong-lang"


# ------------------------------------------------------------------------- speed


def test_lookups_are_fast() -> None:
    text = (
        "Chào anh, rác thải ở ngõ 12 đường Láng Hạ, phường Láng, quận Đống Đa chưa được "
        "thu gom 3 ngày rồi, mùi hôi quá, đề nghị xử lý gấp giúp em"
    )
    g.find_ward_span(text)  # loads the data
    n = 200
    start = time.perf_counter()
    for _ in range(n):
        g.find_ward_span(text)
        g.find_district(text)
        g.resolve_old("phường Láng Hạ", "quận Đống Đa")
    per_call = (time.perf_counter() - start) / (3 * n)
    assert per_call < 1e-3


@pytest.mark.parametrize(
    ("text", "street"),
    [
        ("trước số 200 Xuân Thủy có ổ gà", "Xuân Thủy"),  # house number, then the street
        ("a restaurant on Hang Buom street", "Hang Buom"),  # English word order
        ("The Kim Ma Road is flooded", "Kim Ma"),
    ],
)
def test_street_entities(text: str, street: str) -> None:
    from nlu.entities import extract

    assert [e.value for e in extract(text) if e.entity == "street"] == [street]


def test_duong_lam_is_a_village_not_a_street() -> None:
    from nlu.entities import extract

    assert not [e for e in extract("đi làng cổ Đường Lâm") if e.entity == "street"]
