"""Phrase-list matching for engines without a decoding grammar.

Why: viet-asr decodes freely; for a menu prompt ("có/không", digits, category names) we
still want one of the expected answers or nothing. We compare the free transcript with
each phrase (after removing tone marks so "khong" ~ "không") and accept the best one
above a threshold. This is weaker than a real grammar (Vosk) and is documented as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from nlu.text import fold as fold_marks

UNKNOWN = "[unk]"
MIN_SIMILARITY = 0.72
MAX_EXTRA_WORDS = 3  # politeness words tolerated around a phrase: "dạ", "ạ", "vâng"


def fold(text: str) -> str:
    """Lower-case, drop Vietnamese tone/diacritic marks, map đ->d, squeeze spaces."""
    return " ".join(fold_marks(text).split())


def best_phrase(text: str, phrases: Sequence[str], min_similarity: float = MIN_SIMILARITY) -> tuple[str | None, float]:
    """Return (phrase, similarity) of the closest phrase, or (None, best score).

    A phrase that appears whole inside a short transcript ("dạ có ạ" contains "có")
    counts as a full match: callers add politeness words around short answers. In a long
    sentence a contained phrase is not enough ("một trăm người" is not the menu item "một").
    """
    spoken = fold(text)
    if not spoken:
        return None, 0.0
    best: tuple[str | None, float] = (None, 0.0)
    padded = f" {spoken} "
    for phrase in phrases:
        if phrase == UNKNOWN:
            continue
        target = fold(phrase)
        if not target:
            continue
        short = len(spoken.split()) <= len(target.split()) + MAX_EXTRA_WORDS
        if short and f" {target} " in padded:
            score = 1.0
        else:
            score = SequenceMatcher(None, spoken, target).ratio()
        if score > best[1] or (score == best[1] and best[0] and len(phrase) > len(best[0])):
            best = (phrase, score)
    if best[1] >= min_similarity:
        return best
    return None, best[1]
