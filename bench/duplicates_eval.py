"""Duplicate detection on the corpus of colliding alleys and neighbouring streets.

Prints wrong joins (precision) and missed joins (recall) for the two ways a report joins
an open ticket: automatically (Open311, hotline: create_ticket's strict rule) and in the
chat (the likely duplicate offered to the citizen, who confirms). Every pair is filed into
a fresh window (30 days apart) of one SQLite database, first report then second one hour
later, through the real create_ticket.

    make duplicates-eval                      # this tree
    PYTHONPATH=/tmp/old .venv/bin/python -m bench.duplicates_eval --corpus tests/duplicates/corpus.yaml
                                              # another tree (e.g. the commit before the fix)

Also prints create_ticket latency with 2,000 open tickets in the same ward and category.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine

from feedback_router.tickets import service
from feedback_router.core.db import make_engine, session_scope
from feedback_router.core.models import Base
from nlu.entities import ward_unit_for

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "duplicates" / "corpus.yaml"
EXPECTS = ("distinct", "auto", "offer")
BASE = datetime(2026, 1, 5, 3, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Outcome:
    id: str
    expect: str
    auto: bool  # create_ticket joined it on its own
    offered: bool  # the chat would show the first ticket as a likely duplicate

    @property
    def chat_join(self) -> bool:
        return self.offered or self.auto


def load_corpus(path: Path = CORPUS) -> list[dict[str, Any]]:
    pairs = yaml.safe_load(path.read_text(encoding="utf-8"))["pairs"]
    for pair in pairs:
        if pair.get("expect") not in EXPECTS or not {"first", "second", "category", "id"} <= set(pair):
            raise ValueError(f"bad corpus entry: {pair!r}")
    return pairs


def fresh_engine(db_file: Path) -> Engine:
    """A new SQLite database with the current schema and the units of data/units.yaml."""
    engine = make_engine(f"sqlite:///{db_file}")
    Base.metadata.create_all(engine)
    with session_scope(engine) as session:
        service.sync_units(session)
    return engine


def _report(side: dict[str, Any]) -> dict[str, Any]:
    location = side.get("location")
    if location and side.get("nfd"):
        location = unicodedata.normalize("NFD", location)
    return {"location_text": location, "ward_unit_id": ward_unit_for(location),
            "latitude": side.get("lat"), "longitude": side.get("lon")}


def run_pair(engine: Engine, pair: dict[str, Any], index: int) -> Outcome:
    now = BASE + timedelta(days=30 * index)
    first = service.create_ticket(category=pair["category"], description=f"{pair['id']} 1",
                                  sender_id=f"web:{pair['id']}-1", engine=engine, now=now, **_report(pair["first"]))
    second_category = pair.get("second_category", pair["category"])
    later = now + timedelta(hours=1)
    second = _report(pair["second"])
    offered = False
    if hasattr(service, "likely_duplicate"):
        offer = service.likely_duplicate(category=second_category, engine=engine, now=later, **second)
        offered = offer is not None and offer.code == first.code
    receipt = service.create_ticket(category=second_category, description=f"{pair['id']} 2",
                                    sender_id=f"web:{pair['id']}-2", engine=engine, now=later, **second)
    return Outcome(pair["id"], pair["expect"], receipt.merged and receipt.code == first.code, offered)


def evaluate(engine: Engine, pairs: list[dict[str, Any]]) -> list[Outcome]:
    return [run_pair(engine, pair, i) for i, pair in enumerate(pairs)]


def _ratio(n: int, d: int) -> str:
    return f"{n}/{d} ({100.0 * n / d:.1f}%)" if d else "n/a"


def summary(outcomes: list[Outcome]) -> dict[str, str]:
    distinct = [o for o in outcomes if o.expect == "distinct"]
    auto = [o for o in outcomes if o.expect == "auto"]
    same = [o for o in outcomes if o.expect != "distinct"]
    auto_joins = [o for o in outcomes if o.auto]
    chat_joins = [o for o in outcomes if o.chat_join]
    return {
        "wrong automatic joins (pairs that must stay apart)": _ratio(sum(o.auto for o in distinct), len(distinct)),
        "wrong chat joins/offers (pairs that must stay apart)": _ratio(sum(o.chat_join for o in distinct),
                                                                       len(distinct)),
        "automatic join precision": _ratio(sum(o.expect != "distinct" for o in auto_joins), len(auto_joins)),
        "automatic join recall (same address)": _ratio(sum(o.auto for o in auto), len(auto)),
        "chat join precision": _ratio(sum(o.expect != "distinct" for o in chat_joins), len(chat_joins)),
        "chat join recall (all true duplicates)": _ratio(sum(o.chat_join for o in same), len(same)),
    }


def latency(engine: Engine, n_open: int = 2000, runs: int = 200) -> tuple[float, float]:
    """Median and p95 ms of create_ticket with ``n_open`` open tickets in one ward/category."""
    now = BASE + timedelta(days=5000)
    ward = ward_unit_for("phường Láng")
    for i in range(n_open):
        service.create_ticket(category="waste", description="x", sender_id=f"web:l{i % 50}", engine=engine,
                              location_text=f"ngõ {i % 400} Láng Hạ, phường Láng", ward_unit_id=ward,
                              latitude=21.014 + (i % 97) * 1e-4, longitude=105.815 + (i % 89) * 1e-4, now=now,
                              detect_duplicates=False)
    times = []
    for i in range(runs):
        start = time.perf_counter()
        service.create_ticket(category="waste", description="y", sender_id=f"web:m{i}", engine=engine,
                              location_text=f"số {i} ngõ {i % 400} Láng Hạ, phường Láng", ward_unit_id=ward,
                              latitude=21.0145, longitude=105.8155, now=now + timedelta(minutes=1))
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--show", action="store_true", help="print every pair's outcome")
    args = parser.parse_args()
    pairs = load_corpus(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        engine = fresh_engine(Path(tmp) / "corpus.db")
        outcomes = evaluate(engine, pairs)
        engine.dispose()
        engine = fresh_engine(Path(tmp) / "latency.db")
        median, p95 = latency(engine)
        engine.dispose()
    print(f"duplicates corpus: {len(pairs)} pairs "
          f"({sum(p['expect'] == 'distinct' for p in pairs)} must stay apart, "
          f"{sum(p['expect'] == 'auto' for p in pairs)} same address, "
          f"{sum(p['expect'] == 'offer' for p in pairs)} likely)")
    for name, value in summary(outcomes).items():
        print(f"  {name}: {value}")
    print(f"  create_ticket with 2,000 open tickets in the ward (SQLite): median {median:.2f} ms, p95 {p95:.2f} ms")
    if args.show:
        for o in outcomes:
            print(f"    {o.id:45} expect={o.expect:8} auto={o.auto!s:5} offered={o.offered}")


if __name__ == "__main__":
    main()
