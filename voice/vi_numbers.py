"""Vietnamese number reading (Northern usage, as spoken in Hanoi).

Rules encoded (why each exists):
- "mười" for 10-19 but "mươi" for the tens of 20-99;
- units after a ten: 1 -> "mốt" (from 21 on), 4 -> "tư" (from 24 on), 5 -> "lăm";
- a zero ten inside a hundred is "linh" (305 -> "ba trăm linh năm");
- inner groups always say their hundreds ("một nghìn không trăm linh năm"), as a reader
  on the radio would; empty groups are skipped;
- "nghìn" rather than the Southern "ngàn".
"""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SCALES = ((1_000_000_000, "tỷ"), (1_000_000, "triệu"), (1_000, "nghìn"))


def _tens_units(n: int, after_hundred: bool) -> list[str]:
    tens, units = divmod(n, 10)
    if tens == 0:
        if units == 0:
            return []
        return ["linh", DIGITS[units]] if after_hundred else [DIGITS[units]]
    words = ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if units == 1 and tens >= 2:
        words.append("mốt")
    elif units == 4 and tens >= 2:
        words.append("tư")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _below_thousand(n: int, full: bool) -> list[str]:
    """Read 0..999; ``full`` forces "không trăm" for inner groups."""
    hundreds, rest = divmod(n, 100)
    if hundreds or full:
        return [DIGITS[hundreds], "trăm", *_tens_units(rest, after_hundred=True)]
    return _tens_units(rest, after_hundred=False)


def number_to_words(n: int) -> str:
    """Read a non-negative or negative integer in Vietnamese words."""
    if n < 0:
        return "âm " + number_to_words(-n)
    if n == 0:
        return DIGITS[0]
    words: list[str] = []
    rest = n
    if rest >= 1_000_000_000_000:  # recursive "tỷ tỷ" is how large amounts are said
        high, rest = divmod(rest, 1_000_000_000)
        words += [number_to_words(high), "tỷ"]
    for scale, name in _SCALES:
        group, rest = divmod(rest, scale)
        if group:
            words += [*_below_thousand(group, full=bool(words)), name]
    if rest:
        words += _below_thousand(rest, full=bool(words))
    return " ".join(words)


def digits_to_words(digits: str) -> str:
    """Read digit by digit ("0912" -> "không chín một hai"), ignoring non-digits."""
    return " ".join(DIGITS[int(ch)] for ch in digits if ch.isdigit())


def decimal_to_words(integer: str, fraction: str) -> str:
    """Read a decimal: "2,5" -> "hai phẩy năm"; "0,05" -> "không phẩy không năm".

    Fractions with a leading zero are read digit by digit so the value stays unambiguous.
    """
    whole = number_to_words(int(integer or "0"))
    if fraction.startswith("0") or len(fraction) > 3:
        tail = digits_to_words(fraction)
    else:
        tail = number_to_words(int(fraction))
    return f"{whole} phẩy {tail}"
