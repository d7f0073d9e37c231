"""Start the real processes (Rasa, action server, web app) on free local ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited ({proc.returncode}) before healthy:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} not healthy after {timeout}s:\n{log.read_text()[-4000:]}")


@contextmanager
def running(cmd: list[str], env: dict[str, str], health_url: str, log: Path,
            timeout: float = 300.0) -> Iterator[subprocess.Popen]:
    """Run `cmd` until the block ends; stop its whole process group afterwards."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        wait_healthy(health_url, proc, log, timeout)
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def rasa_cmd(model: Path, port: int, endpoints: str = "endpoints.yml") -> list[str]:
    # `python -m rasa_ext` is Rasa's own CLI with our patches applied (rasa_ext/patches.py)
    return [str(ROOT / ".venv-rasa/bin/python"), "-m", "rasa_ext", "run", "--enable-api", "-i", "127.0.0.1",
            "-p", str(port), "--model", str(model), "--credentials", "credentials.yml",
            "--endpoints", endpoints]


def actions_cmd() -> list[str]:
    return [str(ROOT / ".venv/bin/python"), "-m", "bot.action_server"]


def web_cmd() -> list[str]:
    return [str(ROOT / ".venv/bin/python"), "-m", "bot.web.serve"]
