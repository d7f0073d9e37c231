"""Where a report is: the parts of a typed address, and the ward a GPS point lies in.

Why this exists: two reports are the same problem only when they are at the same place,
and in Hanoi "ngõ 77" exists on hundreds of streets. Duplicate detection (duplicates.py)
therefore compares parsed parts — house number, alley chain, street — never a prefix of
the text. Parsing works on NFC text, keeps the street as typed (to respect diacritics the
citizen wrote: "Hàng Bài" ≠ "Hàng Bãi") and compares folded forms (nlu.text.fold), so
"25 Hang Bai street" meets "số 25 phố Hàng Bài".

Ward from coordinates: no official 2025 ward boundary polygons are installable here (the
``vietnamadminunits`` package ships each ward's centre and area, not its outline), so a
point gets the ward with the nearest centre and the distance to it is stated wherever it
is shown (see :func:`ward_at`).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from nlu.text import fold

# Words that end a street name. Administrative words always do ("phường", "p.", "Hà Nội");
# prepositions and verbs only when typed in lower case, since "Ô Chợ Dừa", "Cổ Nhuế" and
# "La Thành" are streets whose folded words are also everyday words.
_ADMIN_WORDS = frozenset("phuong p quan q xa x huyen h tx tt tp hanoi ward district city".split())
_ADMIN_PAIRS = frozenset({("ha", "noi"), ("thanh", "pho"), ("thi", "xa"), ("thi", "tran")})
_STOP_WORDS = frozenset(
    "gan canh truoc doi sau ben trong tai o cua near in at opposite va bi co khong la dang rat nha cho "
    "thi".split()
)
_NOT_STREET_BEFORE = frozenset("den long mat le tren ra sua giua qua ven bo canh khu tuyen cac nhieu".split())
_NOT_STREET_FIRST = frozenset("ong day ray dien nuoc bi bo hong ngap nay do kia xa".split())
_EN_TAIL = frozenset({"street", "st", "road", "rd", "avenue", "ave", "lane"})
_ALLEY_WORDS = r"ngõ|ngo|ngách|ngach|hẻm|hem|kiệt|kiet|alley|lane"
_NUM = r"\d+[a-zA-Z]?"
_ALLEY_RE = re.compile(
    rf"\b(?:{_ALLEY_WORDS})\s*({_NUM}(?:\s*/\s*{_NUM})*)((?:\s*,?\s*(?:ngách|ngach|hẻm|hem)\s*{_NUM})*)",
    re.IGNORECASE,
)
_NAMED_ALLEY_RE = re.compile(r"\b(?:ngõ|ngo)\s+(?=[^\W\d_])", re.IGNORECASE)
_HOUSE_RE = re.compile(rf"\b(?:số nhà|so nha|nhà số|nha so|số|so|no\.?|number)\s*({_NUM}(?:/{_NUM})*)\b",
                       re.IGNORECASE)
_BARE_HOUSE_RE = re.compile(rf"(?<![\w/]){_NUM}(?:/{_NUM})*(?=\s+[^\W\d_])", re.UNICODE)
_STREET_KW_RE = re.compile(r"\b(?:đường|duong|phố|pho|đại lộ|dai lo)\s+", re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W\d_]+|\d+[a-zA-Z]?(?:/\d+)*", re.UNICODE)
_SEPARATOR_RE = re.compile(r"[,.;:()\n—–]|\s-\s")
_PARENTHESES_RE = re.compile(r"\([^)]*\)")


@dataclass(frozen=True)
class Address:
    """The parts of a place that identify it along a street."""

    street: str | None  # as typed, NFC ("Láng Hạ", "Hang Bai")
    alley: str | None  # folded chain of numbers ("12/34") or None
    house: str | None  # folded house number ("25", "5b") or None

    @property
    def street_key(self) -> str | None:
        return _street_key(self.street) if self.street else None

    @property
    def key(self) -> str | None:
        """Indexed form ("lang ha|12/34|5"); None when the street alone would be too vague."""
        if self.street_key is None or (self.alley is None and self.house is None):
            return None
        return f"{self.street_key}|{self.alley or ''}|{self.house or ''}"

    def same_street(self, other: Address) -> bool:
        if self.street_key is None or self.street_key != other.street_key:
            return False
        mine = _name_words(self.street or "")
        theirs = _name_words(other.street or "")
        # A word typed with diacritics on both sides must be the same word ("Hàng Bài" is not
        # "Hàng Bãi"); a word typed plain on either side matches its folded twin.
        return len(mine) != len(theirs) or all(
            a == b for a, b in zip(mine, theirs, strict=True) if fold(a) != a and fold(b) != b)

    def conflicts(self, other: Address) -> bool:
        """Both name a street, or both an alley, and they differ: never the same place."""
        if self.street_key and other.street_key and not self.same_street(other):
            return True
        return bool(self.alley and other.alley and self.alley != other.alley)


def _name_words(street: str) -> list[str]:
    """The words of a street name as typed, without the street word ("phố", "street")."""
    words = re.sub(r"[^\w ]+", " ", unicodedata.normalize("NFC", street).lower()).split()
    return [w for w in words if fold(w) not in ("duong", "pho", *_EN_TAIL)]


def _street_key(street: str) -> str | None:
    words = re.sub(r"[^a-z0-9 ]+", " ", fold(street)).split()
    while words and (words[0] in ("duong", "pho") or words[:2] == ["dai", "lo"]):
        words = words[2:] if words[:2] == ["dai", "lo"] else words[1:]
    while words and words[-1] in _EN_TAIL:
        words.pop()
    return " ".join(words) or None


def _name_after(text: str, pos: int) -> str | None:
    """The street name starting at ``pos``: up to four words, stopping at a separator, a
    number, an administrative or landmark word, or where capitalised words end."""
    end_at = _SEPARATOR_RE.search(text, pos)
    if end_at is not None and not text[pos:end_at.start()].strip() and end_at.group(0) == ",":
        pos = end_at.end()  # "ngõ 77, Chùa Bộc": the street follows the comma
        end_at = _SEPARATOR_RE.search(text, pos)
    chunk = text[pos:end_at.start() if end_at else len(text)]
    words: list[str] = []
    capitalised = None
    tokens = [m.group(0) for m in _WORD_RE.finditer(chunk)]
    for i, word in enumerate(tokens):
        folded = fold(word)
        following = fold(tokens[i + 1]) if i + 1 < len(tokens) else ""
        if (word[0].isdigit() or folded in _ADMIN_WORDS or folded in _EN_TAIL
                or (folded, following) in _ADMIN_PAIRS or (folded in _STOP_WORDS and word.islower())):
            break
        is_cap = word[0].isupper()
        if capitalised is None:
            capitalised = is_cap
        elif capitalised and not is_cap:
            break
        words.append(word)
        if len(words) == 4:
            break
    return " ".join(words) or None


def _name_before_en_tail(text: str) -> tuple[str, int] | None:
    """English order: "25 Hang Bai street" → ("Hang Bai", start)."""
    m = re.search(r"((?:[A-ZÀ-Ỹ][^\W\d_]*\s+){1,4}?)(?:street|st\.?|road|rd\.?|avenue)\b", text,
                  re.UNICODE | re.IGNORECASE)
    if m is None:
        return None
    name = m.group(1).strip()
    words = [w for w in name.split() if fold(w) not in ("the", "of", "in", "front", "on", "at", "near")]
    return (" ".join(words), m.start(1)) if words else None


def _keyword_street(text: str) -> str | None:
    """The name after "phố"/"đường", skipping the word's other senses: "đèn đường" (street
    light), "mặt đường" (road surface), "đường ống" (pipe), "đường dây" (power line)."""
    for kw in _STREET_KW_RE.finditer(text):
        name = _name_after(text, kw.end())
        if name is None:
            continue
        before = fold(text[:kw.start()]).split()[-1:] or [""]
        if name[0].isupper() or (before[0] not in _NOT_STREET_BEFORE
                                 and fold(name.split()[0]) not in _NOT_STREET_FIRST):
            return name
    return None


def parse_address(text: str | None) -> Address:
    """House number, alley chain and street of a typed place ("số 5 ngõ 12/34 Láng Hạ, phường
    Láng" → 5, 12/34, Láng Hạ). Parts not found are None; nothing is guessed."""
    if not text:
        return Address(None, None, None)
    # "(theo tâm phường gần nhất, cách 420 m)": remarks, not address parts
    text = _PARENTHESES_RE.sub(" ", unicodedata.normalize("NFC", text))
    alley = street = house = None
    m = _ALLEY_RE.search(text)
    if m is not None:
        numbers = re.findall(_NUM, m.group(1) + " " + m.group(2))
        alley = "/".join(fold(n) for n in numbers)
        street = _name_after(text, m.end())
        house_m = _HOUSE_RE.search(text, 0, m.start()) or _HOUSE_RE.search(text, m.end())
        house = fold(house_m.group(1)) if house_m else None
    else:
        named = _NAMED_ALLEY_RE.search(text)
        en = _name_before_en_tail(text)
        if named is not None and _name_after(text, named.end()):
            street = "ngõ " + (_name_after(text, named.end()) or "")
        else:
            street = _keyword_street(text)
            if en is not None and (street is None or not street[0].isupper()):
                street = en[0]
        house_m = _HOUSE_RE.search(text)
        if house_m is not None:
            house = fold(house_m.group(1))
            if street is None:
                street = _name_after(text, house_m.end())
        else:
            bare = _BARE_HOUSE_RE.search(text)
            if bare is not None:
                after = _name_after(text, bare.end())
                if after and (street is None or _street_key(after) == _street_key(street)
                              or fold(text[bare.end():]).lstrip().startswith(("duong ", "pho "))):
                    house = fold(bare.group(0))
                    street = street or after
    return Address(street, alley, house)


# ------------------------------------------------------------------ ward from coordinates

_PROVINCE = "thanhphohanoi"
_EARTH_M = 6_371_000.0
MAX_WARD_DISTANCE_M = 8_000.0  # farther than this from every centre: not in Hanoi


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_M * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class WardGuess:
    """The ward a point was placed in, and how far it is from that ward's centre."""

    unit_id: str
    full_name: str
    distance_m: float


@functools.lru_cache(maxsize=1)
def _centres() -> tuple[tuple[str, str, float, float], ...]:
    from nlu import gazetteer

    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        return ()
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "parser_from_2025.json"
    with path.open(encoding="utf-8") as fh:
        wards = json.load(fh)["DICT_PROVINCE_WARD_NO_ACCENTED"][_PROVINCE]
    out = []
    for info in wards.values():
        ward = gazetteer.get_ward(info["wardCode"])
        if ward is not None:
            out.append((ward.unit_id, ward.full_name, float(info["wardLat"]), float(info["wardLon"])))
    return tuple(out)


def ward_at(latitude: float | None, longitude: float | None) -> WardGuess | None:
    """The ward whose centre is nearest to the point (no boundary polygons are available);
    None outside Hanoi. Callers show ``distance_m`` so nobody mistakes it for a survey."""
    if latitude is None or longitude is None:
        return None
    best = min(((distance_m(latitude, longitude, lat, lon), uid, name) for uid, name, lat, lon in _centres()),
               default=None)
    if best is None or best[0] > MAX_WARD_DISTANCE_M:
        return None
    return WardGuess(best[1], best[2], best[0])
