"""Cluster mode on one host, without Docker: the production shape as plain processes.

    make run-cluster            # SCALE=2 by default; DATABASE_URL must be PostgreSQL
    SCALE=3 make run-cluster

PostgreSQL holds the tickets *and* Rasa's tracker store, Redis is Rasa's lock store (and the
rate limits' storage), and N Rasa replicas, N action servers (one beside each replica),
N web workers and N delivery workers run behind HAProxy (deploy/haproxy.cfg.tmpl), which
health-checks every replica and web worker. The tracker tables are created once before the
replicas start (rasa_ext/tracker_tables.py). The web frontend listens on WEB_PORT, Rasa's
on RASA_PORT; replicas and workers get free ports. One hotline and one asr_ws are started
when CLUSTER_VOICE=1 (they keep no per-host state a replica would need: docs/deployment.md).

bench/load.py and tests/test_cluster.py use :func:`scratch_cluster` (a fresh PostgreSQL
database, everything on free ports).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import shutil
import string
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from scripts import procs
from scripts.procs import ROOT

TEMPLATE = ROOT / "deploy/haproxy.cfg.tmpl"
ENDPOINTS = "docker/endpoints.yml"  # PostgreSQL tracker store + Redis lock store, from the environment
PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")


@dataclass
class Cluster:
    web_url: str
    rasa_url: str
    database_url: str
    rasa: list[subprocess.Popen] = field(default_factory=list)
    actions: list[subprocess.Popen] = field(default_factory=list)
    web: list[subprocess.Popen] = field(default_factory=list)
    delivery: list[subprocess.Popen] = field(default_factory=list)
    voice: list[subprocess.Popen] = field(default_factory=list)
    rasa_ports: list[int] = field(default_factory=list)
    workdir: Path | None = None  # logs and the rendered haproxy.cfg
    haproxy: subprocess.Popen | None = None


def haproxy_config(rasa_bind: str, web_bind: str, rasa_ports: list[int], web_ports: list[int],
                   server_timeout: str = "60s") -> str:
    """deploy/haproxy.cfg.tmpl with one `server` line per replica and per web worker."""
    def servers(prefix: str, ports: list[int]) -> str:
        return "\n".join(f"    server {prefix}{i + 1} 127.0.0.1:{port} check" for i, port in enumerate(ports))

    return string.Template(TEMPLATE.read_text()).substitute(
        rasa_bind=rasa_bind, web_bind=web_bind, rasa_servers=servers("rasa", rasa_ports),
        web_servers=servers("web", web_ports), server_timeout=server_timeout)


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports (held open together while chosen, so none repeats)."""
    held = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            held.append(sock)
        return [int(sock.getsockname()[1]) for sock in held]
    finally:
        for sock in held:
            sock.close()


def tracker_env(database_url: str) -> dict[str, str]:
    """docker/endpoints.yml's variables for the tracker store, from the tickets' DATABASE_URL."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        raise SystemExit("cluster mode needs DATABASE_URL=postgresql://… (tickets and Rasa's tracker)")
    if (url.port or 5432) != 5432:
        raise SystemExit("docker/endpoints.yml expects PostgreSQL on port 5432")
    return {"TRACKER_DB_HOST": url.host or "127.0.0.1", "TRACKER_DB_NAME": url.database or "",
            "TRACKER_DB_USER": url.username or "postgres", "TRACKER_DB_PASSWORD": url.password or ""}


@contextmanager
def start_cluster(replicas: int, database_url: str, workdir: Path, web_port: int, rasa_port: int,
                  extra_env: dict[str, str] | None = None, voice: bool = False) -> Iterator[Cluster]:
    """Start everything (the database must be migrated); stop it all when the block ends."""
    from scripts.train_model import ensure_model

    model = ensure_model()
    workdir.mkdir(parents=True, exist_ok=True)
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    common = procs.base_env(DATABASE_URL=database_url, RASA_URL=rasa_url,
                            REDIS_URL=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
                            REDIS_HOST=os.environ.get("REDIS_HOST", "127.0.0.1"),
                            # the secret Rasa sends the action servers (docker/endpoints.yml)
                            ACTIONS_TOKEN=os.environ.get("ACTIONS_TOKEN") or secrets.token_hex(16),
                            **tracker_env(database_url), **(extra_env or {}))
    tables = subprocess.run([str(ROOT / ".venv-rasa/bin/python"), "-m", "rasa_ext.tracker_tables", ENDPOINTS],
                            cwd=ROOT, env={**common, "ACTION_SERVER_URL": "http://127.0.0.1:1/webhook"},
                            capture_output=True, text=True, timeout=300, check=False)
    if tables.returncode != 0:
        raise RuntimeError(f"could not create Rasa's tracker tables:\n{tables.stdout[-2000:]}{tables.stderr[-3000:]}")
    chosen = iter(free_ports(4 * replicas + 2))
    ports = {name: [next(chosen) for _ in range(replicas)] for name in ("rasa", "actions", "web", "delivery")}
    cluster = Cluster(web_url=f"http://127.0.0.1:{web_port}", rasa_url=rasa_url, database_url=database_url,
                      rasa_ports=ports["rasa"], workdir=workdir)
    with ExitStack() as stack:
        waits: list[tuple[str, subprocess.Popen, Path]] = []

        def spawn(kind: str, cmd: list[str], env: dict[str, str], log: str, port: int) -> subprocess.Popen:
            proc = procs.spawn(cmd, env, workdir / log)
            stack.callback(procs.stop, proc)
            waits.append((f"http://127.0.0.1:{port}/healthz", proc, workdir / log))
            if kind == "haproxy":
                cluster.haproxy = proc
            else:
                getattr(cluster, kind).append(proc)
            return proc

        python = str(ROOT / ".venv/bin/python")
        for i in range(replicas):
            a_port, r_port = ports["actions"][i], ports["rasa"][i]
            spawn("actions", procs.actions_cmd(), {**common, "ACTIONS_PORT": str(a_port)}, f"actions{i + 1}.log",
                  a_port)
            spawn("rasa", procs.rasa_cmd(model, r_port, ENDPOINTS),
                  {**common, "ACTION_SERVER_URL": f"http://127.0.0.1:{a_port}/webhook"}, f"rasa{i + 1}.log", r_port)
        for i in range(replicas):
            w_port, d_port = ports["web"][i], ports["delivery"][i]
            spawn("web", procs.web_cmd(), {**common, "WEB_PORT": str(w_port)}, f"web{i + 1}.log", w_port)
            spawn("delivery", [python, "-m", "bot.channels.delivery"],
                  {**common, "DELIVERY_HEALTH_PORT": str(d_port)}, f"delivery{i + 1}.log", d_port)
        if voice:
            for module, port_var in (("bot.hotline", "HOTLINE_HEALTH_PORT"), ("voice.vosk_ws", "VOSK_WS_PORT")):
                port = int(os.environ.get(port_var) or next(chosen))
                spawn("voice", [python, "-m", module], {**common, port_var: str(port)}, f"{module}.log", port)
        cfg = workdir / "haproxy.cfg"
        cfg.write_text(haproxy_config(f"127.0.0.1:{rasa_port}", f"{os.environ.get('WEB_HOST', '127.0.0.1')}:{web_port}",
                                      ports["rasa"], ports["web"]))
        spawn("haproxy", ["haproxy", "-W", "-db", "-f", str(cfg)], common, "haproxy.log", rasa_port)
        for url, proc, log in waits:
            procs.wait_healthy(url, proc, log, timeout=600)
        if cluster.haproxy is not None:
            procs.wait_healthy(f"{cluster.web_url}/healthz", cluster.haproxy, workdir / "haproxy.log", timeout=30)
        yield cluster


@contextmanager
def scratch_cluster(replicas: int, extra_env: dict[str, str] | None = None) -> Iterator[Cluster]:
    """A cluster on a fresh PostgreSQL database, on free ports; the database is dropped after.
    Logs are in var/cluster-scratch/<pid>/, removed after a clean run, kept after a failure."""
    import psycopg

    from feedback_router.migrate import upgrade

    name = f"hanoi_cluster_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    try:
        upgrade(url)
        workdir = ROOT / f"var/cluster-scratch/{os.getpid()}"
        shutil.rmtree(workdir, ignore_errors=True)
        web_port, rasa_port = free_ports(2)
        with start_cluster(replicas, url, workdir, web_port, rasa_port, extra_env) as cluster:
            yield cluster
        shutil.rmtree(workdir, ignore_errors=True)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    """`make run-cluster`: start, print where, run until Ctrl-C."""
    from feedback_router.migrate import upgrade

    replicas = int(os.environ.get("SCALE") or 2)
    database_url = os.environ.get("DATABASE_URL", "")
    tracker_env(database_url)  # refuses SQLite before anything starts
    upgrade(database_url)
    workdir = ROOT / "var/cluster"
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    with start_cluster(replicas, database_url, workdir, int(os.environ.get("WEB_PORT", "8000")),
                       int(os.environ.get("RASA_PORT", "5005")), voice=os.environ.get("CLUSTER_VOICE") == "1") as c:
        print(f"ready — cluster of {replicas}: web chat at {c.web_url}/ (HAProxy), Rasa at {c.rasa_url}; "
              f"logs in {workdir}", flush=True)
        try:
            while not stop["now"] and all(p.poll() is None for p in [*c.rasa, *c.actions, *c.web]):
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    sys.exit(0)


if __name__ == "__main__":
    main()
