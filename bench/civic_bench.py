"""Suggestions and denunciations: printed numbers, not asserted.

* sealing / unsealing one denouncer identity (Fernet, DENOUNCE_KEY)
* filing a suggestion and a denunciation (p50/p95)
* supports: many citizens at once (throughput) and one citizen clicking many times at
  once (must count once: the unique constraint decides)
* the public page query over many published suggestions

Runs on a fresh PostgreSQL database (TEST_PG_ADMIN_URL, as the tests) or SQLite when
PostgreSQL is not reachable: ``python -m bench.civic_bench``.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from cryptography.fernet import Fernet


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _database() -> tuple[str, object]:
    import psycopg

    admin = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        name = f"hanoi_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return admin.rsplit("/", 1)[0] + "/" + name, drop
    except psycopg.OperationalError:
        path = tempfile.mktemp(suffix=".db")
        return f"sqlite:///{path}", lambda: os.path.exists(path) and os.remove(path)


def main() -> None:
    os.environ.setdefault("DENOUNCE_KEY", Fernet.generate_key().decode())
    from feedback_router.civic import denunciations as dn
    from feedback_router.civic import suggestions as sg
    from feedback_router.core.db import make_engine
    from feedback_router.civic.identity_crypto import Identity, seal, unseal
    from feedback_router.migrate import upgrade

    identity = Identity("Nguyễn Văn An", "0912345678", "Số 12 ngõ 34 Láng Hạ, phường Láng", "telegram:123456")
    start = time.perf_counter()
    for _ in range(2000):
        unseal(seal(identity))
    print(f"seal + unseal one identity: {(time.perf_counter() - start) / 2000 * 1e6:.0f} µs")

    url, drop = _database()
    try:
        upgrade(url)
        engine = make_engine(url)
        kind = engine.dialect.name
        times = []
        for i in range(300):
            t = time.perf_counter()
            sg.create_suggestion(text=f"Đề nghị lắp thêm điểm dừng xe buýt số {i} ở đầu ngõ 100 Hoàng Quốc Việt",
                                 sender_id=f"web:author-{i % 50}", publish=True, engine=engine)
            times.append((time.perf_counter() - t) * 1000)
        print(f"[{kind}] create_suggestion: p50 {statistics.median(times):.1f} ms, p95 {_pct(times, 0.95):.1f} ms")
        times = []
        for i in range(200):
            t = time.perf_counter()
            dn.file_denunciation(text=f"Cán bộ UBND phường Láng nhận hối lộ lần {i} để cấp giấy phép xây dựng",
                                 anonymous=i % 2 == 0, identity=None if i % 2 == 0 else identity, engine=engine)
            times.append((time.perf_counter() - t) * 1000)
        print(f"[{kind}] file_denunciation: p50 {statistics.median(times):.1f} ms, p95 {_pct(times, 0.95):.1f} ms")

        target = sg.public_list(engine)[0][0].code
        workers = 8 if kind == "postgresql" else 2
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            counted = list(pool.map(lambda i: sg.support(target, f"web:fan-{i}", engine)[0], range(800)))
        elapsed = time.perf_counter() - start
        print(f"[{kind}] 800 supports from 800 citizens, {workers} threads: {800 / elapsed:.0f}/s, "
              f"counted {sum(counted)}")
        sg.support(target, "web:eager", engine)  # the contact exists: only the support itself races

        def eager(_: int) -> bool:
            try:
                return sg.support(target, "web:eager", engine)[0]
            except Exception:  # a loser's conflict at commit on SQLite
                return False

        with ThreadPoolExecutor(max_workers=workers) as pool:
            repeats = list(pool.map(eager, range(200)))
        print(f"[{kind}] 200 simultaneous supports from one citizen: {sum(repeats)} counted (the first one earlier)")

        times = []
        for _ in range(50):
            t = time.perf_counter()
            sg.public_list(engine, page=1, order="top")
            times.append((time.perf_counter() - t) * 1000)
        print(f"[{kind}] public page (300 published, top by supports): p50 {statistics.median(times):.1f} ms")
        engine.dispose()
    finally:
        drop()
    print(f"finished {datetime.now(timezone.utc):%H:%M:%S} UTC")


if __name__ == "__main__":
    main()
