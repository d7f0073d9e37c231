"""Word segmentation with character offsets, independent of Rasa.

underthesea returns words without offsets; Rasa needs exact spans, so the words
are located back in the original string here.
"""

from __future__ import annotations

import re

from underthesea import word_tokenize

_SPACE_RE = re.compile(r"\s+")


def segment(text: str) -> list[tuple[str, int, int]]:
    """Return (word, start, end) for each word underthesea finds in `text`.

    underthesea may normalise spacing inside a word; the span is searched with a
    whitespace-tolerant pattern so offsets always point into the original text.
    """
    if not text.strip():
        return []
    result: list[tuple[str, int, int]] = []
    pos = 0
    for word in word_tokenize(text):
        parts = [re.escape(p) for p in word.split()]
        if not parts:
            continue
        match = re.compile(r"\s*".join(parts)).search(text, pos)
        if match is None:
            continue  # a character underthesea rewrote; skip rather than misplace
        result.append((match.group(0), match.start(), match.end()))
        pos = match.end()
    return result
