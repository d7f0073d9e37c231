"""Find places by name, product or type; nearest places; festivals in a month.

People type Vietnamese with or without diacritics, with typos, in teencode, or in English, so
matching works on a folded (ascii, lowercase) form and scores aliases token by token with
rapidfuzz. Diacritics are still used when present, to tell apart words that fold to the same
ascii (lụa "silk" vs lúa "rice", chùa "pagoda" vs chưa "not yet").

Lunar festival dates use `lunar_vn`, which implements Hồ Ngọc Đức's algorithm at UTC+7. Popular
Chinese-calendar libraries (e.g. `lunardate`) compute at UTC+8 and disagree with the Vietnamese
calendar on some days; for Tết this happens in 1968, 1969, 1985, 2007, 2030 and 2053 (e.g. Tết 2030
is 2 Feb in Vietnam, 3 Feb in China), so a Chinese library would give wrong festival dates there.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from lunar_vn import LunarDate, lunar_to_solar, solar_to_lunar
from rapidfuzz import fuzz, process

from nlu.text import fold as fold_marks
from nlu.text import nfc
from nlu.text import normalize as normalize_chat
from tourism.sites import Festival, Place, load_places

# ───────────────────────────── text normalisation ─────────────────────────────

_VI_DIACRITIC_RE = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)
_NON_WORD_RE = re.compile(r"[^\w]+", re.UNICODE)
_Y_AS_I_RE = re.compile(r"^([bcdghklmnpqrstvx]+)y$")
_HK_RE = re.compile(r"(?<!\w)hk(?!\w)", re.IGNORECASE)

# General chat teencode ("ko", "dc", "j", "ntn" …) is expanded by nlu.text.normalize from
# data/teencode.yaml, the same table the NLU uses. What is left here are abbreviations that
# table leaves out on purpose because they are ambiguous in general chat but not in questions
# about procedures and places ("dk" = đăng ký, "mk" = mình, "ck" = chồng), and domain acronyms,
# as folded forms applied to queries and aliases alike.
TEENCODE: dict[str, str] = {
    "kh": "khong", "hong": "khong", "hem": "khong",
    "dk": "dang ky", "dky": "dang ky", "dki": "dang ky",
    "ji": "gi", "bn": "bao nhieu", "bnh": "bao nhieu", "bnhieu": "bao nhieu",
    "mk": "minh", "mh": "minh",
    "ck": "chong", "vk": "vo", "tg": "thoi gian",
    "cty": "cong ty", "dvc": "dich vu cong", "onl": "online",
    "cccd": "can cuoc cong dan", "cmnd": "can cuoc chung minh nhan dan", "cmt": "can cuoc chung minh thu",
    "gks": "giay khai sinh", "dkks": "dang ky khai sinh", "dkkh": "dang ky ket hon",
    "lltp": "ly lich tu phap", "hkd": "ho kinh doanh", "gpxd": "giay phep xay dung", "hkhau": "ho khau",
    "hn": "ha noi", "hnoi": "ha noi", "ad": "admin", "b52": "b52",
    "ak": "a", "ah": "a", "zay": "vay", "gium": "giup", "jup": "giup",
}


def has_diacritics(text: str) -> bool:
    """True when the user typed Vietnamese tone/vowel marks (so they can be trusted)."""
    return bool(_VI_DIACRITIC_RE.search(text))


def lower_vi(text: str) -> str:
    """Lowercase, keep diacritics, punctuation to spaces (for diacritic-exact matching)."""
    return " ".join(_NON_WORD_RE.sub(" ", nfc(text).lower()).split())


def fold(text: str) -> str:
    """nlu.text.fold (lowercase, no marks, đ→d) with punctuation turned into single spaces."""
    return " ".join(_NON_WORD_RE.sub(" ", fold_marks(nfc(text))).split())


def _canon_token(tok: str) -> str:
    """Unify spelling variants that are both correct Vietnamese (ký/kí, lý/lí, quy/qui)."""
    m = _Y_AS_I_RE.match(tok)
    return m.group(1) + "i" if m else tok


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """The matching key for everything: the NLU's chat normalisation (NFC, repeated letters
    squeezed, teencode expanded), folded, then domain abbreviations expanded and y/i unified."""
    out: list[str] = []
    # "hk" is "không" in general chat (data/teencode.yaml) but "hộ khẩu" in questions about
    # procedures ("nhập hk cho con"); keep it away from the chat expansion
    text = _HK_RE.sub("hkhau", text)
    for tok in fold(normalize_chat(text)).split():
        out.extend(_canon_token(t) for t in TEENCODE.get(tok, tok).split())
    return " ".join(out)


# ───────────────────────────── language detection ─────────────────────────────

_EN_WORDS = frozenset(
    "the a an is are was what where when how which who can could i you we my me to of in on at for "
    "from near nearby open opening hours hour ticket tickets price prices cost entrance fee bus "
    "museum museums temple temples pagoda pagodas lake village villages craft make buy visit "
    "does do there any best good show tell about please get go much many time close closed "
    "festival festivals pottery silk ceramics old quarter prison citadel mausoleum lacquer "
    # small talk a tourist opens or closes with ("on", "an", "ban", "me" are Vietnamese too, so the
    # Vietnamese list below outweighs them in "cam on", "chao ban")
    "hello hi hey thanks thank thx bye goodbye morning afternoon evening night whats wheres hows "
    "your weather today tomorrow help robot human real person speak english name nice great sorry "
    "this that it bot lot very "
    # a tourist reporting a problem or answering the report form ("the street light is broken",
    # "yes, send it", "in front of 25 Hang Bai street")
    "yes yeah yep nope send cancel street road front broken light lights there's "
    "is isn't not working report problem rubbish trash garbage hole flooded".split()
)
_VI_FOLDED_WORDS = frozenset(
    "o dau khong the nao bao nhieu gio mo cua ve gia lang chua den ho di xe buyt nhu can cuoc dang "
    "ky muon minh toi cho hoi lam giay to phi mat ngay thu tuc nop co la va cua oi a nhe nha nay "
    "tham quan mua ban gi dep nhat nhung cac tai duoc roi sao khi thi hom nam thang le hoi "
    "xin chao cam on tam biet hieu ko k dc biet ai".split()
)


_WORD_TOKEN_RE = re.compile(r"[a-z0-9']+")


def detect_language(text: str) -> str:
    """'vi' or 'en'. Vietnamese is the default audience, so ties and unknown words go to 'vi'."""
    return language_evidence(text) or "vi"


def language_evidence(text: str, keep_marked_names: bool = False) -> str | None:
    """'vi' or 'en' when the words say so, None when they do not ("25 Hang Bai", "HN-2611-4F7K").

    A conversation keeps its language on None. With `keep_marked_names` (the conversation is
    already English) diacritics alone are not Vietnamese: tourists copy place names from maps
    ("Hàng Bài ward"); only Vietnamese words switch the language back.
    """
    marked = has_diacritics(text)
    if marked and not keep_marked_names:
        return "vi"
    tokens = _WORD_TOKEN_RE.findall(fold(text))  # "Hello!" and "bot?" are words too
    en = sum(1 for t in tokens if t in _EN_WORDS)
    vi = sum(1 for t in tokens if t in _VI_FOLDED_WORDS or t in TEENCODE)
    if en > vi:
        return "en"
    if vi > en or (marked and vi):
        return "vi"
    return None


# ───────────────────────────── aspect detection ─────────────────────────────

# (aspect, folded cues, cues that only count when typed with diacritics)
_AspectTable = tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]
_PLACE_ASPECTS: _AspectTable = (
    ("bus", ("xe buyt", "buyt", "bus", "tuyen xe", "tuyen so"), ()),
    ("festival", ("le hoi", "hoi lang", "khai hoi", "festival", "mua hoi", "tray hoi", "hoi giong", "gio to",
                  "founder's day", "founders day"), ("hội", "giỗ")),
    ("price", ("gia ve", "ve vao", "mua ve", "bao nhieu tien", "mat phi", "phi tham quan", "ticket", "price",
               "entrance fee", "admission", "how much", "cost", "ve bao nhieu", "mat tien", "mat ve",
               "free to enter", "free entry", "entry fee", "co mien phi", "mien phi khong", "is it free",
               "free"),
     ("vé", "giá")),
    ("hours", ("gio mo cua", "mo cua", "dong cua", "may gio", "gio nao", "opening hours", "open", "close",
               "what time", "luc nao", "khung gio", "hours", "when can i visit", "ngay nao trong tuan",
               "opening times", "open on", "vao vieng", "gio vieng", "le vieng"), ()),
    ("products", ("san pham", "ban gi", "lam gi", "mua gi", "dac san", "what do they make", "products",
                  "what can i buy", "nghe gi"), ()),
    ("address", ("dia chi", "o dau", "nam o", "duong di", "chi duong", "where is", "address", "how to get",
                 "how do i get", "how can i get", "getting to",
                 "located", "where", "phuong nao", "xa nao", "thuoc phuong", "thuoc xa"), ()),
)
# "mua lụa ở đâu", "where can I buy hats": the "where" asks which place, not its street address
# …and so does "where can I try making pottery", "học làm gốm ở đâu": an activity, not an address.
_SHOPPING_CUES = ("mua", "buy", "ban o", "shopping", "try", "learn", "experience", "make my own",
                  "make your own", "lam thu", "hoc lam", "trai nghiem", "tu lam")
_PROC_ASPECTS: _AspectTable = (
    ("online", ("online", "truc tuyen", "qua mang", "tren mang", "qua vneid", "tren vneid", "bang vneid",
                "dich vu cong", "qua app", "tren app", "bang app", "ung dung", "tai nha", "tren dien thoai",
                "qua dien thoai"), ()),
    ("fee", ("le phi", "bao nhieu tien", "mat phi", "ton phi", "phi bao nhieu", "fee", "cost", "how much",
             "mien phi", "mat tien", "het bao nhieu"), ()),
    ("time", ("bao lau", "may ngay", "thoi gian", "bao nhieu ngay", "how long", "mat may", "khi nao co",
              "lau khong", "how many days", "how many working days", "processing time"), ()),
    ("where", ("o dau", "noi nao", "cho nao", "nop o", "lam o", "den dau", "where", "co quan nao"), ()),
    ("papers", ("giay to", "can gi", "mang gi", "mang theo", "chuan bi", "documents", "papers",
                "what do i need", "thu tuc gom", "ho so gom", "ho so gi", "can ho so", "nhung gi"), ()),
)


def _detect(query: str, table: _AspectTable) -> str | None:
    q = f" {normalize(query)} "
    q_vi = f" {lower_vi(query)} " if has_diacritics(query) else ""
    for aspect, cues, vi_cues in table:
        if any(f" {normalize(c)} " in q for c in cues) or any(f" {c} " in q_vi for c in vi_cues):
            return aspect
    return None


def detect_place_aspect(query: str) -> str | None:
    """Which fact the user asks about a place (hours, price, bus, address, festival, products)."""
    aspect = _detect(query, _PLACE_ASPECTS)
    if aspect == "address":
        q = f" {normalize(query)} "
        if any(f" {normalize(c)} " in q for c in _SHOPPING_CUES) and not any(
                f" {normalize(c)} " in q for c in ("dia chi", "address", "phuong nao", "xa nao")):
            return None  # an overview (what, where, map) answers a shopping question better
    return aspect


def detect_procedure_aspect(query: str) -> str | None:
    """Which fact the user asks about a procedure (papers, fee, time, where, online)."""
    return _detect(query, _PROC_ASPECTS)


# ───────────────────────────── alias matching (shared) ─────────────────────────────

# Words that say what kind of thing a place is rather than which one; they weigh little in a match.
GENERIC_TOKENS = frozenset(
    "chua den ho lang bao tang nha di tich khu pho phu cau cho vuon quoc gia ha noi hanoi thang long "
    "the of and temple pagoda museum lake village craft old ancient house street bridge hall "
    "nghe co tho san xuat viet nam vietnam national".split()
)
_LOW_WEIGHT = 0.35
_FUZZY_CUTOFF = 75.0
_CONFLICT_SIM = 0.0
_UNMARKED_SIM = 60.0


def mark_signature(token: str) -> tuple[str, ...]:
    """Diacritics of a syllable as a sorted tuple, independent of where the tone mark is placed.

    "hoả" and "hỏa" (old/new placement) compare equal; "chuông" and "chương" do not.
    """
    decomposed = unicodedata.normalize("NFD", token.lower())
    marks = [ch for ch in decomposed if unicodedata.category(ch) == "Mn"]
    if "đ" in token.lower():
        marks.append("đ")
    return tuple(sorted(marks))


@dataclass(frozen=True, slots=True)
class AliasKey:
    """A pre-normalised alias: string, tokens, per-token weights and diacritic signatures."""

    text: str
    tokens: tuple[str, ...]
    weights: tuple[float, ...]
    marks: tuple[tuple[str, ...], ...] | None  # None when the alias has no usable diacritics


def make_alias_key(alias: str, generic: frozenset[str] = GENERIC_TOKENS) -> AliasKey | None:
    text = normalize(alias)
    toks = tuple(text.split())
    if not toks:
        return None
    weights = tuple(_LOW_WEIGHT if t in generic else 1.0 for t in toks)
    raw = lower_vi(alias).split()
    marks = tuple(mark_signature(t) for t in raw) if has_diacritics(alias) and len(raw) == len(toks) else None
    return AliasKey(text, toks, weights, marks)


@dataclass(frozen=True, slots=True)
class _Query:
    text: str
    tokens: tuple[str, ...]
    positions: dict[str, tuple[int, ...]]
    fuzzy: dict[str, tuple[float, int]]
    marks: dict[str, frozenset[tuple[str, ...]]]
    distinctive: frozenset[int]


class AliasMatcher:
    """Scores many aliases against one query quickly.

    Fuzzy token similarity is computed once per query against the vocabulary of all alias tokens
    (rapidfuzz's C loop), so each alias costs only dictionary lookups; the slower substring
    comparison runs only for aliases that already cover the query reasonably well.
    `order_free` suits procedure phrasing ("xin bản sao giấy khai sinh" ≈ "giấy khai sinh… xin bản
    sao"); place names are phrases, so there matched words must stay close together.
    """

    def __init__(self, keys_per_item: Sequence[Sequence[AliasKey]], generic: frozenset[str], order_free: bool) -> None:
        self._keys = [tuple(ks) for ks in keys_per_item]
        self._generic = generic
        self._order_free = order_free
        vocab = {t for ks in self._keys for k in ks for t in k.tokens}
        self._vocab_long = sorted(t for t in vocab if len(t) >= 3)
        self._vocab = frozenset(vocab)

    def _prepare(self, query: str) -> _Query:
        text = normalize(query)
        tokens = tuple(text.split())
        positions_l: dict[str, list[int]] = {}
        for i, t in enumerate(tokens):
            positions_l.setdefault(t, []).append(i)
        positions = {t: tuple(v) for t, v in positions_l.items()}
        fuzzy: dict[str, tuple[float, int]] = {}
        for i, qt in enumerate(tokens):
            if len(qt) < 3 or (len(qt) > 4 and qt.endswith("s") and qt[:-1] in self._vocab):
                continue  # a known word in plural ("museums") is not a typo of another ("mausoleum")
            for choice, score, _ in process.extract(
                qt, self._vocab_long, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF, limit=None
            ):
                # syllables are short: a typo keeps the first letter and roughly the length
                if choice == qt or choice[0] != qt[0] or abs(len(choice) - len(qt)) > 2:
                    continue
                if score > fuzzy.get(choice, (0.0, 0))[0]:
                    fuzzy[choice] = (score, i)
        marks: dict[str, set[tuple[str, ...]]] = {}
        if has_diacritics(query):
            # the user types marks, so an unmarked syllable is meant unmarked too ("Thanh" ≠ "Thành")
            for raw in lower_vi(query).split():
                if raw.isascii() and not raw.isalpha():
                    continue
                marks.setdefault(normalize(raw), set()).add(mark_signature(raw))
        distinctive = frozenset(i for i, t in enumerate(tokens) if t not in self._generic and len(t) >= 2)
        return _Query(text, tokens, positions, fuzzy, {k: frozenset(v) for k, v in marks.items()}, distinctive)

    def _score(self, key: AliasKey, q: _Query) -> float:
        sims: list[float] = []
        pos: list[int] = []
        last = -1
        for j, tok in enumerate(key.tokens):
            sim, at = 0.0, -1
            if tok in q.positions:
                occ = q.positions[tok]
                sim, at = 100.0, next((i for i in occ if i > last), occ[0])  # repeated words: keep order
                if key.marks is not None and key.marks[j] and tok in q.marks and key.marks[j] not in q.marks[tok]:
                    if any(q.marks[tok]):  # typed other marks: another word ("Chương" vs "Chuông")
                        sim, at = _CONFLICT_SIM, -1
                    else:  # typed without marks amid marked words: probably, not surely, another word
                        sim = _UNMARKED_SIM
            elif tok in q.fuzzy:
                sim, at = q.fuzzy[tok]
            sims.append(sim)
            pos.append(at)
            if at >= 0:
                last = at
        total_w = sum(key.weights)
        cov = sum(w * s for w, s in zip(key.weights, sims, strict=True)) / total_w
        if cov < 45.0:
            return 0.65 * cov
        partial = fuzz.partial_ratio(key.text, q.text) if len(key.text) >= 4 else cov
        contiguous = 0.0
        if self._order_free and len(key.tokens) > 1:
            # word order is free, but an alias found verbatim still deserves a nudge
            contiguous = 2.0 if partial >= 95.0 else 0.0
            partial = max(partial, fuzz.token_set_ratio(key.text, q.text))
        matched = [p for p, s in zip(pos, sims, strict=True) if s >= _FUZZY_CUTOFF and p >= 0]
        penalty = 0.0
        if not self._order_free and len(matched) > 1:
            inversions = sum(1 for a, b in zip(matched, matched[1:], strict=False) if b <= a)
            extra = max(matched) - min(matched) + 1 - len(set(matched))
            penalty = min(12.0, 4.0 * max(0, extra - 1) + 6.0 * inversions)
        distinct = sum(1 for w, s in zip(key.weights, sims, strict=True) if w == 1.0 and s >= _FUZZY_CUTOFF)
        bonus = 1.2 * min(distinct, 5) if cov >= 85.0 else 0.0
        q_cov = len(q.distinctive & set(matched)) / len(q.distinctive) if q.distinctive else 0.0
        return 0.65 * cov + 0.35 * partial + bonus + contiguous + 10.0 * q_cov - penalty

    def best_scores(self, query: str) -> list[float]:
        """Best alias score per item, in the order the items were given."""
        q = self._prepare(query)
        if not q.tokens:
            return [0.0] * len(self._keys)
        return [max((self._score(k, q) for k in ks), default=0.0) for ks in self._keys]


# ───────────────────────────── place index ─────────────────────────────

_TYPE_CUES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    # (type, cues that need diacritics when the user typed them, folded cues safe without them)
    ("village_craft", ("làng nghề",), ("lang nghe", "craft village", "craft villages", "handicraft", "handicrafts")),
    ("ancient_village", ("làng cổ",), ("lang co", "ancient village", "old village", "ancient villages")),
    ("museum", ("bảo tàng",), ("bao tang", "museum", "museums")),
    ("pagoda", ("chùa",), ("pagoda", "pagodas", "buddhist")),
    ("temple", ("đền", "phủ"), ("temple", "temples", "shrine", "shrines")),
    ("lake", ("hồ",), ("lake", "lakes")),
    ("relic", ("di tích",), ("di tich", "relic", "relics", "historical site", "historic site", "heritage")),
    ("landmark", ("công trình", "kiến trúc"), ("landmark", "landmarks", "architecture")),
)
# Without diacritics "chua" may be "chưa" (not yet) and "den" may be "đến" (to); accept them only as
# the first word or after words that introduce a noun.
_AMBIGUOUS_FOLDED_TYPES: tuple[tuple[str, str], ...] = (("pagoda", "chua"), ("temple", "den"), ("lake", "ho"))
_CRAFT_INTENT = ("mua", "ban", "lang", "lam", "o dau", "san xuat", "dac san", "buy", "make", "where", "nghe")


@dataclass(frozen=True, slots=True)
class _PlaceEntry:
    place: Place
    keys: tuple[AliasKey, ...]
    products_folded: tuple[tuple[str, int], ...]  # (folded phrase, n words)
    products_vi: tuple[str, ...]  # lowercase with diacritics


def _singular(tok: str) -> str:
    return tok[:-1] if len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss") else tok


@lru_cache(maxsize=4)
def _place_index(path: str | None = None) -> tuple[tuple[_PlaceEntry, ...], AliasMatcher]:
    entries = []
    for p in load_places(path):
        names = (p.name_vi, p.name_en, *p.aliases)
        keys = tuple(k for k in (make_alias_key(n) for n in names) if k is not None)
        folded = tuple((" ".join(_singular(t) for t in normalize(x).split()), len(x.split())) for x in p.products)
        entries.append(_PlaceEntry(p, keys, folded, tuple(lower_vi(x) for x in p.products)))
    matcher = AliasMatcher([e.keys for e in entries], GENERIC_TOKENS, order_free=False)
    return tuple(entries), matcher


def _contains_phrase(haystack: str, phrase: str) -> bool:
    return f" {phrase} " in f" {haystack} "


def detect_place_type(query: str) -> str | None:
    """Type asked for in a list question ("chùa nào đẹp", "museums in Hanoi")."""
    q_vi, q_norm = lower_vi(query), normalize(query)
    q_sing = " ".join(_singular(t) for t in q_norm.split())
    diacritics = has_diacritics(query)
    for ptype, vi_cues, folded_cues in _TYPE_CUES:
        if diacritics and any(_contains_phrase(q_vi, c) for c in vi_cues):
            return ptype
        if any(_contains_phrase(q_norm, c) or _contains_phrase(q_sing, c) for c in folded_cues):
            return ptype
    if not diacritics:
        toks = q_norm.split()
        for ptype, word in _AMBIGUOUS_FOLDED_TYPES:
            if word in toks and (toks[0] == word or "nao" in toks or "cac" in toks or "nhung" in toks):
                return ptype
    return None


def _product_score(entry: _PlaceEntry, q_vi: str, q_sing: str, diacritics: bool, craft_intent: bool) -> float:
    best = 0.0
    for (folded, n_words), vi in zip(entry.products_folded, entry.products_vi, strict=True):
        ascii_phrase = vi == folded  # English or already-ascii keyword
        if diacritics and not ascii_phrase:
            hit = _contains_phrase(q_vi, vi)
        else:
            hit = _contains_phrase(q_sing, folded)
            # a single folded Vietnamese syllable ("may", "hoa", "lua") is too ambiguous alone
            if hit and not ascii_phrase and n_words == 1 and not craft_intent:
                hit = False
        if hit:
            best = max(best, 86.0 + min(n_words, 3) * 2.0)
    return best


MIN_PLACE_SCORE = 72.0
TYPE_LIST_SCORE = 50.0  # below MIN_PLACE_SCORE: "one of this kind", not "the one you named"


def search_places(
    query: str, lang: str | None = None, limit: int = 3, path: str | None = None
) -> list[tuple[Place, float]]:
    """Best places for a free-text question, as (place, score) with the best first.

    Name/alias matches win; otherwise a product ("mua lụa ở đâu", "where can I make pottery")
    or, for list questions ("chùa nào đẹp", "museums"), the places of the asked type by priority.
    `lang` is accepted for symmetry with answers; matching is language-independent.
    """
    del lang  # matching covers both languages; kept in the signature for callers
    query = nfc(query or "").strip()
    if not query:
        return []
    q_norm = normalize(query)
    q_sing = " ".join(_singular(t) for t in q_norm.split())
    q_vi = lower_vi(query)
    diacritics = has_diacritics(query)
    craft_intent = any(_contains_phrase(q_norm, c) for c in _CRAFT_INTENT)
    ptype = detect_place_type(query)

    entries, matcher = _place_index(path)
    scored: list[tuple[float, int, Place]] = []
    for entry, name in zip(entries, matcher.best_scores(query), strict=True):
        prod = _product_score(entry, q_vi, q_sing, diacritics, craft_intent)
        score = max(name, prod)
        if ptype is not None and entry.place.type == ptype:
            score += 6.0
        scored.append((score, entry.place.priority, entry.place))
    scored.sort(key=lambda t: (-t[0], t[1], t[2].id))

    results = [(p, round(s, 1)) for s, _, p in scored if s >= MIN_PLACE_SCORE][:limit]
    if ptype is not None and len(results) < limit:
        # a list question ("museums in Hanoi"): fill up with the best-known places of that type
        taken = {p.id for p, _ in results}
        of_type = sorted((p for _, _, p in scored if p.type == ptype and p.id not in taken),
                         key=lambda p: (p.priority, p.id))
        results += [(p, TYPE_LIST_SCORE) for p in of_type[: limit - len(results)]]
    return results


# ───────────────────────────── nearby ─────────────────────────────

_EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance; plenty accurate at city scale."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def nearby(
    lat: float, lon: float, n: int = 5, type: str | None = None, path: str | None = None
) -> list[tuple[Place, float]]:
    """The n closest places (optionally of one type) as (place, distance_km), nearest first."""
    places: Iterable[Place] = load_places(path)
    if type is not None:
        places = (p for p in places if p.type == type)
    ranked = sorted(((p, haversine_km(lat, lon, p.lat, p.lon)) for p in places), key=lambda t: (t[1], t[0].id))
    return [(p, round(d, 3)) for p, d in ranked[: max(n, 0)]]


# ───────────────────────────── festivals ─────────────────────────────


def lunar_date_to_solar(year: int, month: int, day: int) -> date:
    """Vietnamese (UTC+7) lunar → Gregorian, for the non-leap month of that lunar year.

    lunar_vn silently rolls day 30 of a 29-day month into the next month; festivals on "the last
    day" are then taken as day 29, which is what the calendar shows that year.
    """
    solar = lunar_to_solar(LunarDate(day, month, year))
    if day == 30:
        back = solar_to_lunar(solar)
        if back.month != month or back.day != day:
            solar = lunar_to_solar(LunarDate(29, month, year))
    return solar


@dataclass(frozen=True, slots=True)
class FestivalOccurrence:
    """A festival at a place with its Gregorian start/end for a given year."""

    place: Place
    festival: Festival
    start: date
    end: date


def festival_dates(fest: Festival, year: int) -> list[tuple[date, date]]:
    """Occurrences whose solar dates may touch `year` (lunar dates of lunar year-1 can fall in January)."""
    span = timedelta(days=fest.days - 1)
    if fest.calendar == "solar":
        start = date(year, fest.month, fest.day)
        return [(start, start + span)]
    out = []
    for ly in (year - 1, year):
        start = lunar_date_to_solar(ly, fest.month, fest.day)
        out.append((start, start + span))
    return out


def festivals_in_month(month: int, year: int, path: str | None = None) -> list[FestivalOccurrence]:
    """Festivals with at least one day in the given Gregorian month, ordered by start date."""
    if not 1 <= month <= 12:
        raise ValueError("month must be 1..12")
    first = date(year, month, 1)
    last = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
    found = []
    for place in load_places(path):
        for fest in place.festivals:
            for start, end in festival_dates(fest, year):
                if start <= last and end >= first:
                    found.append(FestivalOccurrence(place, fest, start, end))
    found.sort(key=lambda o: (o.start, o.place.priority, o.place.id))
    return found


def next_festival_date(fest: Festival, today: date) -> tuple[date, date]:
    """The next (or current) occurrence on/after today."""
    for year in (today.year, today.year + 1):
        for start, end in festival_dates(fest, year):
            if end >= today:
                return start, end
    start, end = festival_dates(fest, today.year + 2)[-1]
    return start, end
