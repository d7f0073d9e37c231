"""Which language to answer small talk in: English for a tourist, Vietnamese otherwise.

Short messages defeat general detectors ("cam on" looks English, "Hello" looks like
anything), so this asks a narrower question: does the text carry Vietnamese marks, or
does it hold common English words that are not Vietnamese syllables written plain?
Vietnamese stays the default: a citizen must never be answered in English by mistake.
"""

from __future__ import annotations

import re
import unicodedata

# Common English chat words that a Vietnamese speaker typing without diacritics would not
# produce ("on", "an", "to", "me", "ban" are Vietnamese syllables, so they are left out).
_ENGLISH = frozenset("""
hello hi hey hiya thanks thank thx bye goodbye good morning afternoon evening night please
what whats where wheres when how hows who whos why which is are was were the you your yours
i im i'm my we our can could would should will do does did have has weather today tomorrow
help robot human real person speak english name nice meet great awesome cool see later
sorry excuse anyone there this that it its it's of for with about from they them bot lot much very
""".split())
_WORD_RE = re.compile(r"[a-z']+")


def _has_vietnamese_marks(text: str) -> bool:
    decomposed = unicodedata.normalize("NFD", text)
    return any(unicodedata.combining(ch) for ch in decomposed) or "đ" in text.lower()


def reply_language(text: str | None) -> str:
    """"en" when the message is English, else "vi"."""
    if not text or text.startswith("/") or _has_vietnamese_marks(text):
        return "vi"
    words = _WORD_RE.findall(text.lower())
    if not words:
        return "vi"
    english = sum(1 for w in words if w in _ENGLISH)
    return "en" if english and english * 2 >= len(words) else "vi"
