"""Booking at city scale: publish every desk's slots for the days ahead (381 desks), publish
them again (idempotent: nothing added), then time offering slots and booking, on SQLite and a
scratch PostgreSQL database.

    python -m bench.booking_bench [--days 14] [--bookings 200]

Uses TEST_PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/test) to create and drop
the scratch database. Numbers are printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone

import psycopg
from sqlalchemy.orm import Session

from feedback_router.booking.service import book
from feedback_router.booking.dates import parse_when
from feedback_router.booking.offer import offer
from feedback_router.core.db import make_engine, session_scope
from feedback_router.booking.desks import desk_data, seed_slots
from feedback_router.migrate import upgrade

ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
MONDAY = date(2030, 3, 4)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def run(url: str, days: int, bookings: int) -> None:
    upgrade(url)
    engine = make_engine(url)
    try:
        t0 = time.perf_counter()
        with session_scope(engine) as s:
            created = seed_slots(s, days=days, today=MONDAY)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        with session_scope(engine) as s:
            again = seed_slots(s, days=days, today=MONDAY)
        second = time.perf_counter() - t0
        print(f"  seed {len(desk_data().desks)} desks x {days} days: {created} slots in {first:.2f} s; "
              f"again: {again} added in {second:.2f} s")
        now = datetime.combine(MONDAY, datetime.min.time(), timezone.utc) - timedelta(hours=7)
        when = parse_when("sáng mai", now)
        desks = list(desk_data().desks)
        offer_ms, book_ms = [], []
        for i in range(bookings):
            desk = desks[i % len(desks)]
            t0 = time.perf_counter()
            with Session(engine) as s:
                slots = [x.id for x in offer(s, desk, when, now)]
                s.commit()
            offer_ms.append((time.perf_counter() - t0) * 1000)
            if not slots:
                continue
            t0 = time.perf_counter()
            book(engine, slot_id=slots[0], sender_id=f"bench:{i}", procedure="x", now=now)
            book_ms.append((time.perf_counter() - t0) * 1000)
        print(f"  offer p50 {statistics.median(offer_ms):.1f} ms p95 {p95(offer_ms):.1f} ms; "
              f"book p50 {statistics.median(book_ms):.1f} ms p95 {p95(book_ms):.1f} ms ({len(book_ms)} bookings)")
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--bookings", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite")
        run(f"sqlite:///{tmp}/bench.db", args.days, args.bookings)
    name = f"bench_booking_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        print("PostgreSQL")
        run(f"{ADMIN.rsplit('/', 1)[0]}/{name}", args.days, args.bookings)
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
