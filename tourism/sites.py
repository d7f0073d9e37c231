"""Load and validate the Hanoi sites/craft-village catalogue (data/tourism/sites.yaml).

The YAML is the single source of truth for every tourism answer, so it is validated strictly at
load time: a bad edit should fail at start-up (and in tests), not produce a wrong answer to a
tourist later. Loading is cached because the catalogue is read-only at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from nlu.text import nfc

DATA_PATH: Path = Path(__file__).resolve().parent.parent / "data" / "tourism" / "sites.yaml"

PLACE_TYPES: frozenset[str] = frozenset(
    {"relic", "museum", "temple", "pagoda", "lake", "village_craft", "ancient_village", "landmark"}
)
# Bounding box of Hanoi; a coordinate outside it is a typo (e.g. swapped lat/lon).
HANOI_BBOX: tuple[float, float, float, float] = (20.5, 21.4, 105.2, 106.1)  # lat_min, lat_max, lon_min, lon_max
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REQUIRED = (
    "id", "type", "name_vi", "name_en", "aliases", "description_vi", "description_en", "products",
    "address", "ward", "old_ward", "old_district", "lat", "lon", "coords_basis", "opening_hours",
    "ticket_price", "bus", "festivals", "fact_sources", "sources",
)
COORDS_BASES: frozenset[str] = frozenset({"source", "approximate", "old-ward-centroid"})
# Fact groups an answer can quote; each non-null one must name its sources (fact_sources).
FACT_GROUPS: frozenset[str] = frozenset(
    {"description", "address", "ward", "coords", "hours", "price", "bus", "festivals", "products"}
)
_URL_RE = re.compile(r"https?://\S+")


class SitesDataError(ValueError):
    """Raised when sites.yaml breaks a rule that answers rely on."""


@dataclass(frozen=True, slots=True)
class Festival:
    """A yearly event at a place; lunar dates are converted per year by the search module."""

    name_vi: str
    name_en: str
    calendar: str  # "lunar" | "solar"
    month: int
    day: int
    days: int = 1


@dataclass(frozen=True, slots=True)
class Place:
    """One relic, landmark or craft village; None means "not verified" and is said as such."""

    id: str
    type: str
    priority: int
    name_vi: str
    name_en: str
    aliases: tuple[str, ...]
    description_vi: str
    description_en: str
    products: tuple[str, ...]
    address: str | None
    ward: str | None
    lat: float
    lon: float
    opening_hours: str | None
    ticket_price: str | None
    bus: tuple[str, ...] | None
    festivals: tuple[Festival, ...]
    sources: tuple[str, ...]
    coords_source: str | None = None
    old_ward: str | None = None  # pre-July-2025 ward/commune, from which `ward` is derived
    old_district: str | None = None
    coords_basis: str = "approximate"
    bus_note: str | None = None
    fact_sources: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def sources_for(self, group: str) -> tuple[str, ...]:
        """URLs backing one fact group ("hours", "price", …); empty when the fact is null."""
        return dict(self.fact_sources).get(group, ())

    @property
    def maps_url(self) -> str:
        """Google Maps search link; coordinates rather than a name so it works for small villages."""
        return f"https://www.google.com/maps/search/?api=1&query={self.lat:.5f},{self.lon:.5f}"

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" else self.name_vi

    def description(self, lang: str = "vi") -> str:
        return self.description_en if lang == "en" else self.description_vi


def _opt_str(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SitesDataError(f"{where}: expected a non-empty string or null")
    return nfc(value.strip())


def _str_list(value: Any, where: str, allow_empty: bool = True) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SitesDataError(f"{where}: expected a list of non-empty strings")
    if not allow_empty and not value:
        raise SitesDataError(f"{where}: must not be empty")
    return tuple(nfc(v.strip()) for v in value)


def _festival(raw: Any, where: str) -> Festival:
    if not isinstance(raw, dict):
        raise SitesDataError(f"{where}: festival must be a mapping")
    cal = raw.get("calendar")
    if cal not in ("lunar", "solar"):
        raise SitesDataError(f"{where}: calendar must be lunar or solar")
    month, day, days = raw.get("month"), raw.get("day"), raw.get("days", 1)
    max_day = 30 if cal == "lunar" else 31
    if not (isinstance(month, int) and 1 <= month <= 12 and isinstance(day, int) and 1 <= day <= max_day):
        raise SitesDataError(f"{where}: bad month/day {month}/{day}")
    if not (isinstance(days, int) and 1 <= days <= 120):
        raise SitesDataError(f"{where}: bad days {days}")
    name_vi, name_en = _opt_str(raw.get("name_vi"), where), _opt_str(raw.get("name_en"), where)
    if name_vi is None or name_en is None:
        raise SitesDataError(f"{where}: festival needs name_vi and name_en")
    return Festival(name_vi, name_en, cal, month, day, days)


def _fact_sources(
    raw: dict[str, Any], where: str, sources: tuple[str, ...], top_sources: tuple[str, ...]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Check that every stated fact names URLs, and that those URLs are in the bibliography."""
    fs = raw["fact_sources"]
    if not isinstance(fs, dict):
        raise SitesDataError(f"{where}: fact_sources must be a mapping")
    unknown = set(fs) - FACT_GROUPS
    if unknown:
        raise SitesDataError(f"{where}: unknown fact groups {sorted(unknown)}")
    present = {
        "description": True, "address": raw["address"] is not None, "ward": raw["ward"] is not None,
        "coords": True, "hours": raw["opening_hours"] is not None, "price": raw["ticket_price"] is not None,
        "bus": bool(raw["bus"]), "festivals": bool(raw["festivals"]), "products": bool(raw["products"]),
    }
    listed = set(sources) | {u for s in top_sources for u in _URL_RE.findall(s)}
    out = []
    for group in sorted(FACT_GROUPS):
        urls = _str_list(fs.get(group, []), f"{where}.fact_sources.{group}")
        if present[group] and not urls:
            raise SitesDataError(f"{where}: fact {group!r} has no fact_sources")
        if urls and not present[group]:
            raise SitesDataError(f"{where}: fact_sources.{group} given for a null fact")
        stray = [u for u in urls if u not in listed]
        if stray:
            raise SitesDataError(f"{where}: fact_sources.{group} not in sources: {stray}")
        if urls:
            out.append((group, urls))
    return tuple(out)


def _place(raw: Any, index: int, top_sources: tuple[str, ...] = ()) -> Place:
    where = f"places[{index}]"
    if not isinstance(raw, dict):
        raise SitesDataError(f"{where}: must be a mapping")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise SitesDataError(f"{where} ({raw.get('id')}): missing fields {missing}")
    pid = raw["id"]
    where = f"place {pid!r}"
    if not isinstance(pid, str) or not _ID_RE.match(pid):
        raise SitesDataError(f"{where}: id must be an ascii slug")
    if raw["type"] not in PLACE_TYPES:
        raise SitesDataError(f"{where}: unknown type {raw['type']!r}")
    lat, lon = raw["lat"], raw["lon"]
    if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
        raise SitesDataError(f"{where}: lat/lon must be numbers")
    lat_min, lat_max, lon_min, lon_max = HANOI_BBOX
    if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
        raise SitesDataError(f"{where}: ({lat}, {lon}) outside Hanoi")
    products = _str_list(raw["products"], f"{where}.products")
    if raw["type"] == "village_craft" and not products:
        raise SitesDataError(f"{where}: craft village needs products")
    bus = None if raw["bus"] is None else _str_list([str(b) for b in raw["bus"]], f"{where}.bus")
    if raw["coords_basis"] not in COORDS_BASES:
        raise SitesDataError(f"{where}: coords_basis must be one of {sorted(COORDS_BASES)}")
    if raw["coords_basis"] == "source" and not raw.get("coords_source"):
        raise SitesDataError(f"{where}: coords_basis 'source' needs coords_source")
    festivals_raw = raw["festivals"]
    if not isinstance(festivals_raw, list):
        raise SitesDataError(f"{where}: festivals must be a list")
    name_vi, name_en = _opt_str(raw["name_vi"], where), _opt_str(raw["name_en"], where)
    desc_vi, desc_en = _opt_str(raw["description_vi"], where), _opt_str(raw["description_en"], where)
    if not (name_vi and name_en and desc_vi and desc_en):
        raise SitesDataError(f"{where}: names and descriptions are required")
    sources = _str_list(raw["sources"], f"{where}.sources", allow_empty=False)
    fact_sources = _fact_sources(raw, where, sources, top_sources)
    priority = raw.get("priority", 3)
    if not isinstance(priority, int) or not 1 <= priority <= 5:
        raise SitesDataError(f"{where}: priority must be 1..5")
    return Place(
        id=pid,
        type=raw["type"],
        priority=priority,
        name_vi=name_vi,
        name_en=name_en,
        aliases=_str_list(raw["aliases"], f"{where}.aliases", allow_empty=False),
        description_vi=desc_vi,
        description_en=desc_en,
        products=products,
        address=_opt_str(raw["address"], f"{where}.address"),
        ward=_opt_str(raw["ward"], f"{where}.ward"),
        lat=float(lat),
        lon=float(lon),
        opening_hours=_opt_str(raw["opening_hours"], f"{where}.opening_hours"),
        ticket_price=_opt_str(raw["ticket_price"], f"{where}.ticket_price"),
        bus=bus,
        festivals=tuple(_festival(f, f"{where}.festivals[{i}]") for i, f in enumerate(festivals_raw)),
        sources=sources,
        coords_source=_opt_str(raw.get("coords_source"), f"{where}.coords_source"),
        old_ward=_opt_str(raw["old_ward"], f"{where}.old_ward"),
        old_district=_opt_str(raw["old_district"], f"{where}.old_district"),
        coords_basis=raw["coords_basis"],
        bus_note=_opt_str(raw.get("bus_note"), f"{where}.bus_note"),
        fact_sources=fact_sources,
    )


def parse_places(doc: Any) -> tuple[Place, ...]:
    """Validate a parsed YAML document; separated from IO so tests can feed broken data."""
    if not isinstance(doc, dict) or not isinstance(doc.get("places"), list):
        raise SitesDataError("sites.yaml: top-level 'places' list is required")
    top_sources = _str_list(doc.get("sources"), "top-level sources", allow_empty=False)
    places = tuple(_place(raw, i, top_sources) for i, raw in enumerate(doc["places"]))
    seen: set[str] = set()
    for p in places:
        if p.id in seen:
            raise SitesDataError(f"duplicate id {p.id!r}")
        seen.add(p.id)
    return places


@lru_cache(maxsize=4)
def load_places(path: str | None = None) -> tuple[Place, ...]:
    """Read, validate and cache the catalogue (path is a str so the cache key is hashable)."""
    file = Path(path) if path else DATA_PATH
    with file.open(encoding="utf-8") as fh:
        return parse_places(yaml.safe_load(fh))


@lru_cache(maxsize=4)
def _by_id(path: str | None = None) -> dict[str, Place]:
    return {p.id: p for p in load_places(path)}


def get_place(place_id: str, path: str | None = None) -> Place | None:
    """Lookup used by dialogue actions that carry a place id in a slot."""
    return _by_id(path).get(place_id)
