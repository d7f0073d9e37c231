"""Foundation benchmark: train time, model load time, chat-turn latency, RSS.

Starts the real processes on free ports with a scratch SQLite database, like
the tests, and prints numbers; it asserts nothing.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from pathlib import Path

import requests

from feedback_router.migrate import upgrade
from scripts import procs
from scripts.train_model import ROOT, ensure_model

TURNS = [
    "Xin chào",
    "Ở ngõ 12 Láng Hạ rác thải ba ngày không ai thu gom",
    "phường Láng",
    "/deny",
]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (Rasa forks none, waitress neither)."""
    total = 0
    for status in [Path(f"/proc/{pid}/status"), *Path(f"/proc/{pid}/task").glob("*/children")]:
        if status.name == "status" and status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main(turns: int = 100) -> None:
    started = time.monotonic()
    model = ensure_model()
    train_s = (ROOT / "var/last_train_seconds")
    print(f"rasa model: {model.name}")
    print(f"rasa train time (last real training): {train_s.read_text().strip() if train_s.exists() else 'n/a'} s"
          f" (this call: {time.monotonic() - started:.1f} s)")
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        db = f"sqlite:///{tmpdir / 'bench.db'}"
        upgrade(db)
        t0 = time.monotonic()

        def loaded() -> None:
            print(f"rasa model load (start → /healthz 200): {time.monotonic() - t0:.1f} s")

        with procs.embedded_stack(model, tmpdir, db, rasa_ready=loaded) as stack:
            url = f"{stack.web_url}/api/v1/messages"
            http = requests.Session()
            http.headers.update(procs.API_HEADERS)  # an integrator: may name sender_id
            latencies: list[float] = []
            sender = uuid.uuid4().hex
            for i in range(turns):
                text = TURNS[i % len(TURNS)]
                t = time.perf_counter()
                resp = http.post(url, json={"sender_id": sender, "text": text}, timeout=60)
                latencies.append((time.perf_counter() - t) * 1000)
                resp.raise_for_status()
            print(f"chat turn latency over {turns} sequential turns via /api/v1/messages: "
                  f"p50 {statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 95):.0f} ms, "
                  f"max {max(latencies):.0f} ms")
            for name, proc in stack.procs.items():
                print(f"RSS {name}: {rss_mb(proc.pid):.0f} MB")


if __name__ == "__main__":
    main()
