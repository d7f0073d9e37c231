"""What the report form writes down as the place, and how it shows a shared GPS point.

Why: the entity extractor finds the street and the ward but drops the house number
("Cống trước số 18 phố Huế" gave the place "Huế", which reads as the city), an answer like
"tôi không biết phường nào" was glued onto the address, and a shared location was shown as
"GPS 20.998500, 105.816500". The place written here is what duplicate detection parses
(feedback_router.tickets.places), what staff read, and what the citizen confirms.
"""

from __future__ import annotations

import re

from feedback_router.tickets.places import Address, parse_address, ward_at
from nlu.text import fold

_ADMIN_PREFIXES = ("phuong ", "xa ", "quan ", "huyen ", "thi xa ", "thi tran ")
# "I don't know (which ward)": the answer adds nothing to the address.
_DONT_KNOW_RE = re.compile(
    r"^\s*(?:toi |minh |em |anh |chi )?(?:khong|ko|k|chang|cung khong) (?:biet|ro|nho)\b"
    r"|^\s*(?:i )?(?:do not|don't|dont) know\b|^\s*not sure\b|^\s*(?:no idea|idk)\b",
    re.IGNORECASE,
)


def describe(address: Address, text: str) -> str:
    """One line for a parsed address, words as typed: "số 18 phố Huế", "5 ngõ 12/34 Láng Hạ"."""
    parts = []
    if address.house:
        typed_so = re.search(rf"\b(?:số|so)\s*{re.escape(address.house)}\b", text, re.IGNORECASE)
        parts.append(f"số {address.house}" if typed_so else address.house)
    if address.alley:
        parts.append(f"ngõ {address.alley}")
    if address.street:
        street = address.street
        kind = re.search(rf"\b(phố|đường|pho|duong)\s+{re.escape(street)}", text, re.IGNORECASE)
        parts.append(f"{kind.group(1)} {street}" if kind and not fold(street).startswith(("pho ", "duong "))
                     else street)
    return " ".join(parts)


def address_hint(text: str, entities_hint: str | None) -> str | None:
    """The place a message names: the extractor's parts, with the house number and alley
    it dropped put back ("số 18 phố Huế" rather than "Huế")."""
    parsed = parse_address(text)
    if entities_hint is None or parsed.street is None or not (parsed.house or parsed.alley):
        return entities_hint
    hinted = parse_address(entities_hint)
    if (hinted.house, hinted.alley) == (parsed.house, parsed.alley):
        return entities_hint
    admin = [p.strip() for p in entities_hint.split(",") if fold(p.strip()).startswith(_ADMIN_PREFIXES)]
    return ", ".join([describe(parsed, text), *admin])


def dont_know(answer: str) -> bool:
    return bool(_DONT_KNOW_RE.search(fold(answer)))


def location_answer(hint: str | None, answer: str) -> str:
    """The place after the citizen answered "where?" (or "which ward?" after a hint)."""
    if hint and dont_know(answer):
        return hint
    if hint and fold(hint) not in fold(answer):
        return f"{hint}, {answer}"
    return answer


def shared_point(hint: str | None, latitude: float, longitude: float, lang: str = "vi") -> str:
    """A shared location as a place a person reads: the ward it falls in, and how sure that
    is (the nearest ward centre — no boundary polygons are installable here)."""
    guess = ward_at(latitude, longitude)
    if guess is None:
        where = "vị trí đã chia sẻ (ngoài Hà Nội?)" if lang != "en" else "shared location (outside Hanoi?)"
    elif lang == "en":
        where = (f"shared location, {guess.full_name} "
                 f"(nearest ward centre, about {round(guess.distance_m, -1):.0f} m away)")
    else:
        where = (f"vị trí đã chia sẻ, {guess.full_name} "
                 f"(theo tâm phường/xã gần nhất, cách khoảng {round(guess.distance_m, -1):.0f} m)")
    return f"{hint} — {where}" if hint else where
