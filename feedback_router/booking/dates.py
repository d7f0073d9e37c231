"""Vietnamese day and time expressions for booking a turn ("mai", "sáng thứ 6", "25/12", "9 giờ rưỡi").

Citizens type with or without diacritics and the hotline's speech recogniser writes numbers as
words ("chín giờ"), so everything is matched on the folded text (``nlu.text.fold``) and number
words are read too. The reference "now" is always given by the caller and read in
Asia/Ho_Chi_Minh: a date without a year is the next one to come, a weekday the nearest one from
today. ``pick_option`` reads an answer to an offer of slots ("cái đầu tiên", "số 2", "9 giờ"),
because the hotline has no buttons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from nlu.text import fold, nfc

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")

MORNING, AFTERNOON, EVENING = "morning", "afternoon", "evening"
PART_HOURS = {MORNING: (time(0, 0), time(12, 0)), AFTERNOON: (time(12, 0), time(18, 0)),
              EVENING: (time(18, 0), time(23, 59))}

_NUMBER_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
                 "chin": 9, "muoi": 10, "muoi mot": 11, "muoi hai": 12}
_NUM = r"(\d{1,2}|muoi mot|muoi hai|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi)"
_MINUTE_WORDS = {"ruoi": 30, "ba muoi": 30, "muoi lam": 15, "bon lam": 45, "bon muoi lam": 45}

# weekday names (folded) -> Python weekday (Monday = 0)
_WEEKDAYS = {"hai": 0, "2": 0, "ba": 1, "3": 1, "tu": 2, "4": 2, "nam": 3, "5": 3, "sau": 4, "6": 4,
             "bay": 5, "7": 5}

_WEEKDAY_RE = re.compile(r"\b(?:thu\s*(hai|ba|tu|nam|sau|bay|[2-7])|t([2-7])|(chu\s*nhat|cn))\b"
                         r"(\s+(?:tuan\s+)?(?:sau|toi)\b)?")
_DATE_RE = re.compile(r"\b(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?\b")
_DAY_MONTH_WORDS_RE = re.compile(r"\b(?:ngay\s+)?(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+nam\s+(\d{4}))?\b")
_DAY_ONLY_RE = re.compile(r"\bngay\s+(\d{1,2})\b(?!\s*(?:[/.-]|thang))")
_CLOCK_RE = re.compile(r"\b(\d{1,2})\s*(?::|h|g|gio)\s*(\d{2})\b")
_HOUR_RE = re.compile(r"\b" + _NUM + r"\s*(?:h|g|gio|tieng)(?![a-z])(?:\s*(ruoi|ba muoi|muoi lam|bon muoi lam|bon lam|"
                      r"\d{2})(?:\s*phut)?)?")
_ORDINAL_RE = re.compile(r"\b(?:so|cai|lua chon|phuong an|khung|lich)\s*(?:thu\s*)?" + _NUM + r"\b")


@dataclass(frozen=True)
class When:
    """What a citizen said about the moment they want: any part may be missing."""

    day: date | None = None
    part: str | None = None  # morning / afternoon / evening
    at: time | None = None

    def __bool__(self) -> bool:
        return self.day is not None or self.part is not None or self.at is not None

    def earliest(self, now: datetime) -> datetime:
        """The earliest moment (aware, Hanoi time) a slot may start to fit this request."""
        now = now.astimezone(HANOI)
        day = self.day or now.date()
        if self.at is not None:
            start = datetime.combine(day, self.at, HANOI) - timedelta(minutes=29)
        elif self.part is not None:
            start = datetime.combine(day, PART_HOURS[self.part][0], HANOI)
        else:
            start = datetime.combine(day, time(0, 0), HANOI)
        return max(start, now)

    def latest(self) -> datetime | None:
        """The end of the requested day (or part of day); None if no day was said."""
        if self.day is None:
            return None
        if self.part is not None and self.at is None:
            return datetime.combine(self.day, PART_HOURS[self.part][1], HANOI)
        return datetime.combine(self.day + timedelta(days=1), time(0, 0), HANOI)


def _number(token: str) -> int | None:
    token = token.strip()
    if token.isdigit():
        return int(token)
    return _NUMBER_WORDS.get(re.sub(r"\s+", " ", token))


def _next_weekday(today: date, weekday: int, next_week: bool) -> date:
    if next_week:
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day(folded: str, original: str, today: date) -> date | None:
    m = _DATE_RE.search(folded) or _DAY_MONTH_WORDS_RE.search(folded)
    if m:
        d, mo = int(m.group(1)), int(m.group(2))
        if m.group(3):
            return _safe_date(int(m.group(3)), mo, d)
        found = _safe_date(today.year, mo, d)
        if found is not None and found < today:
            found = _safe_date(today.year + 1, mo, d)
        return found
    m = _WEEKDAY_RE.search(folded)
    if m:
        name = m.group(1) or m.group(2)
        weekday = 6 if m.group(3) else _WEEKDAYS[name]
        return _next_weekday(today, weekday, bool(m.group(4)))
    if re.search(r"\b(?:ngay\s+kia|ngay\s+mot)\b", folded) or "mốt" in original.lower():
        return today + timedelta(days=2)
    if re.search(r"\b(?:ngay\s+mai|mai)\b", folded):
        return today + timedelta(days=1)
    if re.search(r"\b(?:hom\s+nay|bay\s+gio|ngay\s+hom\s+nay)\b", folded) or \
            re.search(r"\b(?:sang|trua|chieu|toi|ngay)\s+nay\b", folded):
        return today
    if re.search(r"\btuan\s+(?:sau|toi)\b", folded):
        return _next_weekday(today, 0, True)
    m = _DAY_ONLY_RE.search(folded)
    if m:
        d = int(m.group(1))
        found = _safe_date(today.year, today.month, d)
        if found is None or found < today:
            nxt = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
            found = _safe_date(nxt.year, nxt.month, d)
        return found
    return None


_PLAIN_DAY_WORD = r"(?:mai|nay|hom nay|thu|t[2-7]|chu nhat|cn|ngay|som|tuan)"


def _part(original: str, folded: str) -> str | None:
    """Morning/afternoon/evening. Without diacritics "sang" is also "over to" ("đổi sang") and
    "toi" is also "I": plain words count only next to a day word or a clock time."""
    lower = original.lower()
    if any(ord(ch) > 127 for ch in lower):
        if re.search(r"\b(?:sáng|morning)\b", lower):
            return MORNING
        if re.search(r"\b(?:chiều|trưa|afternoon)\b", lower):
            return AFTERNOON
        if re.search(r"\b(?:tối|evening)\b", lower):
            return EVENING
        return None
    clock = r"(?:\d{1,2}\s*(?:h|g|gio)(?:\s*\d{2})?|buoi)"
    for word, part in (("sang", MORNING), ("chieu", AFTERNOON), ("trua", AFTERNOON), ("toi", EVENING)):
        if re.search(rf"\b{word}\s+{_PLAIN_DAY_WORD}\b", folded) or re.search(rf"{clock}\s+{word}\b", folded):
            return part
        if word in ("chieu", "trua") and re.search(rf"\b{word}\b", folded):
            return part
    if re.search(r"\bmorning\b", folded):
        return MORNING
    if re.search(r"\bafternoon\b", folded):
        return AFTERNOON
    return None


def _clock(folded: str, part: str | None) -> time | None:
    hour: int | None = None
    minute = 0
    m = _CLOCK_RE.search(folded)
    if m:
        hour, minute = int(m.group(1)), int(m.group(2))
    else:
        m = _HOUR_RE.search(folded)
        if m:
            hour = _number(m.group(1))
            extra = m.group(2)
            if extra:
                minute = int(extra) if extra.isdigit() else _MINUTE_WORDS.get(extra, 0)
    if hour is None or not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    if part in (AFTERNOON, EVENING) and hour < 12:
        hour += 12
    elif part is None and 1 <= hour <= 6:
        hour += 12  # "2 giờ" at a public desk means 14:00
    return time(hour % 24, minute)


def parse_when(text: str, now: datetime) -> When:
    """Read a day, a part of the day and a clock time out of ``text``; empty ``When`` if none."""
    original = nfc(text or "")
    folded = fold(original)
    today = now.astimezone(HANOI).date()
    day = _day(folded, original, today)
    part = _part(original, folded)
    at = _clock(folded, part)
    if at is not None and part is None:
        part = MORNING if at < time(12, 0) else AFTERNOON
    return When(day=day, part=part, at=at)


def pick_option(text: str, starts: list[datetime]) -> int | None:
    """Which offered slot (index into ``starts``) an answer names: by clock time ("9 giờ",
    "9h30"), by position ("số 2", "cái đầu tiên", "cuối cùng", a bare "2"), or by a button's
    own title. None if the answer names none of them."""
    if not starts:
        return None
    folded = fold(nfc(text or "")).strip(" .!?")
    local = [s.astimezone(HANOI) for s in starts]
    for i, s in enumerate(local):
        if folded in (f"{s:%H:%M}", f"{s:%Hh%M}", f"{s.hour}h{s:%M}", f"{s.hour}:{s:%M}") or \
                folded.startswith(f"{i + 1}. "):
            return i
    m = _ORDINAL_RE.search(folded)
    if m:
        n = _number(m.group(1))
        if n is not None and 1 <= n <= len(starts):
            return n - 1
    if re.fullmatch(r"(?:so\s*)?\d", folded):
        n = int(folded[-1])
        return n - 1 if 1 <= n <= len(starts) else None
    if re.search(r"\b(?:dau tien|thu nhat|so mot|dau)\b", folded):
        return 0
    if re.search(r"\b(?:cuoi cung|sau cung|cuoi)\b", folded):
        return len(starts) - 1
    at = _clock(folded, _part(nfc(text or ""), folded))
    if at is not None:
        for i, s in enumerate(local):
            if (s.hour, s.minute) == (at.hour, at.minute):
                return i
        hour_only = [i for i, s in enumerate(local) if s.hour == at.hour]
        if at.minute == 0 and hour_only:
            return hour_only[0]
    return None
