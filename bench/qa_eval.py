"""Held-out accuracy of tourism search, procedure matching and nearby (data/eval/qa_heldout.yaml).

Run as `python -m bench.qa_eval`. Prints top-1 accuracy overall and per slice, aspect accuracy,
nearby results, misses and query latency. Always exits 0: the floor is enforced by the pytest
suite (tests/tourism), so this stays a report that can be run at any time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tourism.answer import answer_place
from tourism.procedures import answer_procedure, find_procedure
from tourism.search import detect_place_aspect, detect_procedure_aspect, nearby, search_places
from tourism.sites import vietnamese_common_words

EVAL_PATH = Path(__file__).resolve().parent.parent / "data" / "eval" / "qa_heldout.yaml"
FLOOR = 0.90
_BATCH_NOTES = {1: "tuned against", 2: "untuned, written after tuning",
                3: "written after the data pass, tuned on after its first run",
                4: "written after the batch-3 tuning, not tuned on",
                5: "written after the English/fact pass; first run 43/43, 39/43 aspects, then tuned on",
                6: "fresh, written after the batch-5 tuning"}


@dataclass
class Result:
    """Outcome of one held-out question."""

    group: str
    slice: str
    query: str
    expected: str
    got: str | None
    ok: bool
    aspect_expected: str | None
    aspect_got: str | None
    batch: int = 1
    # for English questions: Vietnamese words left untranslated in the answer the bot would give
    untranslated: tuple[str, ...] = ()


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    nearby: list[tuple[dict[str, Any], str | None, bool]] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    def accuracy(self, group: str | None = None, slice_: str | None = None) -> tuple[int, int]:
        rows = [
            r for r in self.results
            if (group is None or r.group == group) and (slice_ is None or r.slice == slice_)
        ]
        return sum(r.ok for r in rows), len(rows)


def load_eval(path: Path = EVAL_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def run(path: Path = EVAL_PATH) -> Report:
    """Evaluate every held-out item; shared by the CLI and the floor test."""
    data = load_eval(path)
    rep = Report()
    search_places("warm up"), find_procedure("warm up")  # build indexes outside the timed loop
    for item in data["tourism"]:
        t0 = time.perf_counter()
        hits = search_places(item["q"], limit=3)
        rep.latencies_ms.append((time.perf_counter() - t0) * 1000)
        top = hits[0][0] if hits else None
        if "type" in item:
            expected, got = f"type:{item['type']}", (f"type:{top.type}" if top else None)
        else:
            expected, got = item["id"], (top.id if top else None)
        aspect = detect_place_aspect(item["q"])
        words = (tuple(vietnamese_common_words(answer_place(top, aspect, "en")))
                 if top is not None and item["slice"] == "en" else ())
        rep.results.append(Result("tourism", item["slice"], item["q"], expected, got, expected == got,
                                  item.get("aspect"), aspect, item.get("batch", 1), words))
    for item in data["procedures"]:
        t0 = time.perf_counter()
        hits = find_procedure(item["q"], limit=3)
        rep.latencies_ms.append((time.perf_counter() - t0) * 1000)
        got = hits[0][0].id if hits else None
        aspect = detect_procedure_aspect(item["q"])
        words = (tuple(vietnamese_common_words(answer_procedure(hits[0][0], aspect, "en")))
                 if hits and item["slice"] == "en" else ())
        rep.results.append(Result("procedures", item["slice"], item["q"], item["id"], got, got == item["id"],
                                  item.get("aspect"), aspect, item.get("batch", 1), words))
    for item in data["nearby"]:
        res = nearby(item["lat"], item["lon"], n=1)
        got = res[0][0].id if res else None
        rep.nearby.append((item, got, got == item["expected"]))
    return rep


def _pct(ok: int, n: int) -> str:
    return f"{ok}/{n} = {ok / n:.1%}" if n else "0/0"


def main() -> int:
    rep = run()
    ok, n = rep.accuracy()
    print("Held-out QA evaluation (top-1)")
    print(f"  overall            {_pct(ok, n)}   (floor {FLOOR:.0%})")
    for group in ("tourism", "procedures"):
        print(f"  {group:<18} {_pct(*rep.accuracy(group))}")
        slices = sorted({r.slice for r in rep.results if r.group == group})
        for s in slices:
            print(f"    {group[:4]}/{s:<12} {_pct(*rep.accuracy(group, s))}")
    for b in sorted({r.batch for r in rep.results}):
        rows = [r for r in rep.results if r.batch == b]
        note = _BATCH_NOTES.get(b, "fresh, written after the last tuning")
        print(f"  batch {b} ({note}) {_pct(sum(r.ok for r in rows), len(rows))}")
    asp = [r for r in rep.results if r.aspect_expected is not None or r.aspect_got is not None]
    a_ok = sum(r.aspect_expected == r.aspect_got for r in rep.results)
    print(f"  aspect detection   {_pct(a_ok, len(rep.results))} ({len(asp)} items ask a specific aspect)")
    english = [r for r in rep.results if r.slice == "en" and r.got is not None]
    en_ok = sum(not r.untranslated for r in english)
    print(f"  English answers with no untranslated Vietnamese  {_pct(en_ok, len(english))}")
    for r in english:
        if r.untranslated:
            print(f"    {r.query!r}: {list(r.untranslated)}")
    near_ok = sum(ok for _, _, ok in rep.nearby)
    print(f"  nearby             {_pct(near_ok, len(rep.nearby))}")
    for item, got, good in rep.nearby:
        mark = "ok " if good else "MISS"
        where = f"({item['lat']}, {item['lon']})"
        print(f"    [{mark}] {where} expected {item['expected']} got {got}  – {item.get('note', '')}")
    lat = sorted(rep.latencies_ms)
    if lat:
        p50, p95 = lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.95))]
        print(f"  latency per query  p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {lat[-1]:.2f} ms")
    misses = [r for r in rep.results if not r.ok]
    print(f"Misses ({len(misses)}):")
    for r in misses:
        print(f"  [{r.group}/{r.slice}] {r.query!r}: expected {r.expected}, got {r.got}")
    aspect_misses = [r for r in rep.results if r.aspect_expected != r.aspect_got]
    print(f"Aspect misses ({len(aspect_misses)}):")
    for r in aspect_misses:
        print(f"  {r.query!r}: expected {r.aspect_expected}, got {r.aspect_got}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
