"""Make chat-style Vietnamese text speakable before TTS.

Why focused rules instead of a package: ``vinorm`` (2.0.7, last release 2020) does work
offline but shells out to a bundled binary that reads and writes fixed files *inside its
own site-packages folder*, so two concurrent calls overwrite each other's text (and it
fails on a read-only install); it also imports the ``imp`` module, removed in Python 3.12.
``vinormx`` (pure Python) misreads exactly what our bot says: "15.000đ" -> "mười lăm
.000đ", phone numbers as millions, ticket codes as numbers. The rules below cover what the
assistant actually produces: addresses, dates, times, money, phone numbers, administrative
abbreviations and ticket codes, and are unit-tested.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from voice.vi_numbers import decimal_to_words, digits_to_words, number_to_words

LETTERS = {
    "A": "a", "Ă": "á", "Â": "ớ", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê", "E": "e",
    "Ê": "ê", "F": "ép", "G": "gờ", "H": "hát", "I": "i", "J": "gi", "K": "ca", "L": "e lờ",
    "M": "em mờ", "N": "en nờ", "O": "o", "Ô": "ô", "Ơ": "ơ", "P": "pê", "Q": "quy",
    "R": "e rờ", "S": "ét", "T": "tê", "U": "u", "Ư": "ư", "V": "vê", "W": "vê kép",
    "X": "ích", "Y": "i dài", "Z": "dét",
}  # fmt: skip

# Abbreviations written with a trailing dot before a place name ("P. Ngọc Khánh").
DOTTED = {"TP": "thành phố", "Tp": "thành phố", "TX": "thị xã", "TT": "thị trấn",
          "Q": "quận", "P": "phường", "H": "huyện", "X": "xã", "Đ": "đường"}  # fmt: skip

ABBREVIATIONS = {
    "UBND": "ủy ban nhân dân", "HĐND": "hội đồng nhân dân", "MTTQ": "mặt trận tổ quốc",
    "CSGT": "cảnh sát giao thông", "CA": "công an", "PCCC": "phòng cháy chữa cháy",
    "CCCD": "căn cước công dân", "CMND": "chứng minh nhân dân", "BHXH": "bảo hiểm xã hội",
    "BHYT": "bảo hiểm y tế", "GPLX": "giấy phép lái xe", "GCN": "giấy chứng nhận",
    "QSDĐ": "quyền sử dụng đất", "SĐT": "số điện thoại", "Sđt": "số điện thoại",
    "STT": "số thứ tự", "TTHC": "thủ tục hành chính", "DVC": "dịch vụ công",
    "ĐKKD": "đăng ký kinh doanh", "KĐT": "khu đô thị", "KCN": "khu công nghiệp",
    "GTVT": "giao thông vận tải", "TNMT": "tài nguyên và môi trường",
    "TN&MT": "tài nguyên và môi trường", "KH&ĐT": "kế hoạch và đầu tư",
    "LĐTBXH": "lao động thương binh và xã hội", "VH&TT": "văn hóa và thể thao",
    "NN&PTNT": "nông nghiệp và phát triển nông thôn", "THPT": "trung học phổ thông",
    "THCS": "trung học cơ sở", "ĐH": "đại học", "BV": "bệnh viện", "HN": "Hà Nội",
    "HCM": "Hồ Chí Minh", "VN": "Việt Nam", "v.v.": "vân vân", "v.v": "vân vân",
}  # fmt: skip

UNITS = {
    "km": "ki lô mét", "m2": "mét vuông", "m²": "mét vuông", "m": "mét", "cm": "xen ti mét",
    "mm": "mi li mét", "kg": "ki lô gam", "g": "gam", "ha": "héc ta", "l": "lít",
    "km/h": "ki lô mét một giờ", "%": "phần trăm", "k": "nghìn",
    "đ": "đồng", "đồng": "đồng", "VNĐ": "đồng", "vnđ": "đồng", "VND": "đồng",
}  # fmt: skip

SYMBOLS = {"&": " và ", "+": " cộng ", "@": " a còng ", "=": " bằng ", "#": " thăng "}

# Words after which a number is a phone/hotline number, read digit by digit.
DIAL_WORDS = ("gọi", "tổng đài", "đường dây nóng", "hotline", "điện thoại", "SĐT", "số máy",
              "liên hệ", "quay số", "bấm số")  # fmt: skip
DIAL_CONTEXT = "(?:" + "|".join(DIAL_WORDS) + ")"
ADDRESS_CONTEXT = r"(?:số|ngõ|ngách|hẻm|kiệt|nhà|phòng)"

_NUM = r"\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?"  # 15.000 (thousands) | 2,5 (decimal) | 300


def spell_code(code: str) -> str:
    """Read a code character by character: "HN-2611-4F7K" ->
    "hát en nờ, gạch ngang, hai sáu một một, gạch ngang, bốn ép bảy ca"."""
    groups = [g for g in re.split(r"[-_/.]", code) if g]
    spoken = []
    for group in groups:
        chars = [DIGITS_AS_WORDS.get(ch) or LETTERS.get(ch.upper(), ch) for ch in group]
        spoken.append(" ".join(chars))
    return ", gạch ngang, ".join(spoken)


DIGITS_AS_WORDS = {str(d): digits_to_words(str(d)) for d in range(10)}


def read_number(token: str) -> str:
    """Read "15.000" (thousands dots), "2,5" (decimal comma) or "300"."""
    if "," in token:
        integer, fraction = token.split(",", 1)
        return decimal_to_words(integer, fraction)
    return number_to_words(int(token.replace(".", "")))


def _month(m: int) -> str:
    return "tư" if m == 4 else number_to_words(m)


def _valid_date(d: int, m: int) -> bool:
    return 1 <= d <= 31 and 1 <= m <= 12


def _date(match: re.Match[str]) -> str:
    before, d = match.group("pre") or "", int(match["d"])
    m, y = int(match["m"] or match["m2"]), match["y"] or match["y2"]
    if not _valid_date(d, m):
        return match.group(0)
    lead = "" if before.strip().lower().endswith("ngày") else "ngày "
    text = f"{before}{lead}{number_to_words(d)} tháng {_month(m)}"
    if y:
        text += f" năm {number_to_words(int(y))}"
    return text


def _phone(match: re.Match[str]) -> str:
    raw = match.group("num")
    prefix = "cộng tám tư " if raw.startswith("+84") else ""
    body = raw[3:] if prefix else raw
    groups = [g for g in re.split(r"[\s.\-]+", body) if g]
    if len(groups) == 1 and len(groups[0]) >= 9:  # 0912345678 -> 0912 345 678
        g = groups[0]
        head = len(g) - 6  # last two groups of three, like people say them
        groups = [g[:head], g[head:-3], g[-3:]]
    return prefix + ", ".join(digits_to_words(g) for g in groups)


def _with_unit(match: re.Match[str]) -> str:
    number, unit = match["n"], match["u"]
    return f"{read_number(number)} {UNITS[unit]}"


def _word_table(table: dict[str, str]) -> re.Pattern[str]:
    keys = sorted(table, key=len, reverse=True)
    return re.compile(r"(?<![\w&])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w&])")


_ABBR_RE = _word_table(ABBREVIATIONS)
_DOTTED_RE = re.compile(r"\b(" + "|".join(DOTTED) + r")\.\s*(?=\w)")
_CODE_RE = re.compile(
    r"\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]{1,4}(?:-[A-Z0-9]{1,8})+\b"
    r"|\b(?=[A-Z]*\d)(?=\d*[A-Z])[A-Z0-9]*[A-Z]\d[A-Z0-9]*\b"
)
_PHONE_RE = re.compile(r"(?<![\d+])(?P<num>(?:\+84[\s.]?|0)\d{2,3}(?:[\s.\-]?\d{3,4}){2}|(?:\+84|0)\d{9,10})\b")
# "gọi 114", "gọi ngay 114", "gọi ngay số 113", "đường dây nóng: 1022"
_DIAL_RE = re.compile(DIAL_CONTEXT + r"(?:\s+(?:ngay|số|tới|đến|cho))*\s*:?\s*(?P<num>\d{3,5})\b", re.IGNORECASE)
_DATE_RE = re.compile(
    r"(?P<pre>\b[Nn]gày\s+)?\b(?P<d>\d{1,2})"
    r"(?:/(?P<m>\d{1,2})(?:/(?P<y>\d{4}))?|-(?P<m2>\d{1,2})-(?P<y2>\d{4}))\b"
)
_ADDR_SLASH_RE = re.compile(r"\b(" + ADDRESS_CONTEXT + r")\s+(\d+)/(\d+)\b", re.IGNORECASE)
_MONTH_YEAR_RE = re.compile(r"\b(tháng)\s+(\d{1,2})/(\d{4})\b", re.IGNORECASE)
_TIME_RE = re.compile(r"\b(?P<h>\d{1,2})(?:h(?P<min>\d{2})?|g(?P<min3>\d{2})|:(?P<min2>\d{2}))(?:'|\b)")
_DOT_DECIMAL_RE = re.compile(r"(?<![\w.])(\d+)\.(\d{1,2})(?!\d|\.\d)")
_UNIT_RE = re.compile(
    r"(?P<n>" + _NUM + r")\s?(?P<u>km/h|m²|m2|km|cm|mm|kg|ha|VNĐ|vnđ|VND|đồng|đ|%|k|g|m|l)"
    r"(?!\w)"
)
_RANGE_RE = re.compile(r"(?<![\w-])(\d+)\s?-\s?(\d+)(?![\d-])")
_NUMBER_RE = re.compile(r"(?<![\w,.])(" + _NUM + r")(?![\w])")


def _time_sub(match: re.Match[str]) -> str:
    fixed = {"h": match["h"], "min": match["min"] or match["min2"] or match["min3"]}
    h, mins = int(fixed["h"]), int(fixed["min"] or 0)
    if h > 24 or mins > 59:
        return match.group(0)
    text = f"{number_to_words(h)} giờ"
    return f"{text} {number_to_words(mins)} phút" if mins else text


def _dotted(match: re.Match[str]) -> str:
    """Expand "P. Ngọc Khánh" but not "... khu H. sau đó" (next word must be a name/number)."""
    following = match.string[match.end() : match.end() + 1]
    if following.isupper() or following.isdigit():
        return DOTTED[match.group(1)] + " "
    return match.group(0)


_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"\b24/7\b"), lambda m: "hai mươi bốn trên bảy"),
    (_DOTTED_RE, _dotted),
    (_CODE_RE, lambda m: spell_code(m.group(0))),
    (_PHONE_RE, _phone),
    (
        _DIAL_RE,
        lambda m: m.group(0)[: m.start("num") - m.start()] + digits_to_words(m["num"]),
    ),
    (_ADDR_SLASH_RE, lambda m: f"{m.group(1)} {m.group(2)} trên {m.group(3)}"),
    (
        _MONTH_YEAR_RE,
        lambda m: f"{m.group(1)} {_month(int(m.group(2)))} năm {m.group(3)}",
    ),
    (_DATE_RE, _date),
    (_RANGE_RE, lambda m: f"{m.group(1)} đến {m.group(2)}"),
    (_TIME_RE, _time_sub),
    (_DOT_DECIMAL_RE, lambda m: f"{m.group(1)},{m.group(2)}"),
    (_UNIT_RE, _with_unit),
    (_ABBR_RE, lambda m: ABBREVIATIONS[m.group(1)]),
    (_NUMBER_RE, lambda m: read_number(m.group(1))),
]


def normalize_for_speech(text: str) -> str:
    """Rewrite numbers, dates, times, money, codes and abbreviations as spoken words."""
    out = text.replace("\u00a0", " ")
    for pattern, repl in _RULES:
        out = pattern.sub(repl, out)
    for symbol, word in SYMBOLS.items():
        out = out.replace(symbol, word)
    out = re.sub(r"https?://", "", out)
    out = re.sub(r"(?<=\w)\.(?=\w)", " chấm ", out)  # domains: dichvucong.hanoi.gov.vn
    out = re.sub(r"[*_~`|<>\[\]{}]", " ", out)  # chat markup the TTS would read out
    out = out.replace("/", ", ")
    out = re.sub(r"[ \t]+", " ", out)
    return re.sub(r" ([,.:;!?])", r"\1", out).strip()


_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+|\n+")
MAX_SENTENCE_CHARS = 180


def split_sentences(text: str) -> list[str]:
    """Split into sentences, then long sentences at commas, so TTS can start early."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        while len(sentence) > MAX_SENTENCE_CHARS and "," in sentence[:MAX_SENTENCE_CHARS]:
            cut = sentence.rfind(",", 0, MAX_SENTENCE_CHARS)
            out.append(sentence[: cut + 1].strip())
            sentence = sentence[cut + 1 :].strip()
        if sentence and re.search(r"\w", sentence):
            out.append(sentence)
    return out
