"""Word segmentation with character offsets, independent of Rasa.

underthesea returns words without offsets; Rasa needs exact spans, so the words
are located back in the original string here.
"""

from __future__ import annotations

import re

from underthesea import word_tokenize

from nlu.text import fold

_SPACE_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"\S+")


def _fold_same_length(text: str) -> str:
    """Fold char by char, one char for one char, so offsets in the result are offsets in `text`."""
    out = []
    for ch in text:
        folded = fold(ch)
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


def _uncovered(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Whitespace-separated pieces of text[start:end]: words underthesea dropped or rewrote."""
    return [(m.group(0), start + m.start(), start + m.end()) for m in _WORD_RE.finditer(text[start:end])]


def segment(text: str) -> list[tuple[str, int, int]]:
    """Return (word, start, end) for each word underthesea finds in `text`, and never lose one.

    underthesea may normalise spacing inside a word and move tone marks ("hoà" → "hòa"),
    so each word is located in a folded copy of the text (same length, diacritics removed)
    with a whitespace-tolerant pattern: offsets always point into the original text and the
    token is the text as written. Anything left between located words becomes tokens split
    on whitespace, so the tokens always cover every non-space character of the input.
    """
    if not text.strip():
        return []
    folded_text = _fold_same_length(text)
    result: list[tuple[str, int, int]] = []
    pos = 0
    for word in word_tokenize(text):
        parts = [re.escape(_fold_same_length(p)) for p in word.split()]
        if not parts:
            continue
        match = re.compile(r"\s*".join(parts)).search(folded_text, pos)
        if match is None:
            continue  # not found even folded: the gap filler below keeps its characters
        result.extend(_uncovered(text, pos, match.start()))
        result.append((text[match.start():match.end()], match.start(), match.end()))
        pos = match.end()
    result.extend(_uncovered(text, pos, len(text)))
    return result
