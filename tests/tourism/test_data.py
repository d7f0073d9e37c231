"""Data-quality rules for sites.yaml and procedures.yaml that answers depend on."""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tourism.procedures import DATA_PATH as PROC_PATH
from tourism.procedures import ProceduresDataError, load_procedures, parse_procedures
from tourism.sites import DATA_PATH as SITES_PATH
from tourism.sites import HANOI_BBOX, PLACE_TYPES, SitesDataError, load_places, parse_places


def _raw(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


@pytest.mark.parametrize("path", [SITES_PATH, PROC_PATH], ids=["sites", "procedures"])
def test_all_text_is_nfc(path: Path) -> None:
    bad = [s for s in _strings(_raw(path)) if unicodedata.normalize("NFC", s) != s]
    assert not bad, f"non-NFC strings: {bad[:5]}"


def test_site_counts_and_types() -> None:
    places = load_places()
    crafts = [p for p in places if p.type == "village_craft"]
    others = [p for p in places if p.type != "village_craft"]
    assert len(others) >= 40, "need at least 40 relic/heritage sites"
    assert len(crafts) >= 20, "need at least 20 craft villages"
    assert {p.type for p in places} <= PLACE_TYPES
    assert all(p.products for p in crafts)


def test_required_sites_present() -> None:
    ids = {p.id for p in load_places()}
    must = {
        "van-mieu-quoc-tu-giam", "hoang-thanh-thang-long", "ho-hoan-kiem", "den-ngoc-son", "co-loa", "chua-huong",
        "duong-lam", "nha-tu-hoa-lo", "chua-tran-quoc", "chua-thay", "chua-tay-phuong", "lang-chu-tich-ho-chi-minh",
        "chua-mot-cot", "nha-hat-lon", "bat-trang", "van-phuc", "phu-vinh", "lang-chuong", "ha-thai",
        "quang-phu-cau", "son-dong", "kieu-ky", "xuan-la",
    }
    assert must <= ids, must - ids


def test_site_fields_coordinates_ids_sources() -> None:
    raw = _raw(SITES_PATH)
    assert raw["sources"], "top-level sources required"
    ids = [p["id"] for p in raw["places"]]
    assert len(ids) == len(set(ids))
    lat_min, lat_max, lon_min, lon_max = HANOI_BBOX
    for p in load_places():
        assert p.id.isascii() and p.id == p.id.lower()
        assert lat_min <= p.lat <= lat_max and lon_min <= p.lon <= lon_max, p.id
        assert p.sources and all(s.strip() for s in p.sources), p.id
        assert p.aliases and p.name_vi and p.name_en and p.description_vi and p.description_en
        if p.ward is not None:
            assert p.ward.startswith(("phường ", "xã ")), p.id
        for f in p.festivals:
            assert f.calendar in ("lunar", "solar")
    for rp in raw["places"]:
        for field in ("address", "ward", "opening_hours", "ticket_price", "bus", "festivals", "products"):
            assert field in rp, (rp["id"], field)


def test_procedures_counts_fields() -> None:
    raw = _raw(PROC_PATH)
    assert raw["sources"]
    procs = load_procedures()
    assert len(procs) >= 40
    ids = [p.id for p in procs]
    assert len(ids) == len(set(ids))
    for p in procs:
        assert p.id.isascii() and p.sources and p.aliases, p.id
        assert p.where is not None, p.id
    must = {
        "dang-ky-khai-sinh", "dang-ky-ket-hon", "dang-ky-thuong-tru", "dang-ky-tam-tru", "cap-the-can-cuoc",
        "dinh-danh-dien-tu-muc-2", "dang-ky-ho-kinh-doanh", "giay-phep-xay-dung-nha-o", "cap-so-do-lan-dau",
        "sang-ten-so-do", "phieu-ly-lich-tu-phap", "dang-ky-khai-tu", "chung-thuc-ban-sao",
        "thanh-toan-tien-dien", "thanh-toan-tien-nuoc", "thanh-toan-hoc-phi",
    }
    assert must <= set(ids), must - set(ids)
    for rp in raw["procedures"]:
        for field in ("papers", "fee", "processing_time", "where", "online", "sources", "aliases"):
            assert field in rp, (rp["id"], field)


def test_site_validation_rejects_bad_data() -> None:
    raw = _raw(SITES_PATH)
    outside = copy.deepcopy(raw)
    outside["places"][0]["lat"], outside["places"][0]["lon"] = 105.8, 21.0  # swapped
    with pytest.raises(SitesDataError):
        parse_places(outside)
    dup = copy.deepcopy(raw)
    dup["places"].append(copy.deepcopy(dup["places"][0]))
    with pytest.raises(SitesDataError):
        parse_places(dup)
    nosrc = copy.deepcopy(raw)
    nosrc["places"][0]["sources"] = []
    with pytest.raises(SitesDataError):
        parse_places(nosrc)
    badfest = copy.deepcopy(raw)
    badfest["places"][0]["festivals"] = [{"name_vi": "x", "name_en": "x", "calendar": "lunar", "month": 13, "day": 1}]
    with pytest.raises(SitesDataError):
        parse_places(badfest)


def test_procedure_validation_rejects_bad_data() -> None:
    raw = _raw(PROC_PATH)
    missing = copy.deepcopy(raw)
    del missing["procedures"][0]["fee"]
    with pytest.raises(ProceduresDataError):
        parse_procedures(missing)
    badflag = copy.deepcopy(raw)
    badflag["procedures"][0]["unverified"] = ["colour"]
    with pytest.raises(ProceduresDataError):
        parse_procedures(badflag)
