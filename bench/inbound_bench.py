"""What storing every message first costs a chat turn: `python -m bench.inbound_bench`.

POST /api/v1/messages through the Flask app with Rasa replaced by the REST stand-in (an echo
that answers at once), so the figure is the web app's own work: before issue 14 the turn
touched no database; now it inserts the message and marks it answered. Printed, not asserted.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bot.gateway import Gateway
from feedback_router.core.db import engine_for
from feedback_router.migrate import upgrade
from scripts import procs
from tests.channels.standins.rasa_rest import RasaStandIn

TURNS = 300
API_HEADERS: dict[str, str] = dict(getattr(procs, "API_HEADERS", {}))


def _pg_url() -> str | None:
    admin = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        import psycopg

        name = f"hanoi_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return admin.rsplit("/", 1)[0] + "/" + name
    except Exception:
        return None


def measure(url: str, rasa: RasaStandIn) -> tuple[float, float]:
    from bot.web import create_app

    os.environ["DATABASE_URL"] = url
    engine_for.cache_clear()
    upgrade(url)
    config = {"GATEWAY": Gateway(rasa.url, timeout=10)}
    if hasattr(procs, "TEST_API_TOKEN"):
        config["API_TOKENS"] = [procs.TEST_API_TOKEN]  # lets the client name its sender ids
    client = create_app(config).test_client()
    times = []
    for i in range(TURNS):
        started = time.perf_counter()
        resp = client.post("/api/v1/messages", headers=API_HEADERS,
                           json={"sender_id": f"bench{i % 20}", "text": f"rác ở ngõ {i} Láng Hạ"})
        times.append((time.perf_counter() - started) * 1000)
        assert resp.status_code == 200, resp.get_data(as_text=True)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def main() -> None:
    with RasaStandIn() as rasa, tempfile.TemporaryDirectory() as tmp:
        urls = {"sqlite": f"sqlite:///{Path(tmp) / 'bench.db'}"}
        pg = _pg_url()
        if pg:
            urls["postgresql"] = pg
        for name, url in urls.items():
            p50, p95 = measure(url, rasa)
            print(f"[inbound] chat turn with the message stored first ({name}, Rasa stand-in): "
                  f"p50 {p50:.1f} ms, p95 {p95:.1f} ms over {TURNS} turns", flush=True)
        if pg:
            import psycopg

            engine_for.cache_clear()
            admin = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg.rsplit("/", 1)[1]}" WITH (FORCE)')


if __name__ == "__main__":
    main()
