"""Start the real processes (Rasa, action server, web app) on free local ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
# Tests and benchmarks talk to the web app as an integrator would: with an API token, which is
# what lets a client name the conversation's sender_id (browsers get a server-issued cookie).
TEST_API_TOKEN = "local-test-api-token"
API_HEADERS = {"Authorization": f"Bearer {TEST_API_TOKEN}"}
# Where the clock (nlu.clock: CLOCK_FROZEN_AT, CLOCK_TICK) of every process started through
# base_env begins: (instant, time.monotonic() when it held, ticking). None (the real clock)
# except under the test suite: tests/conftest.py sets it for each test, so no started process
# reads the day the suite happens to run on.
clock_start: tuple[datetime, float, bool] | None = None


def clock_env() -> dict[str, str]:
    """A ticking instant moves on by the real seconds since it was set: a process started a
    minute after another in the same test must not be a minute behind it (leases, retries)."""
    if clock_start is None:
        return {}
    at, since, ticking = clock_start
    if ticking:
        at += timedelta(seconds=time.monotonic() - since)
    # clock_start/sitecustomize.py starts the clock as the process starts, not at its first request
    return {"CLOCK_FROZEN_AT": at.isoformat(), "CLOCK_TICK": "1" if ticking else "0",
            "PYTHONPATH": f"{ROOT / 'scripts' / 'clock_start'}{os.pathsep}{ROOT}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
                "SANIC_HOST": "127.0.0.1", "PYTHONPATH": str(ROOT)})
    env.setdefault("API_TOKENS", TEST_API_TOKEN)
    if extra.get("APP_ENV", env.get("APP_ENV")) != "production":  # production ignores it (with a warning)
        env.update(clock_env())
    env.update(extra)
    return env


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 300.0, *,
                 name: str = "process", poll: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited ({proc.returncode}) before healthy:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(poll)
    raise TimeoutError(f"{name} at {url} not healthy after {timeout}s:\n{log.read_text()[-4000:]}")


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL the whole process group (started with start_new_session): as a crash would."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # the leader is gone but not yet reaped
            pass
        proc.wait()


def stop(proc: subprocess.Popen, grace: float = 20.0) -> None:
    """SIGTERM the whole process group; SIGKILL what is still there after `grace` seconds."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=grace)
        except ProcessLookupError:
            proc.wait()
        except subprocess.TimeoutExpired:
            kill(proc)


def spawn(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start `cmd` in a process group of its own (so stop and kill reach its children), output to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


@contextmanager
def running(cmd: list[str], env: dict[str, str], health_url: str, log: Path,
            timeout: float = 300.0) -> Iterator[subprocess.Popen]:
    """Run `cmd` until the block ends; stop its whole process group afterwards."""
    proc = spawn(cmd, env, log)
    try:
        wait_healthy(health_url, proc, log, timeout)
        yield proc
    finally:
        stop(proc)


def rasa_cmd(model: Path, port: int, endpoints: str = "endpoints.yml") -> list[str]:
    # `python -m rasa_ext` is Rasa's own CLI with our patches applied (rasa_ext/patches.py)
    return [str(ROOT / ".venv-rasa/bin/python"), "-m", "rasa_ext", "run", "--enable-api", "-i", "127.0.0.1",
            "-p", str(port), "--model", str(model), "--credentials", "credentials.yml",
            "--endpoints", endpoints]


def actions_cmd() -> list[str]:
    return [str(ROOT / ".venv/bin/python"), "-m", "bot.action_server"]


def web_cmd() -> list[str]:
    return [str(ROOT / ".venv/bin/python"), "-m", "bot.web.serve"]


@dataclass(frozen=True)
class Embedded:
    web_url: str
    procs: dict[str, subprocess.Popen]  # "rasa", "actions", "web"


@contextmanager
def embedded_stack(model: Path, workdir: Path, database_url: str,
                   rasa_ready: Callable[[], None] | None = None) -> Iterator[Embedded]:
    """`make run`'s shape on free ports: one Rasa, one action server, one web app on
    `database_url` (already migrated), logs and the tracker in `workdir`. `rasa_ready` runs once
    Rasa answers, before the others start (bench/stack_bench.py times the model load)."""
    rasa_port, actions_port, web_port = free_port(), free_port(), free_port()
    env = base_env(DATABASE_URL=database_url, ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook",
                   RASA_TRACKER_DB=str(workdir / "tracker.db"), RASA_URL=f"http://127.0.0.1:{rasa_port}",
                   ACTIONS_PORT=str(actions_port), WEB_PORT=str(web_port))
    with running(rasa_cmd(model, rasa_port), env, f"http://127.0.0.1:{rasa_port}/healthz",
                 workdir / "rasa.log", timeout=600) as rasa:
        if rasa_ready is not None:
            rasa_ready()
        with running(actions_cmd(), env, f"http://127.0.0.1:{actions_port}/healthz",
                     workdir / "actions.log") as actions, \
             running(web_cmd(), env, f"http://127.0.0.1:{web_port}/healthz", workdir / "web.log") as web:
            yield Embedded(f"http://127.0.0.1:{web_port}", {"rasa": rasa, "actions": actions, "web": web})
