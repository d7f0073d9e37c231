"""Ticket store at scale: 1,000,000 tickets in a fresh PostgreSQL database (COPY), then
p95 of the unit queue page query and of ticket creation, and tickets created/s.

    python -m bench.lifecycle_bench [--tickets 1000000]

Uses TEST_PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/test) to create and
drop a scratch database. Floors: p95 ≤ 50 ms for both.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import psycopg
from sqlalchemy.orm import Session

from feedback_router.core.catalog import catalog
from feedback_router.core.codes import ALPHABET
from feedback_router.dashboard import search
from feedback_router.core.db import make_engine
from feedback_router.migrate import upgrade
from feedback_router.core.models import DashboardUser
from feedback_router.tickets.service import create_ticket

ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
FLOOR_MS = 50.0


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def code_for(i: int) -> str:
    n = len(ALPHABET)
    day, rest = divmod(i, n ** 4)
    suffix = "".join(ALPHABET[(rest // n ** k) % n] for k in range(4))
    return f"HN-{(day % 28) + 1:02d}{(day // 28) % 12 + 1:02d}-{suffix}"


def load(url: str, tickets: int, contacts: int) -> float:
    cat = catalog()
    wards = [u.id for u in cat.units.values() if u.kind in ("ward", "commune")]
    categories = [c for c in cat.categories.values() if c.scope != "emergency"]
    statuses = ["received"] * 2 + ["assigned", "in_progress"] * 2 + ["resolved"] * 4 + ["rejected"]
    rng = random.Random(42)
    now = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    with psycopg.connect(url) as conn:
        with conn.cursor() as cur:
            with cur.copy("COPY contacts (channel, sender_id, created_at) FROM STDIN") as copy:
                for i in range(contacts):
                    copy.write_row(("telegram", f"telegram:{i}", now))
            with cur.copy("COPY tickets (code, category, urgency, status, description, location_text, ward_unit_id,"
                          " unit_id, contact_id, channel, created_at, updated_at, sla_due_at, overdue, report_count,"
                          " reopen_count) FROM STDIN") as copy:
                for i in range(tickets):
                    c = categories[i % len(categories)]
                    ward = rng.choice(wards)
                    unit = ward if c.scope == "local" else (c.unit or "triage")
                    created = now - timedelta(seconds=rng.randrange(365 * 86400))
                    copy.write_row((code_for(i), c.id, c.urgency, rng.choice(statuses), f"báo cáo số {i}",
                                    f"ngõ {i % 500} phố {i % 97}", ward, unit, 1 + i % contacts, "telegram",
                                    created, created, created + timedelta(days=7), rng.random() < 0.05, 1, 0))
        conn.execute("ANALYZE")
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    name = f"hanoi_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(url)
        secs = load(url, args.tickets, max(1, args.tickets // 10))
        print(f"loaded {args.tickets:,} tickets in {secs:.1f} s ({args.tickets / secs:,.0f} rows/s, COPY)")
        engine = make_engine(url)
        cat = catalog()
        wards = [u.id for u in cat.units.values() if u.kind in ("ward", "commune")]
        rng = random.Random(7)
        filters = [{}, {"status": "open"}, {"status": "received"}, {"overdue": "1"}, {"category": "waste"}]
        queue_ms = []
        with Session(engine) as s:
            for i in range(args.samples):
                user = DashboardUser(username="bench", role="operator", unit_id=rng.choice(wards))
                f = filters[i % len(filters)]
                t0 = time.perf_counter()
                rows = list(s.scalars(search.page_query(user, search.parse(f), dialect="postgresql",
                                                        now=datetime.now(timezone.utc))))
                queue_ms.append((time.perf_counter() - t0) * 1000)
                assert len(rows) <= 51
        create_ms = []
        for i in range(args.samples):
            t0 = time.perf_counter()
            create_ticket(category="waste", description=f"bench {i}", sender_id=f"web:bench{i % 50}",
                          location_text=f"ngõ {i} phố Bench", ward_unit_id=rng.choice(wards), engine=engine)
            create_ms.append((time.perf_counter() - t0) * 1000)
        n, t0 = 2000, time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda i: create_ticket(category="road_damage", description=f"x{i}",
                                                  sender_id=f"web:c{i % 200}", engine=engine), range(n)))
        rate = n / (time.perf_counter() - t0)
        engine.dispose()
        q95, c95 = p95(queue_ms), p95(create_ms)
        print(f"unit queue page query: p50 {statistics.median(queue_ms):.2f} ms, p95 {q95:.2f} ms "
              f"(floor {FLOOR_MS:.0f} ms) {'OK' if q95 <= FLOOR_MS else 'SLOW'}")
        print(f"ticket creation: p50 {statistics.median(create_ms):.2f} ms, p95 {c95:.2f} ms "
              f"(floor {FLOOR_MS:.0f} ms) {'OK' if c95 <= FLOOR_MS else 'SLOW'}")
        print(f"tickets created/s (8 threads): {rate:,.0f}")
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
