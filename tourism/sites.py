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

from nlu.text import fold, nfc

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
# Letters only Vietnamese uses (đ, and vowels with Vietnamese tone/shape marks); ASCII and the
# Latin-1 letters of French/German names do not count.
_VI_LETTERS = frozenset(
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
)
_WORD_RE = re.compile(r"[^\W\d_]+")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d{3})*")
WEEKDAYS: dict[str, tuple[str, str]] = {
    "mon": ("thứ Hai", "Monday"), "tue": ("thứ Ba", "Tuesday"), "wed": ("thứ Tư", "Wednesday"),
    "thu": ("thứ Năm", "Thursday"), "fri": ("thứ Sáu", "Friday"), "sat": ("thứ Bảy", "Saturday"),
    "sun": ("Chủ nhật", "Sunday"),
}
_PER = {"visit": ("lượt", "per visit"), "person": ("người", "per person")}


class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping.

    PyYAML keeps the last of two equal keys without a word, so an edit that adds a new
    `bus_note` above an old one would silently answer with the old one.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise SitesDataError(f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(fh: Any) -> Any:
    return yaml.load(fh, Loader=UniqueKeyLoader)  # a SafeLoader subclass: no arbitrary objects


def has_vietnamese(text: str) -> bool:
    """True when `text` has a letter that only Vietnamese spelling uses."""
    return any(ch in _VI_LETTERS for ch in text.lower())


def vietnamese_common_words(text: str) -> list[str]:
    """Lower-case words with Vietnamese letters: in an English text these are untranslated words.

    Proper names (streets, wards, temples) are capitalised in Vietnamese, so they pass; "đồng",
    "hằng ngày", "miễn phí" do not; nor does a label in double quotes ("Mã danh bộ" on a water
    bill), which the reader must recognise as written. Used by the loader and the answer tests.
    """
    unquoted = re.sub(r'"[^"]*"', " ", text)  # a quoted label is shown as it reads on the screen/bill
    return [w for w in _WORD_RE.findall(unquoted) if w[0].islower() and has_vietnamese(w)]


def numbers_in(text: str) -> list[str]:
    """Numbers with thousand separators removed ("70.000" and "70,000" are both 70000).

    A whole hour is one number however it is written ("15 giờ" and "15:00").
    """
    text = re.sub(r"\b(\d{1,2}):00\b", r"\1", text)
    return sorted(re.sub(r"[.,]", "", n).lstrip("0") or "0" for n in _NUMBER_RE.findall(text))


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
    # English renderings of the Vietnamese fact texts (same numbers, checked at load time)
    opening_hours_en: str | None = None
    ticket_price_en: str | None = None
    bus_note_en: str | None = None
    address_en: str | None = None

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

    def hours(self, lang: str = "vi") -> str | None:
        return self.opening_hours_en if lang == "en" else self.opening_hours

    def price(self, lang: str = "vi") -> str | None:
        return self.ticket_price_en if lang == "en" else self.ticket_price

    def note(self, lang: str = "vi") -> str | None:
        return self.bus_note_en if lang == "en" else self.bus_note

    def address_text(self, lang: str = "vi") -> str | None:
        """English falls back to the Vietnamese address only when that is all proper names."""
        return (self.address_en or self.address) if lang == "en" else self.address

    def products_in(self, lang: str = "vi") -> tuple[str, ...]:
        """Products as a reader of `lang` would say them.

        The list mixes both languages because search matches either; an English reader gets the
        entries without Vietnamese letters, minus the unaccented spellings of Vietnamese words
        ("non la", "com") that are only there for people typing without diacritics.
        """
        folded_vi = {fold(x) for x in self.products if has_vietnamese(x)}
        if lang == "en":
            return tuple(x for x in self.products if not has_vietnamese(x) and x.lower() not in folded_vi)
        vi = tuple(x for x in self.products if has_vietnamese(x))
        return vi or self.products


def optional_text(value: Any, where: str, error: type[ValueError] = SitesDataError) -> str | None:
    """A data file's text field: a non-empty string (NFC, stripped) or null; `error` names the file."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise error(f"{where}: expected a non-empty string or null")
    return nfc(value.strip())


def text_list(value: Any, where: str, allow_empty: bool = True,
              error: type[ValueError] = SitesDataError) -> tuple[str, ...]:
    """A data file's list of texts (NFC, stripped), none of them blank."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise error(f"{where}: expected a list of non-empty strings")
    if not allow_empty and not value:
        raise error(f"{where}: must not be empty")
    return tuple(nfc(v.strip()) for v in value)


def _english(vi: str | None, en: Any, where: str, required: bool = True) -> str | None:
    """The English twin of a Vietnamese fact text: present, in English, with the same numbers.

    Comparing the numbers catches a translation that drifted (a wrong price or hour) — the one
    mistake in a tourist answer that matters most.
    """
    en = optional_text(en, where)
    if vi is None:
        if en is not None:
            raise SitesDataError(f"{where}: English text given for a null fact")
        return None
    if en is None:
        if required:
            raise SitesDataError(f"{where}: English text is required")
        return None
    words = vietnamese_common_words(en)
    if words:
        raise SitesDataError(f"{where}: untranslated Vietnamese words {words}")
    if set(numbers_in(en)) != set(numbers_in(vi)):
        raise SitesDataError(f"{where}: numbers differ from the Vietnamese text "
                             f"({sorted(set(numbers_in(vi)))} vs {sorted(set(numbers_in(en)))})")
    return en


def _vnd(amount: int, lang: str) -> str:
    return f"{amount:,}".replace(",", "." if lang == "vi" else ",")


def _structured_hours(raw: dict[str, Any], where: str) -> tuple[str, str]:
    """{times: ["8:00–12:00", …], closed: [mon, …], as_of: 2016} rendered in both languages."""
    times, closed, as_of = raw.get("times"), raw.get("closed", []), raw.get("as_of")
    if set(raw) - {"times", "closed", "as_of"}:
        raise SitesDataError(f"{where}: unknown keys {sorted(set(raw) - {'times', 'closed', 'as_of'})}")
    if not (isinstance(times, list) and times
            and all(isinstance(t, str) and re.fullmatch(r"\d{1,2}:\d{2}–\d{1,2}:\d{2}", t) for t in times)):
        raise SitesDataError(f"{where}: times must be a list like ['8:00–17:00']")
    if not (isinstance(closed, list) and all(d in WEEKDAYS for d in closed)):
        raise SitesDataError(f"{where}: closed must list weekdays {sorted(WEEKDAYS)}")
    if as_of is not None and not (isinstance(as_of, int) and 2000 <= as_of <= 2100):
        raise SitesDataError(f"{where}: as_of must be a year")
    vi, en = " và ".join(times), " and ".join(times)
    if closed:
        vi += ", đóng cửa " + " và ".join(WEEKDAYS[d][0] for d in closed)
        en += ", closed on " + " and ".join(WEEKDAYS[d][1] for d in closed)
    else:
        vi, en = vi + " hằng ngày", en + " daily"
    if as_of:
        vi, en = vi + f" (theo nguồn năm {as_of})", en + f" (as of a {as_of} source)"
    return vi, en


def _structured_price(raw: dict[str, Any], where: str) -> tuple[str, str]:
    """{free: true} or {vnd: 30000, per: visit|person|adult} rendered in both languages."""
    if raw == {"free": True}:
        return "Miễn phí", "Free"
    amount, per = raw.get("vnd"), raw.get("per", "visit")
    per_words = {**_PER, "adult": ("người lớn", "per adult")}
    if set(raw) - {"vnd", "per"} or not isinstance(amount, int) or amount <= 0 or per not in per_words:
        raise SitesDataError(f"{where}: price must be {{free: true}} or {{vnd: N, per: visit|person|adult}}")
    return f"{_vnd(amount, 'vi')} đồng/{per_words[per][0]}", f"{_vnd(amount, 'en')} VND {per_words[per][1]}"


def _bilingual(raw: dict[str, Any], key: str, where: str) -> tuple[str | None, str | None]:
    """A fact given as Vietnamese text + `<key>_en`, or as a structured value rendered twice."""
    value = raw[key]
    if isinstance(value, dict):
        if raw.get(f"{key}_en") is not None:
            raise SitesDataError(f"{where}.{key}: a structured value needs no {key}_en")
        render = _structured_hours if key == "opening_hours" else _structured_price
        return render(value, f"{where}.{key}")
    vi = optional_text(value, f"{where}.{key}")
    return vi, _english(vi, raw.get(f"{key}_en"), f"{where}.{key}_en")


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
    name_vi, name_en = optional_text(raw.get("name_vi"), where), optional_text(raw.get("name_en"), where)
    if name_vi is None or name_en is None:
        raise SitesDataError(f"{where}: festival needs name_vi and name_en")
    if vietnamese_common_words(name_en):
        raise SitesDataError(f"{where}: name_en has untranslated words {vietnamese_common_words(name_en)}")
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
        urls = text_list(fs.get(group, []), f"{where}.fact_sources.{group}")
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
    products = text_list(raw["products"], f"{where}.products")
    if raw["type"] == "village_craft" and not products:
        raise SitesDataError(f"{where}: craft village needs products")
    bus = None if raw["bus"] is None else text_list([str(b) for b in raw["bus"]], f"{where}.bus")
    if raw["coords_basis"] not in COORDS_BASES:
        raise SitesDataError(f"{where}: coords_basis must be one of {sorted(COORDS_BASES)}")
    if raw["coords_basis"] == "source" and not raw.get("coords_source"):
        raise SitesDataError(f"{where}: coords_basis 'source' needs coords_source")
    festivals_raw = raw["festivals"]
    if not isinstance(festivals_raw, list):
        raise SitesDataError(f"{where}: festivals must be a list")
    name_vi, name_en = optional_text(raw["name_vi"], where), optional_text(raw["name_en"], where)
    desc_vi, desc_en = optional_text(raw["description_vi"], where), optional_text(raw["description_en"], where)
    if not (name_vi and name_en and desc_vi and desc_en):
        raise SitesDataError(f"{where}: names and descriptions are required")
    for label, text in (("name_en", name_en), ("description_en", desc_en)):
        if vietnamese_common_words(text):
            raise SitesDataError(f"{where}: {label} has untranslated words {vietnamese_common_words(text)}")
    hours_vi, hours_en = _bilingual(raw, "opening_hours", where)
    price_vi, price_en = _bilingual(raw, "ticket_price", where)
    bus_note = optional_text(raw.get("bus_note"), f"{where}.bus_note")
    address = optional_text(raw["address"], f"{where}.address")
    # an address of proper names only ("58 Quốc Tử Giám, Hà Nội") reads the same in English
    address_en = _english(address, raw.get("address_en"), f"{where}.address_en",
                          required=bool(address and vietnamese_common_words(address)))
    sources = text_list(raw["sources"], f"{where}.sources", allow_empty=False)
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
        aliases=text_list(raw["aliases"], f"{where}.aliases", allow_empty=False),
        description_vi=desc_vi,
        description_en=desc_en,
        products=products,
        address=address,
        ward=optional_text(raw["ward"], f"{where}.ward"),
        lat=float(lat),
        lon=float(lon),
        opening_hours=hours_vi,
        ticket_price=price_vi,
        bus=bus,
        festivals=tuple(_festival(f, f"{where}.festivals[{i}]") for i, f in enumerate(festivals_raw)),
        sources=sources,
        coords_source=optional_text(raw.get("coords_source"), f"{where}.coords_source"),
        old_ward=optional_text(raw["old_ward"], f"{where}.old_ward"),
        old_district=optional_text(raw["old_district"], f"{where}.old_district"),
        coords_basis=raw["coords_basis"],
        bus_note=bus_note,
        fact_sources=fact_sources,
        opening_hours_en=hours_en,
        ticket_price_en=price_en,
        bus_note_en=_english(bus_note, raw.get("bus_note_en"), f"{where}.bus_note_en"),
        address_en=address_en,
    )


def parse_places(doc: Any) -> tuple[Place, ...]:
    """Validate a parsed YAML document; separated from IO so tests can feed broken data."""
    if not isinstance(doc, dict) or not isinstance(doc.get("places"), list):
        raise SitesDataError("sites.yaml: top-level 'places' list is required")
    top_sources = text_list(doc.get("sources"), "top-level sources", allow_empty=False)
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
        return parse_places(load_yaml(fh))


@lru_cache(maxsize=4)
def _by_id(path: str | None = None) -> dict[str, Place]:
    return {p.id: p for p in load_places(path)}


def get_place(place_id: str, path: str | None = None) -> Place | None:
    """Lookup used by dialogue actions that carry a place id in a slot."""
    return _by_id(path).get(place_id)
