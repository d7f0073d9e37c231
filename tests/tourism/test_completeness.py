"""How complete and how traceable the tourism and procedure data are.

The floors below are the counts the verification pass reached (README, Data table); a later
edit that loses a fact or a source fails here. Wards and coordinates are checked against the
official administrative dataset shipped in vietnamadminunits, not against the YAML itself.
"""

from __future__ import annotations

import copy
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from nlu.gazetteer import all_wards
from tourism.answer import answer_place
from tourism.procedures import answer_procedure, load_procedures
from tourism.search import festival_dates
from tourism.sites import DATA_PATH as SITES_PATH
from tourism.sites import HANOI_BBOX, Place, SitesDataError, load_places, numbers_in, parse_places
from tourism.wards import derive_ward, inside_old_unit, old_unit

# Counts reached by the verification passes (67 places, 41 procedures); the second pass added
# hours/prices/buses/festivals and procedure fees/times found with the search tool.
FLOORS = {"ward": 67, "coords": 67, "hours": 23, "price": 26, "bus": 16, "festivals": 25}
# craft villages alone (hours and tickets: none found in sources, so null, not invented)
CRAFT_FLOORS = {"bus": 3, "festivals": 8}
PROC_FLOORS = {"fee": 19, "processing_time": 16, "where": 41, "online": 38}
# Coordinates may sit just outside the old ward's bounding box (about 1 km): the boxes come
# from a geocoder and many places lie on a ward's edge (a lake shore, a main road).
MARGIN_DEG = 0.01


def _raw() -> Any:
    with SITES_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _count(places: tuple[Place, ...]) -> dict[str, int]:
    return {
        "ward": sum(p.ward is not None for p in places),
        "coords": sum(p.lat is not None for p in places),
        "hours": sum(p.opening_hours is not None for p in places),
        "price": sum(p.ticket_price is not None for p in places),
        "bus": sum(bool(p.bus) or p.bus_note is not None for p in places),
        "festivals": sum(bool(p.festivals) for p in places),
    }


def test_completeness_floors() -> None:
    counts = _count(load_places())
    assert {k: counts[k] >= v for k, v in FLOORS.items()} == dict.fromkeys(FLOORS, True), counts
    crafts = _count(tuple(p for p in load_places() if p.type == "village_craft"))
    assert {k: crafts[k] >= v for k, v in CRAFT_FLOORS.items()} == dict.fromkeys(CRAFT_FLOORS, True), crafts


def test_every_ward_is_derived_from_the_old_address_and_exists() -> None:
    current = {w.full_name for w in all_wards()}
    assert len(current) == 126
    wrong = []
    for p in load_places():
        assert p.old_ward and p.old_district, p.id
        derived = derive_ward(p.old_ward, p.old_district, p.lat, p.lon)
        if p.ward != derived.ward.full_name or p.ward not in current:
            wrong.append((p.id, p.ward, derived.ward.full_name))
    assert not wrong


def test_coordinates_inside_hanoi_and_inside_the_old_ward() -> None:
    lat_min, lat_max, lon_min, lon_max = HANOI_BBOX
    outside = []
    for p in load_places():
        assert lat_min <= p.lat <= lat_max and lon_min <= p.lon <= lon_max, p.id
        unit = old_unit(p.old_ward, p.old_district)
        if not inside_old_unit(p.lat, p.lon, unit, MARGIN_DEG):
            outside.append((p.id, p.lat, p.lon, unit.name, unit.bounds))
        if p.coords_basis == "old-ward-centroid":
            assert (round(unit.centre[0], 5), round(unit.centre[1], 5)) == (p.lat, p.lon), p.id
        if p.coords_basis == "source":
            assert p.coords_source in p.sources_for("coords"), p.id
    assert not outside


def test_split_old_ward_is_resolved_by_the_coordinates() -> None:
    # Phường Điện Biên was split four ways: the Citadel is in phường Ba Đình, a point by the
    # Temple of Literature in phường Văn Miếu – Quốc Tử Giám.
    citadel = derive_ward("phường Điện Biên", "quận Ba Đình", 21.0340, 105.8400)
    assert citadel.split and citadel.ward.full_name == "phường Ba Đình"
    south = derive_ward("phường Điện Biên", "quận Ba Đình", 21.0199, 105.8370)
    assert south.ward.full_name == "phường Văn Miếu - Quốc Tử Giám"
    whole = derive_ward("xã Cổ Loa", "huyện Đông Anh", 21.1155, 105.8735)
    assert not whole.split and whole.ward.full_name == "xã Đông Anh"


def test_every_fact_names_a_source_listed_for_the_place() -> None:
    for p in load_places():
        groups = dict(p.fact_sources)
        assert {"description", "address", "ward", "coords"} <= set(groups), p.id
        assert ("hours" in groups) == (p.opening_hours is not None), p.id
        assert ("price" in groups) == (p.ticket_price is not None), p.id
        assert ("festivals" in groups) == bool(p.festivals), p.id


def _first(raw: Any, pred: Any) -> dict:
    return next(p for p in raw["places"] if pred(p))


def test_loader_refuses_an_unsourced_or_stray_fact() -> None:
    raw = _raw()
    unsourced = copy.deepcopy(raw)
    del _first(unsourced, lambda p: p["opening_hours"])["fact_sources"]["hours"]
    with pytest.raises(SitesDataError, match="hours"):
        parse_places(unsourced)
    stray = copy.deepcopy(raw)
    _first(stray, lambda p: p["opening_hours"])["fact_sources"]["hours"] = ["https://example.invalid/made-up"]
    with pytest.raises(SitesDataError, match="not in sources"):
        parse_places(stray)
    null_with_source = copy.deepcopy(raw)
    _first(null_with_source, lambda p: p["opening_hours"] is None)["fact_sources"]["hours"] = ["x"]
    with pytest.raises(SitesDataError, match="null fact"):
        parse_places(null_with_source)
    bad_basis = copy.deepcopy(raw)
    bad_basis["places"][0]["coords_basis"] = "guessed"
    with pytest.raises(SitesDataError, match="coords_basis"):
        parse_places(bad_basis)


_NUM_RE = re.compile(r"\d+")
# Numbers the answer templates themselves contain ("từ 1/7/2025").
_TEMPLATE_NUMBERS = {"1", "7", "2025"}


def _place_numbers(p: Place, today: date) -> set[str]:
    texts = [p.name_vi, p.name_en, p.description_vi, p.description_en, p.address or "", p.ward or "",
             p.old_ward or "", p.old_district or "", p.opening_hours or "", p.ticket_price or "",
             " ".join(p.bus or ()), p.bus_note or "", " ".join(p.products), p.maps_url]
    for f in p.festivals:
        texts += [f.name_vi, f.name_en, f"{f.day} {f.month}"]
        for year in (today.year, today.year + 1, today.year + 2):
            for start, end in festival_dates(f, year):
                texts += [f"{d.day:02d} {d.month:02d} {d.year}" for d in (start, end)]
    return {n for t in texts for n in _NUM_RE.findall(t)} | {n.lstrip("0") or "0" for t in texts
                                                           for n in _NUM_RE.findall(t)}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_number_in_a_place_answer_comes_from_data(lang: str) -> None:
    today = date(2026, 3, 1)
    for p in load_places():
        allowed = _place_numbers(p, today) | _TEMPLATE_NUMBERS
        for aspect in (None, "hours", "price", "bus", "address", "festival", "products"):
            text = answer_place(p, aspect, lang, today=today)
            invented = {n for n in _NUM_RE.findall(text) if n not in allowed and n.lstrip("0") not in allowed}
            assert not invented, (p.id, aspect, invented, text)


def test_place_answers_quote_the_field_they_answer() -> None:
    for p in load_places():
        if p.opening_hours:
            assert p.opening_hours in answer_place(p, "hours")
        if p.ticket_price:
            assert p.ticket_price in answer_place(p, "price")
        if p.bus_note:
            assert p.bus_note in answer_place(p, "bus")
        addr = answer_place(p, "address")
        assert (p.address or "") in addr and p.ward in addr and p.old_ward in addr


def test_procedure_completeness_and_traceability() -> None:
    procs = load_procedures()
    counts = {
        "fee": sum(p.fee is not None for p in procs),
        "processing_time": sum(p.processing_time is not None for p in procs),
        "where": sum(p.where is not None for p in procs),
        "online": sum(bool(p.online.channels) for p in procs),
    }
    assert {k: counts[k] >= v for k, v in PROC_FLOORS.items()} == dict.fromkeys(PROC_FLOORS, True), counts
    for p in procs:
        # the Vietnamese fields only: English numbers must come from them too
        data = " ".join([p.name_vi, p.name_en, p.fee or "", p.processing_time or "", p.where or "",
                         " ".join(p.papers), " ".join(p.online.channels), " ".join(p.online.steps),
                         p.legal_basis or ""])
        allowed = set(numbers_in(data)) | {str(i) for i in range(1, len(p.online.steps) + 1)}  # step numbers
        for aspect in (None, "papers", "fee", "time", "where", "online"):
            for lang in ("vi", "en"):
                text = answer_procedure(p, aspect, lang=lang)
                invented = set(numbers_in(text)) - allowed
                assert not invented, (p.id, aspect, lang, invented, text)
        if p.fee:
            assert p.fee in answer_procedure(p, "fee")


def test_sources_section_lists_the_admin_dataset() -> None:
    text = Path(SITES_PATH).read_text(encoding="utf-8")
    assert "https://pypi.org/project/vietnamadminunits/" in text.split("places:")[0]


def test_derived_wards_agree_with_sources_that_name_the_new_unit() -> None:
    # pages written after 1 July 2025 that give the new unit; the derivation never saw them
    named = {"quang-phu-cau": "xã Ứng Thiên", "van-mieu-quoc-tu-giam": "phường Văn Miếu - Quốc Tử Giám"}
    places = {p.id: p for p in load_places()}
    assert {pid: places[pid].ward for pid in named} == named
