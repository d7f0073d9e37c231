"""Rule-based entity extraction shared by the Rasa component and the app.

Types: ticket_code, phone, alley, street, ward, district (gazetteer), procedure and
place (ids from data/procedures.yaml and data/tourism/sites.yaml, nlu.catalog) and
datetime (the words that say when, nlu.when).

Addresses, phone numbers and ticket codes follow fixed patterns; learning them
with DIET would cost minutes of training per tag for no gain in accuracy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu import catalog, when
from nlu.text import fold

_WORD_RE = re.compile(r"\s*([^\W\d_]+|\d+)", re.UNICODE)
_ALLEY_RE = re.compile(
    r"\b(?:(?:số|so)\s*\d+[a-zA-Z]?\s*,?\s*)?"
    r"(?:ngõ|ngo|ngách|ngach|hẻm|hem|kiệt|kiet)\s*\d+[a-zA-Z]?(?:/\d+[a-zA-Z]?)*"
    r"(?:\s*,?\s*(?:ngách|ngach|hẻm|hem)\s*\d+[a-zA-Z]?)*",
    re.IGNORECASE,
)
_STREET_KEYWORD_RE = re.compile(r"\b(?:đường|duong|phố|pho)\b", re.IGNORECASE)
# "số 200 Xuân Thủy": a house number right before a capitalised name.
_HOUSE_NUMBER_RE = re.compile(r"\b(?:số|so)\s*\d+[a-zA-Z]?(?:/\d+[a-zA-Z]?)*\s+", re.IGNORECASE)
# English word order: "Hang Buom street", "Kim Ma Road".
_EN_STREET_RE = re.compile(r"((?:[A-ZÀ-Ỹ][^\W\d_]*\s+){1,3}?)(?:[Ss]treet|[Ss]t\.?|[Rr]oad|[Rr]d\.?)\b", re.UNICODE)
# Places whose name starts with a street word: the ancient village Đường Lâm.
_KEYWORD_PLACES = ("duong lam",)
_NOT_STREET = ("phuong", "quan", "xa", "huyen", "thi", "duong", "pho", "ngo", "ngach")
_PHONE_RE = re.compile(r"(?<!\d)(?:\+84|84|0)(?:[\s.-]?\d){9}(?!\d)")
_TICKET_RE = re.compile(r"\bHN-\d{4}-[0-9A-Z]{4}\b", re.IGNORECASE)


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int

    def as_dict(self) -> dict[str, object]:
        return {"entity": self.entity, "value": self.value, "start": self.start, "end": self.end}


def _proper_name_at(text: str, pos: int) -> tuple[str, int, int] | None:
    """Capitalised words (or a number, "đường 3/2") starting at `pos`: a street name.

    Names are capitalised when people bother to; lowercase input yields no street
    here and is left to the gazetteer.
    """
    words: list[tuple[int, int]] = []
    while len(words) < 4:
        m = _WORD_RE.match(text, pos)
        if m is None:
            break
        word = m.group(1)
        if not (word[0].isupper() or (word.isdigit() and not words)):
            break
        if not words and fold(word) in _NOT_STREET:
            break
        words.append((m.start(1), m.end(1)))
        pos = m.end(1)
    if not words:
        return None
    start, end = words[0][0], words[-1][1]
    return text[start:end], start, end


def _gazetteer_entities(text: str) -> list[Entity]:
    """Wards and old districts, when the gazetteer module is available."""
    try:
        from nlu import gazetteer
    except ImportError:  # pragma: no cover - gazetteer package not installed
        return []
    found: list[Entity] = []
    ward = gazetteer.find_address_ward_span(text)
    if ward is not None:
        w, start, end = ward
        found.append(Entity("ward", w.full_name, start, end))
    district = gazetteer.find_district(text)
    if district is not None:
        name, start, end = district
        found.append(Entity("district", name, start, end))
    return found


def extract(text: str) -> list[Entity]:
    """All entities found in `text`, ordered by position, without overlaps."""
    found: list[Entity] = []
    for m in _TICKET_RE.finditer(text):
        found.append(Entity("ticket_code", m.group(0).upper(), m.start(), m.end()))
    for m in _PHONE_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if digits.startswith("84"):
            digits = "0" + digits[2:]
        found.append(Entity("phone", digits, m.start(), m.end()))
    for m in _ALLEY_RE.finditer(text):
        found.append(Entity("alley", m.group(0).strip(" ,"), m.start(), m.end()))
        street = _proper_name_at(text, m.end())
        if street is not None:
            found.append(Entity("street", *street))
    for m in _STREET_KEYWORD_RE.finditer(text):
        street = _proper_name_at(text, m.end())
        if street is not None and fold(f"{m.group(0)} {street[0]}") not in _KEYWORD_PLACES:
            found.append(Entity("street", *street))
    for m in _HOUSE_NUMBER_RE.finditer(text):
        street = _proper_name_at(text, m.end())
        if street is not None:
            found.append(Entity("street", *street))
    for m in _EN_STREET_RE.finditer(text):
        name = m.group(1).strip()
        start = m.start(1)
        if name.split()[0].lower() == "the" and len(name.split()) > 1:
            start = text.index(name.split()[1], start)
            name = name.split(" ", 1)[1].strip()
        if fold(name.split()[0]) not in _NOT_STREET and name.split()[0].lower() not in ("the", "on", "in", "at"):
            found.append(Entity("street", name, start, start + len(name)))
    found.extend(_gazetteer_entities(text))
    places = []
    for entity, item_id, start, end in catalog.find(text):
        (places if entity == "place" else found).append(Entity(entity, item_id, start, end))
    for surface, start, end in when.find(text):
        found.append(Entity("datetime", surface, start, end))
    found.sort(key=lambda e: (e.start, -(e.end - e.start)))
    result: list[Entity] = []
    for ent in found:
        if result and ent.start < result[-1].end:
            continue
        result.append(ent)
    # A place may share its words with a ward ("làng gốm Bát Tràng" is both the
    # craft village and xã Bát Tràng): both are kept; other overlaps are not.
    for place in places:
        if not any(place.start < e.end and e.start < place.end for e in result
                   if e.entity not in ("ward", "district")):
            result.append(place)
    result.sort(key=lambda e: e.start)
    return result


def address_text(entities: list[Entity]) -> str | None:
    """Join address parts ("ngõ 12", "Láng Hạ", "phường Láng") into one line."""
    parts = [e.value for e in entities if e.entity in ("alley", "street", "landmark", "ward", "district")]
    return ", ".join(dict.fromkeys(parts)) if parts else None


def ward_unit_for(text: str | None) -> str | None:
    """The current ward/commune an address names (old ward names mapped), if any."""
    if not text:
        return None
    try:
        from nlu import gazetteer
    except ImportError:
        return None
    found = gazetteer.find_address_ward_span(text)
    return found[0].unit_id if found else None
