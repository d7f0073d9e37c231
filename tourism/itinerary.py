"""Trip-planning questions answered with several places, and "how do I get to X" with transport.

"Which craft villages can I visit near Hanoi in one day?" asks for a choice, not for the single
best match; "pagodas near the Temple of Literature" asks for places around another one; "How do I
get to Bat Trang?" asks for buses, which sites.yaml holds (bus, bus_note). Every line comes from
a field of sites.yaml, distances are straight-line from Hoan Kiem Lake or the named place.
"""

from __future__ import annotations

import re

from tourism.answer import address_line, bus_lines, map_line
from tourism.search import (
    detect_place_type,
    haversine_km,
    nearby,
    normalize,
    search_places,
)
from tourism.sites import Place, get_place, load_places

CITY_CENTRE_ID = "ho-hoan-kiem"  # distances of a day trip are measured from the Sword Lake
DAY_TRIP_KM = 60.0
MAX_PLACES = 4

_TRIP_CUES = ("one day", "1 day", "a day", "day trip", "itinerary", "in a day", "half day", "half a day",
              "trong mot ngay", "trong 1 ngay", "mot ngay", "1 ngay", "nua ngay", "lich trinh", "di trong ngay",
              "which", "what are", "list", "nhung", "cac", "nao", "recommend", "goi y", "nen di")
_NEAR_CUES = ("near", "around", "close to", "gan", "quanh", "canh")
_DIRECTION_CUES = ("how do i get", "how to get", "how can i get", "get to", "getting to", "go to",
                   "di den", "di toi", "den bang", "di bang gi", "cach di", "duong di", "di the nao", "di nhu the nao",
                   "di xe gi", "bang phuong tien gi", "which bus", "by bus")
_NEAR_RE = re.compile(r"\b(?:near|around|close to|gan|quanh|canh)\b\s+(.+)$")


def _has(q: str, cues: tuple[str, ...]) -> bool:
    return any(f" {normalize(c)} " in q for c in cues)


_GO_BY_RE = re.compile(r"\b(?:di|toi|den|ve)\b.*\bbang (?:gi|xe gi|cach nao|phuong tien)\b")


def asks_directions(query: str) -> bool:
    """ "How do I get to Bat Trang?", "đi Bát Tràng bằng gì": transport, not just the address."""
    q = f" {normalize(query)} "
    return _has(q, _DIRECTION_CUES) or bool(_GO_BY_RE.search(q))


def _anchor(query: str) -> Place | None:
    """The place after "near …" / "gần …", when it names one ("near the Temple of Literature")."""
    m = _NEAR_RE.search(normalize(query))
    if not m:
        return None
    found = search_places(m.group(1))
    return found[0][0] if found and found[0][1] >= 72.0 else None


def trip_places(query: str) -> tuple[list[tuple[Place, float]], Place | None] | None:
    """Several places for a list/trip question, with distances; None when the question names one place."""
    q = f" {normalize(query)} "
    ptype = detect_place_type(query)
    anchor = _anchor(query) if _has(q, _NEAR_CUES) else None
    if anchor is not None:
        around = [(p, d) for p, d in nearby(anchor.lat, anchor.lon, n=MAX_PLACES + 1, type=ptype) if p.id != anchor.id]
        return around[:MAX_PLACES], anchor
    if ptype is None or not _has(q, _TRIP_CUES):
        return None
    top = search_places(query, limit=1)
    if top and top[0][1] >= 80.0 and top[0][0].type == ptype and not _has(q, ("one day", "mot ngay", "1 ngay")):
        return None  # "làng gốm Bát Tràng" names one village
    centre = get_place(CITY_CENTRE_ID)
    clat, clon = (centre.lat, centre.lon) if centre else (21.0287, 105.8524)
    of_type = [(p, round(haversine_km(clat, clon, p.lat, p.lon), 1)) for p in load_places() if p.type == ptype]
    within = [(p, d) for p, d in of_type if d <= DAY_TRIP_KM] or of_type
    within.sort(key=lambda t: (t[0].priority, t[1], t[0].id))
    return within[:MAX_PLACES], None


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text


def answer_trip(query: str, lang: str = "vi") -> str | None:
    """A short list (name, what, distance, buses, map) or None when this is not a list question."""
    found = trip_places(query)
    if not found or not found[0]:
        return None
    places, anchor = found
    en = lang == "en"
    if anchor is not None:
        head = f"Near {anchor.name_en}:" if en else f"Gần {anchor.name_vi}:"
    else:
        head = ("Places you can visit in a day from central Hanoi (distance from Hoan Kiem Lake):" if en else
                "Có thể đi trong ngày từ trung tâm Hà Nội (khoảng cách tính từ Hồ Gươm):")
    lines = [head]
    for place, km in places:
        buses = (" — " + ("bus " if en else "xe buýt ") + ", ".join(place.bus)) if place.bus else ""
        lines.append(f"• {place.name(lang)} ({km:.1f} km){buses}: {_first_sentence(place.description(lang))}")
        lines.append("  " + map_line(place, lang))
    lines.append("Ask me about any of them: how to get there? opening hours?" if en else
                 "Hỏi thêm về từng nơi: đi bằng gì? giờ mở cửa?")
    return "\n".join(lines)


def answer_directions(place: Place, lang: str = "vi") -> str:
    """Address, buses with their notes, and the map: what a visitor needs to go there."""
    return "\n".join([address_line(place, lang), *bus_lines(place, lang), map_line(place, lang)])
