"""`datetime` entities: the words that say when ("chiều mai", "9h sáng thứ 3", "12/5").

Only the span is found here, in Vietnamese (with or without diacritics) and
English; turning it into a moment needs "now" and the conversation, which the
actions have (feedback_router.booking.dates). Standard library only.
"""

from __future__ import annotations

import re
import unicodedata

from nlu.text import fold

_PART = r"(?:sang|trua|chieu|toi|dem|khuya)"
# "lần thứ ba" (the third time) is not Tuesday
_WEEKDAY = r"(?:(?<!lan )thu\s*(?:hai|ba|tu|nam|sau|bay|[2-7])|chu\s*nhat|cn)"
_PIECES = [
    r"\d{1,2}\s*(?:h|g|gio|:)\s*(?:\d{1,2}\s*(?:p|phut)?|kem\s*\d{1,2}|ruoi|r)?",  # 9h, 9 giờ 30, 9:15, 9h rưỡi
    r"\d{1,2}(?::\d{2})?\s*(?:am|pm)",
    rf"{_PART}\s*(?:nay|mai|qua|kia|hom\s*qua|hom\s*nay|ngay\s*mai|{_WEEKDAY})",
    r"(?:hom\s*nay|hom\s*qua|hom\s*kia|ngay\s*mai|ngay\s*kia|mai\s*kia|dem\s*qua|toi\s*qua)",
    r"(?:tuan|thang|nam)\s*(?:nay|sau|toi|truoc|ngoai)",
    # no "tới" after a weekday: "thứ ba tôi đến" is "Tuesday I come"
    rf"(?:{_WEEKDAY})(?:\s*(?:nay|sau|truoc|tuan\s*(?:sau|nay|toi)))?",
    r"ngay\s*\d{1,2}(?:\s*(?:thang|/)\s*\d{1,2})?(?:\s*(?:nam|/)\s*\d{4})?",
    r"\d{1,2}/\d{1,2}(?:/\d{2,4})?",
    rf"(?:buoi\s*)?{_PART}(?=\s*(?:\d|$|[,.!?]))",
    r"(?:today|tomorrow|yesterday|tonight|this\s*(?:morning|afternoon|evening|week)"
    r"|next\s*(?:week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"|(?:on\s*)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))",
]
_PIECE_RE = re.compile(r"\b(?:" + "|".join(_PIECES) + r")\b")
# Pieces joined by these make one expression: "9h sáng thứ 3", "chiều mai lúc 3 giờ".
_JOIN_RE = re.compile(r"\s*(?:,|luc|vao|at|on|khoang|tam)?\s*")
_LONE_MAI_RE = re.compile(r"^\s*mai\b")  # "mai tôi đến": at the start, "mai" is tomorrow


def _folded(text: str) -> str | None:
    nfc = unicodedata.normalize("NFC", text)
    folded = "".join(fold(ch) or " " for ch in nfc)
    return folded if len(folded) == len(nfc) == len(text) else None


def find(text: str) -> list[tuple[str, int, int]]:
    """(surface text, start, end) of each time expression in `text`."""
    folded = _folded(text)
    if folded is None:
        return []
    spans = [(m.start(), m.end()) for m in _PIECE_RE.finditer(folded)]
    lone = _LONE_MAI_RE.match(folded)
    if lone and not any(s <= lone.start() + lone.group(0).index("mai") < e for s, e in spans):
        start = lone.group(0).index("mai")
        spans.insert(0, (start, start + 3))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or _JOIN_RE.fullmatch(folded[merged[-1][1] : start])):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    out = []
    for start, end in merged:
        surface = text[start:end].strip(" ,")
        if surface:
            offset = text.index(surface, start)
            out.append((surface, offset, offset + len(surface)))
    return out
