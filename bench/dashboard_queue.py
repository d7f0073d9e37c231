"""Dashboard at scale: 1,000,000 synthetic tickets (and their history) in a scratch PostgreSQL
database, then the time of whole dashboard requests (query + template, through the Flask app)
that staff make all day. Prints, never asserts.

    python -m bench.dashboard_queue [--tickets 1000000] [--samples 40] [--keep]

Generated in SQL with generate_series (about a minute for 1M rows plus the indexes); the
database ``hanoi_bench_dashboard`` is reused by the next run when --keep was given.
Goals (issue 17): queue page with a filter and a text search p95 ≤ 100 ms; stats page ≤ 500 ms.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime, timezone

import psycopg
import time_machine
from sqlalchemy import text

from feedback_router.staff.auth import create_user
from feedback_router.core.catalog import TRIAGE_UNIT_ID, catalog
from feedback_router.core.db import make_engine, session_scope
from feedback_router.migrate import upgrade

ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
DB = "hanoi_bench_dashboard"
NOW = datetime(2026, 12, 4, 3, 0, tzinfo=timezone.utc)
PASSWORD = "bench-password-1"
STREETS = ["Láng Hạ", "Chùa Láng", "Pháo Đài Láng", "Nguyễn Chí Thanh", "Đê La Thành", "Tây Sơn", "Thái Hà",
           "Huỳnh Thúc Kháng", "Hàng Bông", "Hàng Gai", "Đinh Tiên Hoàng", "Lý Thường Kiệt", "Kim Mã",
           "Đội Cấn", "Hoàng Quốc Việt", "Trần Duy Hưng", "Giải Phóng", "Minh Khai", "Ngọc Khánh", "Xã Đàn"]
PROBLEMS = ["Rác thải chất đống không ai thu gom", "Đèn đường không sáng buổi tối", "Ổ gà lớn giữa đường",
            "Nước thải tràn ra vỉa hè", "Karaoke ồn ào đến nửa đêm", "Lấn chiếm vỉa hè bán hàng",
            "Cây đổ chắn lối đi", "Mất nước sinh hoạt hai ngày", "Xây dựng không phép trong ngõ"]


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def generate(url: str, tickets: int) -> float:
    """Tickets over the 365 days before NOW, a quarter of the units' wards, 70 % closed; one
    routing event each and a staff event for the acknowledged ones."""
    cat = catalog()
    wards = [u.id for u in cat.units.values() if u.kind in ("ward", "commune")]
    categories = [c for c in cat.categories.values() if c.scope != "emergency"]
    t0 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute("DROP INDEX IF EXISTS ix_tickets_fts")  # built once after the load: faster
        conn.execute("INSERT INTO contacts (channel, sender_id, created_at) "
                     "SELECT 'web', 'web:bench' || g, %s FROM generate_series(1, 1000) g", (NOW,))
        conn.execute("""
            INSERT INTO tickets (code, category, urgency, status, description, location_text, ward_unit_id,
                unit_id, contact_id, channel, created_at, updated_at, ack_due_at, sla_due_at, resolved_at,
                overdue, report_count, reopen_count, latitude, longitude, rating)
            SELECT 'HB-' || lpad(to_hex(g), 8, '0'), c.cat, 'normal',
                   CASE WHEN r < 0.65 THEN 'resolved' WHEN r < 0.70 THEN 'rejected' WHEN r < 0.80 THEN 'received'
                        WHEN r < 0.90 THEN 'assigned' ELSE 'in_progress' END,
                   (%(problems)s::text[])[1 + g %% %(np)s] || ' ở ngõ ' || t.alley || ' '
                       || (%(streets)s::text[])[t.street],
                   'ngõ ' || t.alley || ' ' || (%(streets)s::text[])[t.street],
                   w.ward, CASE WHEN c.local THEN w.ward ELSE c.unit END, 1 + g %% 1000, 'web',
                   t.created, t.created, t.created + interval '1 day', t.created + interval '5 days',
                   CASE WHEN r < 0.70 THEN t.created + (random() * interval '8 days') END,
                   r >= 0.70 AND t.created < %(now)s - interval '5 days', 1, 0,
                   21.0 + random() * 0.1, 105.78 + random() * 0.1,
                   CASE WHEN r < 0.2 THEN 1 + (g %% 5) END
            FROM generate_series(1, %(n)s) g
            CROSS JOIN LATERAL (SELECT random() + 0 * g AS r,  -- "+ 0 * g": a fresh draw per row
                                       %(now)s - (random() + 0 * g) * interval '365 days' AS created,
                                       floor(random() * 300 + 0 * g)::int AS alley,
                                       1 + floor(random() * %(ns)s + 0 * g)::int AS street,
                                       1 + floor(random() * %(nw)s + 0 * g)::int AS ward_at) t
            CROSS JOIN LATERAL (SELECT (%(wards)s::text[])[t.ward_at] AS ward) w
            CROSS JOIN LATERAL (SELECT (%(cats)s::text[])[1 + g %% %(nc)s] AS cat,
                                       (%(locals)s::bool[])[1 + g %% %(nc)s] AS local,
                                       (%(units)s::text[])[1 + g %% %(nc)s] AS unit) c
        """, {"problems": PROBLEMS, "np": len(PROBLEMS), "streets": STREETS, "ns": len(STREETS), "now": NOW,
              "n": tickets, "wards": wards, "nw": len(wards), "cats": [c.id for c in categories],
              "locals": [c.scope == "local" for c in categories],
              "units": [c.unit or TRIAGE_UNIT_ID for c in categories], "nc": len(categories)})
        conn.execute("""INSERT INTO ticket_events (ticket_id, status, actor, note, created_at, kind, public)
                        SELECT id, 'received', 'system:assistant', 'routed to ' || unit_id || ': bench', created_at,
                               'status', false FROM tickets""")
        conn.execute("""INSERT INTO ticket_events (ticket_id, status, actor, note, created_at, kind, public)
                        SELECT id, 'in_progress', 'staff:bench', NULL,
                               created_at + (random() * interval '20 hours'), 'status', true
                        FROM tickets WHERE status <> 'received'""")
        conn.execute("CREATE INDEX ix_tickets_fts ON tickets USING gin (to_tsvector('vi_unaccent'::regconfig, "
                     "coalesce(code, '') || ' ' || coalesce(description, '') || ' ' || coalesce(location_text, '')))")
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - t0


def ensure_database(tickets: int, fresh: bool) -> str:
    url = ADMIN.rsplit("/", 1)[0] + "/" + DB
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB,)).fetchone() is not None
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{DB}" WITH (FORCE)')
            exists = False
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB}"')
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        have = conn.execute(text("SELECT count(*) FROM tickets")).scalar_one()
    if have < tickets:
        if have:
            engine.dispose()
            return ensure_database(tickets, fresh=True)
        secs = generate(url, tickets)
        print(f"generated {tickets:,} tickets (+ history) in {secs:.0f} s with generate_series", flush=True)
    else:
        print(f"reusing {DB}: {have:,} tickets", flush=True)
    with session_scope(engine) as s:
        from feedback_router.core.models import DashboardUser

        for name, role, unit in (("bench_sup", "supervisor", None), ("bench_op", "operator", "ubnd-phuong-lang")):
            if s.query(DashboardUser).filter_by(username=name).first() is None:
                create_user(s, name, PASSWORD, role, unit)
    engine.dispose()
    return url


def client_for(app, username: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.get("/dashboard/login")
    with client.session_transaction() as sess:
        token = sess["csrf_token"]
    resp = client.post("/dashboard/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302, resp.status_code
    return client


def timed(client, path: str, samples: int) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    client.get(path)  # warm the plan cache and the template
    ms = []
    for _ in range(samples):
        t0 = time.perf_counter()
        resp = client.get(path)
        ms.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, (path, resp.status_code)
    return p(ms, 0.5), p(ms, 0.95), resp.get_data(as_text=True).count('data-code="')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the database for the next run")
    args = parser.parse_args()
    url = ensure_database(args.tickets, fresh=False)
    from bot.gateway import Gateway
    from bot.web import create_app

    engine = make_engine(url)
    try:
        with time_machine.travel(NOW, tick=True):
            app = create_app({"GATEWAY": Gateway("http://127.0.0.1:9", timeout=1), "DATABASE_ENGINE": engine,
                              "TESTING": True, "SECRET_KEY": "bench-secret-key-not-for-production-use-00"})
            sup, op = client_for(app, "bench_sup"), client_for(app, "bench_op")
            with engine.connect() as conn:  # a cursor half way down the whole queue
                row = conn.execute(text("SELECT created_at, id FROM tickets ORDER BY created_at DESC, id DESC "
                                        "OFFSET :n LIMIT 1"), {"n": args.tickets // 2}).one()
            from feedback_router.dashboard.search import encode_cursor

            deep = encode_cursor(row[0], row[1])
            cases = [
                ("queue page 1, supervisor, no filter", sup, "/dashboard/"),
                (f"queue deep page (row {args.tickets // 2:,}), supervisor", sup, f"/dashboard/?after={deep}"),
                ("queue, operator (1 ward), open", op, "/dashboard/?status=open"),
                ("queue, operator, open + search 'ngo 12 lang ha'", op, "/dashboard/?status=open&q=ngo+12+lang+ha"),
                ("queue, supervisor, category + search 'ngo 12 lang ha'", sup,
                 "/dashboard/?category=waste&q=ngo+12+lang+ha"),
                ("queue, supervisor, search 'karaoke ngo 15 thai ha'", sup, "/dashboard/?q=karaoke+ngo+15+thai+ha"),
                ("queue, supervisor, overdue, sorted by resolve deadline", sup,
                 "/dashboard/?overdue=1&sort=sla&dir=asc"),
                ("stats 30 days, supervisor", sup, "/dashboard/stats?days=30"),
                ("stats 30 days, operator", op, "/dashboard/stats?days=30"),
                ("stats 365 days, supervisor", sup, "/dashboard/stats?days=365"),
                ("map of open tickets, operator", op, "/dashboard/map"),
            ]
            print(f"{'request':58} {'p50 ms':>8} {'p95 ms':>8} {'rows':>5}")
            for label, client, path in cases:
                samples = args.samples if "365" not in label else max(5, args.samples // 8)
                p50, p95, rows = timed(client, path, samples)
                print(f"{label:58} {p50:8.1f} {p95:8.1f} {rows:5d}", flush=True)
            print("goals: queue with filter + search p95 ≤ 100 ms; stats page ≤ 500 ms")
    finally:
        engine.dispose()
        if not args.keep:
            with psycopg.connect(ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
