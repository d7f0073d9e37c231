"""`procedure` and `place` entities: names and aliases from the project's own catalogs.

data/procedures.yaml (public-service procedures) and data/tourism/sites.yaml
(relic sites and craft villages) already list the names people use, with and
without diacritics and in English; matching those (folded, whole words,
longest first) gives the id the answering actions need. Standard library +
PyYAML only: it runs in both virtual environments.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

import yaml

from nlu.text import accents_agree, fold

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CATALOGS = {"procedure": (DATA_DIR / "procedures.yaml", "procedures"),
            "place": (DATA_DIR / "tourism" / "sites.yaml", "places")}
_WORD_RE = re.compile(r"[a-z0-9]+")
MIN_SINGLE_WORD = 4  # one-word aliases shorter than this ("gks") are too easy to hit by chance


def _key(text: str) -> str:
    return " ".join(_WORD_RE.findall(fold(text)))


@functools.lru_cache(maxsize=1)
def _phrases() -> dict[str, tuple[str, str, tuple[tuple[str, ...], ...]]]:
    """Folded phrase → (entity type, catalog id, the names' accented words); a phrase
    claimed by two ids is dropped."""
    found: dict[str, set[tuple[str, str]]] = {}
    spellings: dict[str, set[tuple[str, ...]]] = {}
    for entity, (path, section) in CATALOGS.items():
        if not path.exists():
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        items = doc.get(section) or []
        for item in items:
            if not isinstance(item, dict) or not item.get("id"):
                continue
            names = [item.get("name_vi"), item.get("name_en"), *(item.get("aliases") or [])]
            for name in names:
                if not isinstance(name, str):
                    continue
                key = _key(name)
                words = key.split()
                if not words or (len(words) == 1 and len(key) < MIN_SINGLE_WORD) or key.isdigit():
                    continue
                found.setdefault(key, set()).add((entity, str(item["id"])))
                spellings.setdefault(key, set()).add(tuple(_accented_words(name)))
    return {k: (*next(iter(v)), tuple(spellings[k])) for k, v in found.items() if len(v) == 1}


def _accented_words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text))]


def _folded_words(text: str) -> list[tuple[str, int, int]]:
    """Folded words of `text` with their spans in `text` (fold keeps NFC length)."""
    out = []
    for m in re.finditer(r"[^\W_]+", text):
        word = "".join(_WORD_RE.findall(fold(m.group(0))))
        if word:
            out.append((word, m.start(), m.end()))
    return out


def find(text: str) -> list[tuple[str, str, int, int]]:
    """(entity, id, start, end) for each catalog name in `text`, longest match first."""
    phrases = _phrases()
    if not phrases:
        return []
    max_len = max(len(k.split()) for k in phrases)
    words = _folded_words(text)
    out = []
    i = 0
    while i < len(words):
        hit = None
        for n in range(min(max_len, len(words) - i), 0, -1):
            key = " ".join(w for w, _, _ in words[i : i + n])
            if key in phrases:
                hit = (n, phrases[key])
                break
        if hit is None:
            i += 1
            continue
        n, (entity, item_id, spellings) = hit
        typed = [text[start:end].lower() for _, start, end in words[i : i + n]]
        if not any(accents_agree(typed, spelling) for spelling in spellings):
            i += 1
            continue
        out.append((entity, item_id, words[i][1], words[i + n - 1][2]))
        i += n
    return out
