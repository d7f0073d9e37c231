"""The ward/commune in force since 1 July 2025 for a place, derived from its old address.

Why this exists: guide books and relic boards still give the old three-tier address
("phường Văn Miếu, quận Đống Đa"). Guessing the new unit by name is wrong whenever an old
ward was split, so sites.yaml stores the old ward and district and this module derives the
current unit from the conversion table of the ``vietnamadminunits`` package (Resolution
1656/NQ-UBTVQH15), the same data nlu/gazetteer.py reads:

- an old ward that went whole into one new unit maps to that unit;
- an old ward split among several new units is resolved with the package's own rule for a
  known point: the new unit whose square (centre and area from the package) contains the
  place's coordinates, else the new unit with the nearest centre.

It also gives the bounding box of the old ward from the package's legacy table, so a test
can check every coordinate against an official administrative dataset.

Only build-time checks and tests use this module (the answers read the stored ``ward``), so
it may read the package's SQLite file; it still never imports the package itself (that pulls
in shapely/geopy and a network geocoder).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from nlu.gazetteer import Ward, all_wards
from nlu.text import fold

_PROVINCE = "thanhphohanoi"
_WARD_PREFIXES = ("phường ", "xã ", "thị trấn ")
_DISTRICT_PREFIXES = ("quận ", "huyện ", "thị xã ", "thành phố ")
_KM_PER_DEG_LAT = 111.32


class WardLookupError(LookupError):
    """The old ward/district pair is not in the package's legacy table."""


@dataclass(frozen=True, slots=True)
class OldUnit:
    """A pre-July-2025 ward/commune as the package's legacy table records it."""

    key: str  # "thanhphohanoi_quandongda_phuongvanmieuquoctugiam"
    name: str  # "Phường Văn Miếu Quốc Tử Giám"
    district: str  # "Quận Đống Đa"
    centre: tuple[float, float]
    bounds: tuple[float, float, float, float]  # lat_min, lat_max, lon_min, lon_max


@dataclass(frozen=True, slots=True)
class Derivation:
    """The current unit and how it was reached (for the data file and the report)."""

    ward: Ward
    old: OldUnit
    split: bool  # the old ward was divided; the coordinates chose among the new units


def _data_dir() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("vietnamadminunits is not installed: pip install -r requirements/gazetteer.txt")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _compact(text: str) -> str:
    return "".join(ch for ch in fold(unicodedata.normalize("NFC", text)) if ch.isalnum())


def _strip(text: str, prefixes: tuple[str, ...]) -> str:
    low = unicodedata.normalize("NFC", text).strip()
    for p in prefixes:
        if low.lower().startswith(p):
            return low[len(p):]
    return low


@functools.lru_cache(maxsize=1)
def _legacy() -> dict[tuple[str, str], OldUnit]:
    """(district compact, ward compact or keyword) → old unit, for Hanoi only."""
    con = sqlite3.connect(f"file:{_data_dir() / 'dataset.db'}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT district, ward, districtShort, districtKey, wardKey, wardLat, wardLon, wardBounds, wardKeywords "
            "FROM admin_units_legacy WHERE provinceKey = ?", (_PROVINCE,)
        ).fetchall()
    finally:
        con.close()
    out: dict[tuple[str, str], OldUnit] = {}
    for district, ward, district_short, dkey, wkey, lat, lon, bounds, keywords in rows:
        (a, b), (c, d) = (tuple(float(x) for x in part.split(",")) for part in bounds.split(" – "))
        unit = OldUnit(f"{_PROVINCE}_{dkey}_{wkey}", ward, district, (lat, lon), (a, c, b, d))
        dist = _compact(district_short)
        for kw in json.loads(keywords or "[]"):
            out.setdefault((dist, kw), unit)  # keywords include names merged away earlier
    return out


@functools.lru_cache(maxsize=1)
def _conversion() -> tuple[dict[str, str], dict[str, list[dict]]]:
    with (_data_dir() / "converter_2025.json").open(encoding="utf-8") as fh:
        conv = json.load(fh)
    whole = {old: new for new, olds in conv["DICT_PROVINCE_WARD_NO_DIVIDED"][_PROVINCE].items() for old in olds}
    return whole, conv["DICT_PROVINCE_WARD_DIVIDED"][_PROVINCE]


@functools.lru_cache(maxsize=1)
def _wards_by_key() -> dict[str, Ward]:
    return {_compact(w.full_name): w for w in all_wards()}


def old_unit(old_ward: str, old_district: str) -> OldUnit:
    """The legacy record of "phường Hàng Trống", "quận Hoàn Kiếm" (prefixes may be omitted)."""
    dist = _compact(_strip(old_district, _DISTRICT_PREFIXES))
    typed = _compact(old_ward)
    bare = _compact(_strip(old_ward, _WARD_PREFIXES))
    table = _legacy()
    unit = table.get((dist, typed)) or table.get((dist, bare))
    if unit is None:
        raise WardLookupError(f"{old_ward!r}, {old_district!r} is not an old Hanoi ward in vietnamadminunits")
    return unit


def _inside_square(point: tuple[float, float], centre: tuple[float, float], area_km2: float) -> bool:
    half = math.sqrt(area_km2) / 2
    dlat = half / _KM_PER_DEG_LAT
    dlon = half / (_KM_PER_DEG_LAT * math.cos(math.radians(centre[0])))
    return abs(point[0] - centre[0]) <= dlat and abs(point[1] - centre[1]) <= dlon


def _distance_km(p: tuple[float, float], q: tuple[float, float]) -> float:
    lat = math.radians((p[0] + q[0]) / 2)
    return math.hypot((p[0] - q[0]) * _KM_PER_DEG_LAT, (p[1] - q[1]) * _KM_PER_DEG_LAT * math.cos(lat))


def derive_ward(old_ward: str, old_district: str, lat: float, lon: float) -> Derivation:
    """Current ward/commune for an old address and the place's coordinates."""
    unit = old_unit(old_ward, old_district)
    whole, divided = _conversion()
    split = unit.key in divided
    if not split:
        new_key = whole.get(unit.key)
        if new_key is None:
            raise WardLookupError(f"no 2025 conversion for {unit.key}")
    else:
        options = divided[unit.key]
        point = (lat, lon)
        containing = [o for o in options
                      if _inside_square(point, (o["newWardLat"], o["newWardLon"]), o["newWardAreaKm2"])]
        if len(containing) == 1:
            new_key = containing[0]["newWardKey"]
        else:
            pool = containing or options
            new_key = min(pool, key=lambda o: _distance_km(point, (o["newWardLat"], o["newWardLon"])))["newWardKey"]
    ward = _wards_by_key().get(new_key)
    if ward is None:
        raise WardLookupError(f"{new_key} is not one of the 126 current units in the gazetteer")
    return Derivation(ward, unit, split)


def inside_old_unit(lat: float, lon: float, unit: OldUnit, margin_deg: float = 0.0) -> bool:
    """Whether a point lies in the old ward's bounding box (widened by `margin_deg`)."""
    lat_min, lat_max, lon_min, lon_max = unit.bounds
    return (lat_min - margin_deg <= lat <= lat_max + margin_deg
            and lon_min - margin_deg <= lon <= lon_max + margin_deg)
