"""Short, data-traceable answers about a place, in Vietnamese or English.

Every sentence is built from a field of sites.yaml; when the field is null the answer says so
plainly instead of guessing, and a map link is always given because it is useful even then.
"""

from __future__ import annotations

from datetime import date

from nlu import clock
from tourism.search import next_festival_date
from tourism.sites import Festival, Place

ASPECTS: frozenset[str | None] = frozenset({None, "hours", "price", "bus", "address", "festival", "products"})

UNKNOWN_VI = "chưa có thông tin"
UNKNOWN_EN = "unknown (not verified yet)"

_TYPE_LABEL = {
    "relic": ("di tích", "historic site"),
    "museum": ("bảo tàng", "museum"),
    "temple": ("đền", "temple"),
    "pagoda": ("chùa", "pagoda"),
    "lake": ("hồ", "lake"),
    "village_craft": ("làng nghề", "craft village"),
    "ancient_village": ("làng cổ", "ancient village"),
    "landmark": ("công trình tiêu biểu", "landmark"),
}


def _t(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def _end(text: str) -> str:
    """Close a sentence without doubling punctuation that the data text already has."""
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def _unknown(lang: str) -> str:
    return UNKNOWN_EN if lang == "en" else UNKNOWN_VI


def map_line(place: Place, lang: str) -> str:
    return _t(lang, "Bản đồ: ", "Map: ") + place.maps_url


def _fmt(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _festival_line(fest: Festival, lang: str, today: date) -> str:
    start, end = next_festival_date(fest, today)
    when = _fmt(start) if start == end else f"{_fmt(start)}–{_fmt(end)}"
    if fest.calendar == "lunar":
        rule = _t(lang, f"ngày {fest.day}/{fest.month} âm lịch", f"lunar {fest.day}/{fest.month}")
    else:
        rule = _t(lang, f"ngày {fest.day}/{fest.month} dương lịch", f"{fest.day}/{fest.month} every year")
    name = fest.name_en if lang == "en" else fest.name_vi
    nxt = _t(lang, "lần tới", "next")
    return f"{name}: {rule} ({nxt}: {when})"


# Unit words of an administrative name, and how English puts them (after the proper name).
_UNIT_EN = (("thị xã ", "town"), ("phường ", "ward"), ("xã ", "commune"), ("quận ", "district"),
            ("huyện ", "district"), ("thị trấn ", "township"))


def unit_name(name: str, lang: str) -> str:
    """ "phường Ba Đình" in English is "Ba Đình ward": the proper name stays, the unit word is translated."""
    if lang != "en":
        return name
    low = name.lower()
    for prefix, word in _UNIT_EN:
        if low.startswith(prefix):
            return f"{name[len(prefix):]} {word}"
    return name


def address_line(place: Place, lang: str) -> str:
    addr = place.address_text(lang) or _unknown(lang)
    ward = unit_name(place.ward, lang) if place.ward else _unknown(lang)
    before = ""
    if place.old_ward and place.old_district:
        # people and old signboards still use the pre-2025 address; naming it avoids confusion
        before = _t(lang, f" (trước 1/7/2025: {place.old_ward}, {place.old_district})",
                    f" (before 1 Jul 2025: {unit_name(place.old_ward, lang)}, {unit_name(place.old_district, lang)})")
    return _t(
        lang,
        f"Địa chỉ {place.name_vi}: {_end(addr)} Đơn vị hành chính (từ 1/7/2025): {ward}{before}.",
        f"Address of {place.name_en}: {_end(addr)} Ward/commune (since 1 Jul 2025): {ward}{before}.",
    )


def bus_lines(place: Place, lang: str) -> list[str]:
    """Bus lines and their note from sites.yaml, or plainly that they are not known."""
    name = place.name(lang)
    if place.bus:
        lines = [_t(lang, f"Các tuyến xe buýt tới {name}: ", f"Bus lines to {name}: ") + ", ".join(place.bus) + "."]
        if place.bus_note:
            lines.append(f"({place.note(lang)})")
        lines.append(_t(lang, "Số tuyến có thể đã thay đổi, nên kiểm tra lại trước khi đi.",
                        "Line numbers change from time to time; please double-check before you go."))
        return lines
    if place.bus_note:
        return [_t(lang, f"Xe buýt tới {name}: ", f"Buses to {name}: ") + _end(place.note(lang) or "")]
    return [_t(lang, f"Tuyến xe buýt tới {name}: {UNKNOWN_VI}.", f"Bus lines to {name}: {UNKNOWN_EN}.")]


def follow_ups(place: Place, lang: str) -> list[tuple[str, str]]:
    """(button title, question it sends) for the facts the data holds about this place."""
    name = place.name(lang)
    asks = [("hours", "Giờ mở cửa", f"{name} mở cửa mấy giờ?", "Opening hours", f"Opening hours of {name}?"),
            ("price", "Giá vé", f"Giá vé {name} bao nhiêu?", "Tickets", f"Ticket price of {name}?"),
            ("bus", "Đi bằng gì?", f"Đi {name} bằng xe buýt nào?", "How to get there", f"How do I get to {name}?"),
            ("festival", "Lễ hội", f"Lễ hội ở {name}?", "Festivals", f"Festivals at {name}?")]
    known = {"hours": place.opening_hours, "price": place.ticket_price, "bus": place.bus or place.bus_note,
             "festival": place.festivals}
    return [(_t(lang, tv, te), _t(lang, qv, qe)) for key, tv, qv, te, qe in asks if known[key]]


def answer_place(place: Place, aspect: str | None = None, lang: str = "vi", today: date | None = None) -> str:
    """One short reply about `place`; `aspect` picks the fact, None gives an overview."""
    if aspect not in ASPECTS:
        raise ValueError(f"unknown aspect {aspect!r}")
    lang = "en" if lang == "en" else "vi"
    today = today or clock.hanoi_today()
    name = place.name(lang)
    lines: list[str]

    if aspect == "hours":
        head = _t(lang, f"Giờ mở cửa {name}: ", f"Opening hours of {name}: ")
        lines = [_end(head + (place.hours(lang) or _unknown(lang)))]
    elif aspect == "price":
        head = _t(lang, f"Giá vé {name}: ", f"Ticket price at {name}: ")
        lines = [_end(head + (place.price(lang) or _unknown(lang)))]
    elif aspect == "bus":
        lines = bus_lines(place, lang)
    elif aspect == "address":
        lines = [address_line(place, lang)]
    elif aspect == "festival":
        if place.festivals:
            head = _t(lang, f"Lễ hội / sự kiện tại {name}:", f"Festivals and events at {name}:")
            lines = [head, *("- " + _festival_line(f, lang, today) for f in place.festivals)]
        else:
            lines = [_t(lang, f"Lễ hội tại {name}: {UNKNOWN_VI}.", f"Festivals at {name}: {UNKNOWN_EN}.")]
    elif aspect == "products":
        if place.products:
            lines = [_t(lang, f"Sản phẩm của {name}: ", f"What {name} makes: ")
                     + ", ".join(place.products_in(lang)) + "."]
        else:
            lines = [_t(lang, f"{name} không phải làng nghề; sản phẩm: {UNKNOWN_VI}.",
                        f"{name} is not a craft village; products: {UNKNOWN_EN}.")]
    else:
        label_vi, label_en = _TYPE_LABEL.get(place.type, ("địa điểm", "place"))
        lines = [f"{name} ({_t(lang, label_vi, label_en)}): {place.description(lang)}", address_line(place, lang)]
        facts = []
        if place.opening_hours:
            facts.append(_t(lang, "Giờ mở cửa: ", "Hours: ") + (place.hours(lang) or ""))
        if place.ticket_price:
            facts.append(_t(lang, "Vé: ", "Tickets: ") + (place.price(lang) or ""))
        if facts:
            lines.append(_end("; ".join(facts)))
        lines.append(_t(lang, "Hỏi thêm: giờ mở cửa? giá vé? xe buýt? lễ hội?",
                        "Ask me more: opening hours? tickets? bus? festivals?"))
    lines.append(map_line(place, lang))
    return "\n".join(lines)
