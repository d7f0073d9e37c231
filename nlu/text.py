"""Vietnamese text normalisation shared by the Rasa components and the app.

This module must import cleanly in both virtual environments (Rasa's Python 3.10
and the app's Python 3.11), so it depends only on the standard library and PyYAML.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TEENCODE_FILE = DATA_DIR / "teencode.yaml"

MAX_TEXT_CHARS = 5000

_WS_RE = re.compile(r"\s+")
_PUNCT_REPEAT_RE = re.compile(r"([!?.,])\1+")
_TOKEN_RE = re.compile(r"\w+\.?|[^\w\s]", re.UNICODE)
# Spans teencode must never rewrite: URLs, e-mails, paths; codes and compounds joined by
# hyphens ("HN-0412-AB1K", "k-pop"); numbers with letters ("7k", "3g" are one token anyway).
_PROTECTED_RE = re.compile(r"\S*(?:://|@|www\.)\S*|\w+(?:-\w+)+", re.UNICODE)
# Names whose words look like teencode ("washington dc": "dc" is not "được").
_PROTECTED_NAMES = ("washington dc", "washington d.c", "district of columbia")


def nfc(text: str) -> str:
    """Unicode NFC: phones send decomposed (NFD) Vietnamese, which breaks matching."""
    return unicodedata.normalize("NFC", text)


# Bidi overrides/isolates/marks and zero-width characters: invisible, they let a report show
# one thing and store another ("RTL override" spoofing) and break matching (issue 14).
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\u061c\u180e\ufeff]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """NFC, without bidi controls or zero-width characters: what every entry point stores."""
    return _INVISIBLE_RE.sub("", nfc(text))


def collapse_whitespace(text: str) -> str:
    return _WS_RE.sub(" ", text).strip()


class _FoldTable(dict[int, str]):
    """Code point → its folded text, worked out the first time a character is seen, so that
    ``str.translate`` folds a whole text in one pass (bench/fold_bench.py)."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFD", chr(code).lower())
        out = unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
        self[code] = out = out.replace("đ", "d")
        return out


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lowercase without diacritics, đ → d, of the NFC text ("Láng Hạ" → "lang ha").

    Citizens often type without diacritics, and phones send NFD; comparing folded forms makes
    all of those meet. The project's one folding function (issue 13): everything else calls it.
    """
    return unicodedata.normalize("NFC", text).translate(_FOLD_TABLE)


def fold_char(ch: str) -> str:
    """One character folded by the same table: "" for a lone combining mark, sometimes two
    characters. For callers that map folded offsets back to the text (the gazetteer)."""
    return _FOLD_TABLE[ord(ch)]


def accents_agree(typed: Sequence[str], wanted: Sequence[str]) -> bool:
    """Whether words typed by a citizen may be the name `wanted` (both lowercase NFC words).

    Folding makes "có đò" meet "Cổ Đô" and "phường Trung" meet "Phương Trung"; someone
    who types diacritics has told us which word they meant, so such a word must be the
    name's own. Words typed plain match anything; lists of other lengths are not compared.
    """
    if len(typed) != len(wanted):
        return True
    return all(t == w for t, w in zip(typed, wanted, strict=True) if fold(t) != t)


# Tone marks (grave, acute, tilde, hook above, dot below). Horn, breve and
# circumflex are not tones: they make other letters (ư ≠ u, â ≠ a).
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _letter(ch: str) -> str:
    """The letter without its tone: "ứ" → "ư", "á" → "a", "A" → "a"."""
    decomposed = unicodedata.normalize("NFD", ch.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))


def _squeeze_run(run: str) -> str:
    # Keep the letter that carries the diacritic: "áaaa" → "á".
    return max(run, key=lambda ch: len(unicodedata.normalize("NFD", ch)))


def squeeze_repeats(text: str) -> str:
    """Drop letters repeated for emphasis ("quáaaa" → "quá", "!!!" → "!").

    Runs of three or more of one letter never occur in Vietnamese spelling; a pair
    is squeezed only when its tones differ ("quáa"), since "xoong" is a word. A
    letter is compared without its tone but with its other marks, so "Ngưu",
    "Tựu" and "bưu điện" (ư + u) are two letters and stay as written.
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        j = i + 1
        if ch.isalpha():
            base = _letter(ch)
            while j < len(text) and text[j].isalpha() and _letter(text[j]) == base:
                j += 1
        run = text[i:j]
        if len(run) >= 3 or (len(run) == 2 and run[0].lower() != run[1].lower()):
            out.append(_squeeze_run(run))
        else:
            out.append(run)
        i = j
    return _PUNCT_REPEAT_RE.sub(r"\1", "".join(out))


@functools.lru_cache(maxsize=1)
def _teencode() -> tuple[dict[str, str], dict[str, str]]:
    """Load whole-token and prefix abbreviation maps once; absent file → no expansion."""
    if not TEENCODE_FILE.exists():
        return {}, {}
    raw = yaml.safe_load(TEENCODE_FILE.read_text(encoding="utf-8")) or {}
    tokens = {nfc(str(k)).lower(): nfc(str(v)) for k, v in (raw.get("tokens") or {}).items()}
    prefixes = {nfc(str(k)).lower(): nfc(str(v)) for k, v in (raw.get("prefixes") or {}).items()}
    return tokens, prefixes


@functools.lru_cache(maxsize=1)
def teencode_words() -> frozenset[str]:
    """The words abbreviation expansion writes ("người", "không", "được", "rồi"): in a message
    typed without marks they are the only accented words, and must not hide its plain cues."""
    tokens, prefixes = _teencode()
    return frozenset(w for v in (*tokens.values(), *prefixes.values()) for w in v.lower().split())


def _protected_spans(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _PROTECTED_RE.finditer(text)]
    lowered = text.lower()
    for name in _PROTECTED_NAMES:
        start = lowered.find(name)
        while start != -1:
            spans.append((start, start + len(name)))
            start = lowered.find(name, start + 1)
    return spans


def expand_teencode(text: str) -> str:
    """Replace unambiguous abbreviations ("ko" → "không", "p.Láng" → "phường Láng")."""
    tokens, prefixes = _teencode()
    if not tokens and not prefixes:
        return text
    protected = _protected_spans(text)
    out: list[str] = []
    pos = 0
    for match in _TOKEN_RE.finditer(text):
        word = match.group(0)
        if any(start <= match.start() and match.end() <= end for start, end in protected):
            continue  # left as typed (copied with the text between tokens)
        out.append(text[pos : match.start()])
        pos = match.end()
        lower = word.lower()
        if lower in prefixes:
            out.append(prefixes[lower] + " ")
            continue
        bare = lower.rstrip(".")
        if bare in tokens and (lower == bare or bare + "." not in prefixes):
            out.append(tokens[bare] + word[len(bare) :])
            continue
        replaced = False
        for prefix, expansion in prefixes.items():
            # "p.láng", "q.cầu" — a prefix glued to the name that follows it.
            if lower.startswith(prefix) and len(lower) > len(prefix):
                out.append(expansion + " " + word[len(prefix) :])
                replaced = True
                break
        if not replaced:
            out.append(word)
    out.append(text[pos:])
    return collapse_whitespace("".join(out))


def normalize(text: str) -> str:
    """The one normalisation every entry point applies before NLU.

    Case is kept on purpose: the word segmenter uses capitals to find proper names
    ("Nguyễn Trãi"); featurizers lowercase on their own.
    """
    text = collapse_whitespace(nfc(text))
    text = squeeze_repeats(text)
    return expand_teencode(text)


class TextError(ValueError):
    """A message the assistant cannot take, with a reason a user can read."""


def validate_user_text(text: object, *, allow_empty: bool = False) -> str:
    """Check text arriving from any channel; NFC and strip invisible controls (clean_text)."""
    if not isinstance(text, str):
        raise TextError("Trường 'text' phải là chuỗi ký tự (text must be a string).")
    if _SURROGATE_RE.search(text):  # a lone UTF-16 surrogate cannot be stored or sent on
        raise TextError("Tin nhắn chứa ký tự Unicode không hợp lệ (message contains a lone UTF-16 surrogate).")
    text = clean_text(text)
    if len(text) > MAX_TEXT_CHARS:
        raise TextError(
            f"Tin nhắn quá dài: tối đa {MAX_TEXT_CHARS} ký tự "
            f"(message too long: at most {MAX_TEXT_CHARS} characters)."
        )
    if "\x00" in text:
        raise TextError("Tin nhắn chứa ký tự không hợp lệ (message contains a NUL byte).")
    if not allow_empty and not text.strip():
        raise TextError("Tin nhắn trống (message is empty).")
    return text
