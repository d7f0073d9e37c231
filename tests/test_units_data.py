"""data/units.yaml and data/categories.yaml: internally consistent and complete.

These files decide where a citizen's report goes, so a typo in an id or a missing
ward must fail the build, not misroute a ticket.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.documents import strings

DATA = Path(__file__).resolve().parent.parent / "data"

UNIT_KINDS = {
    "department", "police", "emergency", "utility", "ward", "commune", "inspection", "triage",
}
REPORT_CATEGORIES = {
    "waste", "flooding_drainage", "road_damage", "traffic_order", "street_lighting",
    "trees_parks", "pollution_noise", "construction_violation", "urban_order",
    "water_supply", "electricity", "food_safety", "public_security", "admin_procedure",
    "health_service", "education", "tourism_service", "other",
}
EMERGENCY_HOTLINES = {"fire": "114", "crime": "113", "medical": "115", "rescue": "114"}
REQUIRED_CITY_UNITS = {
    "so-xay-dung": "department",
    "so-nong-nghiep-moi-truong": "department",
    "so-y-te": "department",
    "chi-cuc-attp": "department",
    "so-giao-duc-dao-tao": "department",
    "so-du-lich": "department",
    "so-van-hoa-the-thao": "department",
    "so-noi-vu": "department",
    "so-cong-thuong": "department",
    "thanh-tra-thanh-pho": "inspection",
    "cong-an-ha-noi": "police",
    "csgt-ha-noi": "police",
    "canh-sat-113": "emergency",
    "pccc-cnch-114": "emergency",
    "cap-cuu-115": "emergency",
    "cuu-nan-112": "emergency",
    "evn-ha-noi": "utility",
    "nuoc-sach-ha-noi": "utility",
    "thoat-nuoc-ha-noi": "utility",
    "hapulico": "utility",
    "cong-vien-cay-xanh": "utility",
    "urenco": "utility",
    "triage": "triage",
}
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _load(name: str) -> dict[str, Any]:
    raw = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    assert isinstance(raw, dict)
    return raw


@pytest.fixture(scope="module")
def units_doc() -> dict[str, Any]:
    return _load("units.yaml")


@pytest.fixture(scope="module")
def categories_doc() -> dict[str, Any]:
    return _load("categories.yaml")


@pytest.fixture(scope="module")
def units(units_doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {u["id"]: u for u in units_doc["units"]}


@pytest.fixture(scope="module")
def categories(categories_doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in categories_doc["categories"]}


# ------------------------------------------------------------------------ both files


@pytest.mark.parametrize("name", ["units.yaml", "categories.yaml"])
def test_sources_listed(name: str) -> None:
    doc = _load(name)
    sources = doc.get("sources")
    assert sources, f"{name} must list its sources"
    for src in sources:
        assert src["title"].strip()
        assert re.match(r"^https?://", src["url"])
        assert dt.date(2026, 11, 22) <= src["accessed"] <= dt.date(2026, 12, 31)  # sources read this project


@pytest.mark.parametrize("name", ["units.yaml", "categories.yaml"])
def test_all_text_is_nfc(name: str) -> None:
    bad = [s for s in strings(_load(name)) if not unicodedata.is_normalized("NFC", s)]
    assert not bad


# ------------------------------------------------------------------------ units.yaml


def test_unit_ids_unique_and_kebab(units_doc: dict[str, Any]) -> None:
    ids = [u["id"] for u in units_doc["units"]]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes
    assert all(ID_RE.match(i) for i in ids), [i for i in ids if not ID_RE.match(i)]


def test_unit_fields(units_doc: dict[str, Any]) -> None:
    n_sources = len(units_doc["sources"])
    for u in units_doc["units"]:
        assert u["kind"] in UNIT_KINDS, u
        assert u["name"].strip() and u["name_en"].strip(), u
        assert u["name_en"].isascii(), u
        if "hotline" in u:
            assert isinstance(u["hotline"], str) and re.fullmatch(r"[0-9 ]+", u["hotline"]), u
            assert "source" in u, f"{u['id']}: a hotline needs a source"
        if "source" in u:
            assert isinstance(u["source"], int) and 0 <= u["source"] < n_sources, u


def test_required_city_units(units: dict[str, dict[str, Any]]) -> None:
    for uid, kind in REQUIRED_CITY_UNITS.items():
        assert uid in units, uid
        assert units[uid]["kind"] == kind, uid
    assert units["triage"]["name"] == "Tổ điều phối tiếp nhận phản ánh"
    assert units["cap-cuu-115"]["name"] == "Trung tâm Cấp cứu 115 Hà Nội"
    assert "Chi cục An toàn vệ sinh thực phẩm" in units["chi-cuc-attp"]["name"]
    assert "PCCC và CNCH" in units["pccc-cnch-114"]["name"]


def test_emergency_unit_hotlines(units: dict[str, dict[str, Any]]) -> None:
    assert units["canh-sat-113"]["hotline"] == "113"
    assert units["pccc-cnch-114"]["hotline"] == "114"
    assert units["cap-cuu-115"]["hotline"] == "115"
    assert units["cuu-nan-112"]["hotline"] == "112"


def test_126_ward_units(units_doc: dict[str, Any]) -> None:
    kinds = Counter(u["kind"] for u in units_doc["units"] if u["kind"] in ("ward", "commune"))
    assert kinds == {"ward": 51, "commune": 75}


def test_ward_units_match_gazetteer(units_doc: dict[str, Any]) -> None:
    from nlu import gazetteer

    local = {u["id"]: u for u in units_doc["units"] if u["kind"] in ("ward", "commune")}
    wards = {w.unit_id: w for w in gazetteer.all_wards()}
    assert set(local) == set(wards)
    for uid, unit in local.items():
        ward = wards[uid]
        assert unit["name"] == f"UBND {ward.full_name}"
        assert unit["kind"] == ("ward" if ward.kind == "phường" else "commune")
        assert unit["ward_code"] == ward.code
        slug = re.sub(r"[^a-z0-9]+", "-", gazetteer.fold(ward.full_name)).strip("-")
        assert uid == "ubnd-" + slug


def test_ward_unit_examples(units: dict[str, dict[str, Any]]) -> None:
    assert units["ubnd-phuong-lang"]["name"] == "UBND phường Láng"
    assert units["ubnd-xa-bat-trang"]["name"] == "UBND xã Bát Tràng"
    assert units["ubnd-phuong-van-mieu-quoc-tu-giam"]["kind"] == "ward"


# ------------------------------------------------------------------- categories.yaml


def test_category_ids_are_the_contract(categories_doc: dict[str, Any]) -> None:
    ids = [c["id"] for c in categories_doc["categories"]]
    assert len(ids) == len(set(ids))
    assert set(ids) == REPORT_CATEGORIES | set(EMERGENCY_HOTLINES)


Rows = dict[str, dict[str, Any]]


def test_category_fields(categories: Rows, units: Rows) -> None:
    for cid, c in categories.items():
        assert c["intent"] == ("emergency" if cid in EMERGENCY_HOTLINES else "report_issue"), cid
        assert c["scope"] in {"local", "network", "emergency"}, cid
        assert c["urgency"] in {"emergency", "urgent", "normal"}, cid
        assert c["name_vi"].strip() and c["name_en"].strip(), cid
        assert c["why"].strip(), cid
        if c["unit"] is not None:
            assert c["unit"] in units, f"{cid} routes to unknown unit {c['unit']}"
        if c["scope"] != "local":
            assert c["unit"] is not None, f"{cid} ({c['scope']}) needs a unit"
        if c["scope"] == "local" and c["unit"] is not None:
            assert units[c["unit"]]["kind"] not in ("ward", "commune", "emergency"), cid


def test_emergency_categories(categories: Rows, units: Rows) -> None:
    for cid, number in EMERGENCY_HOTLINES.items():
        c = categories[cid]
        assert c["scope"] == "emergency" and c["urgency"] == "emergency"
        assert c["hotline"] == number
        assert units[c["unit"]]["hotline"] == number
    for cid in REPORT_CATEGORIES:
        assert categories[cid]["hotline"] is None
        assert categories[cid]["scope"] != "emergency"


def test_routing_decisions(categories: dict[str, dict[str, Any]]) -> None:
    local = {cid for cid, c in categories.items() if c["scope"] == "local"}
    assert {"waste", "urban_order", "construction_violation", "pollution_noise"} <= local
    network = {cid: c["unit"] for cid, c in categories.items() if c["scope"] == "network"}
    assert network["flooding_drainage"] == "thoat-nuoc-ha-noi"
    assert network["street_lighting"] == "hapulico"
    assert network["electricity"] == "evn-ha-noi"
    assert network["water_supply"] == "nuoc-sach-ha-noi"
    assert network["trees_parks"] == "cong-vien-cay-xanh"
    assert network["food_safety"] == "chi-cuc-attp"
    assert network["tourism_service"] == "so-du-lich"
