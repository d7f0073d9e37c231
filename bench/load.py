"""`make bench-load`: the issue-15 load table for embedded mode and cluster mode, and a replica kill.

Prints, asserts nothing. Every mode starts its own processes on free ports with a scratch
database (SQLite for embedded mode, a fresh PostgreSQL database for cluster mode), then runs
closed-loop citizens (bench/load_client.py) at each level of LEVELS.

    python -m bench.load                      # everything (≈ 15 min)
    python -m bench.load embedded             # one mode
    python -m bench.load cluster 2            # cluster mode with 2 replicas of everything
    python -m bench.load kill                 # SIGKILL one of 2 Rasa replicas under load
    LOAD_SECONDS=10 python -m bench.load …    # shorter levels
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from bench.load_client import HEADER, Citizen, Tally, run_level
from scripts import procs

LEVELS: list[tuple[int, tuple[float, float]]] = [(1, (0, 0)), (5, (0, 0)), (20, (0, 0)), (50, (0, 0)),
                                                 (40, (2, 6))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (from /proc; 0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def level_seconds() -> float:
    return float(os.environ.get("LOAD_SECONDS", "20"))


@contextmanager
def embedded_stack() -> Iterator[tuple[str, dict[str, list[int]]]]:
    """`make run`'s shape: one Rasa, one action server, one web app, SQLite, in-memory locks."""
    from feedback_router.migrate import upgrade
    from scripts.train_model import ensure_model

    model = ensure_model()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        db = f"sqlite:///{tmpdir / 'load.db'}"
        upgrade(db)
        with procs.embedded_stack(model, tmpdir, db) as stack:
            yield stack.web_url, {name: [proc.pid] for name, proc in stack.procs.items()}


def table(title: str, web_url: str, pids: dict[str, list[int]]) -> None:
    """One row per level, with the CPU each kind of process spent per answered turn: on a
    machine shared with other work, ms of CPU per turn is the number that does not move."""
    url = f"{web_url}/api/v1/messages"
    kinds = list(pids)
    print(f"\n{title} ({level_seconds():g} s per level)\n{HEADER[:HEADER.index(chr(10))]} "
          + " | ".join(f"{k} CPU/turn" for k in kinds) + " |\n" + HEADER[HEADER.index(chr(10)) + 1:]
          + "---|" * len(kinds), flush=True)
    for citizens, think in LEVELS:
        result = run_level(url, citizens, level_seconds(), think,
                           probe=lambda: {k: sum(cpu_seconds(p) for p in pids[k]) for k in kinds})
        turns = max(1, result.tally.turns)
        print(result.row() + " " + " | ".join(f"{1000 * result.probe[k] / turns:.1f} ms" for k in kinds) + " |",
              flush=True)


def embedded() -> None:
    with embedded_stack() as (web_url, pids):
        table("embedded mode (make run: SQLite, one Rasa)", web_url, pids)


def cluster(replicas: int) -> None:
    from scripts.cluster import scratch_cluster

    with scratch_cluster(replicas) as c:
        pids = {"rasa": [p.pid for p in c.rasa], "actions": [p.pid for p in c.actions],
                "web": [p.pid for p in c.web]}
        table(f"cluster mode, N = {replicas} (PostgreSQL, Redis locks, HAProxy)", c.web_url, pids)


def duplicate_tickets(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT c.sender_id, count(*) FROM tickets t JOIN contacts c "
                                 "ON c.id = t.contact_id GROUP BY c.sender_id HAVING count(*) > 1")).all()
    engine.dispose()
    return sum(n - 1 for _, n in rows)


def kill_run(conversations: int = 100, citizens: int = 20, kill_after: float = 5.0) -> None:
    """Two Rasa replicas; one is SIGKILLed `kill_after` seconds into the load, while it holds
    the lock of a conversation whose turn it is processing. Then: every conversation must end
    with its ticket, no citizen may hold two, and that citizen, writing again at once through
    the load balancer, must be answered quickly (the dead replica's lock lease runs out)."""
    import redis

    from scripts.cluster import scratch_cluster

    with scratch_cluster(2) as c:
        url = f"{c.web_url}/api/v1/messages"
        tally = Tally()
        per_citizen = -(-conversations // citizens)
        people = [Citizen(url, tally, time.monotonic() + 900, (0.5, 1.5), max_conversations=per_citizen)
                  for _ in range(citizens)]
        threads = [threading.Thread(target=p.run, daemon=True) for p in people]
        for th in threads:
            th.start()
        time.sleep(kill_after)
        victim, victim_port = c.rasa[0], c.rasa_ports[0]
        writer = f"web:after-kill-{uuid.uuid4().hex}"  # the web app names web senders so
        def turn_on_the_victim() -> None:  # dies with the replica: no answer is expected
            with contextlib.suppress(requests.RequestException):
                requests.post(f"http://127.0.0.1:{victim_port}/webhooks/rest/webhook", timeout=30,
                              json={"sender": writer, "message": "Ở ngõ 5 Hàng Bài đèn đường hỏng",
                                    "metadata": {"message_id": "k1"}})

        threading.Thread(target=turn_on_the_victim, daemon=True).start()
        locked = False
        lock_store = redis.Redis.from_url("redis://127.0.0.1:6379/1")
        for _ in range(100):  # the victim takes the writer's lock, then dies holding it
            if lock_store.exists(f"lock:{writer}"):
                locked = True
                break
            time.sleep(0.01)
        os.killpg(victim.pid, signal.SIGKILL)
        killed_at = time.perf_counter()
        answer = requests.post(url, json={"sender_id": writer, "text": "Xin chào",
                                          "message_id": "k2"}, headers=procs.API_HEADERS, timeout=60)
        after_kill_s = time.perf_counter() - killed_at
        for th in threads:
            th.join(timeout=900)
        dupes = duplicate_tickets(c.database_url)
        print(f"\nreplica kill (2 Rasa replicas, {citizens} citizens thinking 0.5–1.5 s, "
              f"SIGKILL of one replica {kill_after:g} s in)", flush=True)
        print(f"conversations: {tally.started} started, {tally.finished_with_ticket} finished with their ticket, "
              f"{tally.lost} lost; duplicate tickets: {dupes}; turns answered with an error: {tally.failed_turns} "
              f"{dict(tally.errors)}")
        print(f"citizen whose turn the killed replica held (lock in Redis at the kill: {'yes' if locked else 'no'}) "
              f"writing again: HTTP {answer.status_code} in {after_kill_s:.2f} s")
        if tally.latencies_ms:
            print(f"turn latency during the run: median {statistics.median(tally.latencies_ms):.0f} ms, "
                  f"max {max(tally.latencies_ms):.0f} ms", flush=True)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    mode = args[0] if args else "all"
    if mode in ("embedded", "all"):
        embedded()
    if mode == "cluster":
        cluster(int(args[1]) if len(args) > 1 else 2)
    if mode == "all":
        for n in (1, 2, 3):
            cluster(n)
    if mode in ("kill", "all"):
        kill_run()


if __name__ == "__main__":
    main()
