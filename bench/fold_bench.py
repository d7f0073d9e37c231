"""How fast the one Vietnamese folding function is: `python -m bench.fold_bench`.

nlu.text.fold runs on every chat turn, several times (gazetteer, entities, catalog, tourism
search) and over every ward name when the gazetteer loads; the gazetteer also folds each
message character by character to map matches back (nlu.text.fold_char). Printed: µs per
call on ward names, on messages typed with and without diacritics, and the char-by-char map,
beside the two implementations it replaced (issue 13; copied here for the comparison only).
Printed, not asserted.
"""

from __future__ import annotations

import time
import unicodedata

from nlu.gazetteer import _fold_with_map, all_wards
from nlu.text import fold

MESSAGES = [
    "Tôi muốn phản ánh rác thải ùn ứ ở ngõ 12 phố Láng Hạ, phường Láng, quận Đống Đa",
    "toi muon phan anh rac thai un u o ngo 12 pho lang ha phuong lang quan dong da",
    "Đèn đường hỏng ở Hoàn Kiếm từ tối qua, rất nguy hiểm cho người đi bộ",
    "Cho mình hỏi làm căn cước ở phường Cầu Giấy cần giấy tờ gì ạ?",
]


def _before_text(text: str) -> str:  # nlu.text.fold before issue 13
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped)


_CACHE: dict[str, str] = {}


def _before_gazetteer(text: str) -> str:  # nlu.gazetteer.fold before issue 13
    out = []
    for ch in unicodedata.normalize("NFC", text):
        f = _CACHE.get(ch)
        if f is None:
            d = unicodedata.normalize("NFD", ch.lower())
            f = _CACHE[ch] = "".join(c for c in d if not unicodedata.combining(c)).replace("đ", "d")
        out.append(f)
    return "".join(out)


def per_call_us(fn, texts: list[str], rounds: int = 5) -> float:  # type: ignore[no-untyped-def]
    """Best of `rounds` passes over `texts` (the machine is shared: the minimum is the cost)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for t in texts:
            fn(t)
        best = min(best, time.perf_counter() - start)
    return best / len(texts) * 1e6


def main() -> None:
    names = [w.full_name for w in all_wards()]
    messages = MESSAGES * 250
    for t in names + messages:
        assert fold(t) == _before_text(t) == _before_gazetteer(t), t
    print(f"{'µs per call':<34}{'nlu.text.fold':>15}{'before: text':>15}{'before: gazetteer':>19}")
    for label, texts in ((f"ward names ({len(names)})", names), ("chat messages (~70 chars)", messages)):
        print(f"{label:<34}{per_call_us(fold, texts):>15.2f}{per_call_us(_before_text, texts):>15.2f}"
              f"{per_call_us(_before_gazetteer, texts):>19.2f}")
    print(f"{'char map (gazetteer, per message)':<34}{per_call_us(_fold_with_map, messages):>15.2f}")


if __name__ == "__main__":
    main()
