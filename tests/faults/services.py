"""The processes the fault-injection suite kills and restarts, all private to one run.

PostgreSQL and Redis are started here from the Debian binaries (initdb into a temporary
directory, free ports), never the machine's shared servers: a restart must not hit the
databases other tests and people use. Rasa, the action server, the web app and the
delivery worker are the project's real commands, each in its own process group so a
SIGKILL takes the whole process, as a crash would.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from scripts import procs
from scripts.procs import ROOT, free_port


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise FileNotFoundError(f"PostgreSQL binary {name} not found under /usr/lib/postgresql/*/bin")
    return found[-1]


def _as_postgres() -> Callable[[], None] | None:
    """PostgreSQL refuses to run as root: drop to the `postgres` user when we are root."""
    if os.geteuid() != 0:
        return None
    user = pwd.getpwnam("postgres")

    def demote() -> None:
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)
    return demote


class PrivatePostgres:
    """A throw-away cluster: `restart()` stops it the way a crash does (immediate) and starts it."""

    def __init__(self) -> None:
        # Its own directory: pytest's tmp_path is private to root, the server runs as `postgres`.
        self.base = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        os.chmod(self.base, 0o755)
        self.dir = self.base / "data"
        self.port = free_port()
        self.log = self.base / "postgres.log"
        self._demote = _as_postgres()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/faults"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(list(args), preexec_fn=self._demote, check=check, capture_output=True, text=True,
                              cwd="/tmp")

    def start(self) -> None:
        if not self.dir.exists():
            self.dir.mkdir(parents=True)
            if self._demote is not None:
                user = pwd.getpwnam("postgres")
                os.chown(self.dir, user.pw_uid, user.pw_gid)
                self.log.touch()
                os.chown(self.log, user.pw_uid, user.pw_gid)
            self._run(_pg_bin("initdb"), "-D", str(self.dir), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                      "--no-sync")
            self._pg_ctl_start()
            self._run(_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "faults")
            return
        self._pg_ctl_start()

    def _pg_ctl_start(self) -> None:
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off -c max_connections=200"
        self._run(_pg_bin("pg_ctl"), "-D", str(self.dir), "-o", opts, "-l", str(self.log), "-w", "start")

    def stop(self, mode: str = "immediate") -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.dir), "-m", mode, "-w", "stop", check=False)

    def restart(self, down_s: float = 0.0) -> None:
        self.stop("immediate")
        time.sleep(down_s)
        self.start()

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


class PrivateRedis:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.dir = workdir / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no", "--dir", str(self.dir)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                import socket

                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            procs.kill(self.proc)

    def restart(self, down_s: float = 0.0) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()


class Service:
    """One of our processes: start, wait for /healthz, SIGKILL, restart."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], health_url: str, log: Path,
                 timeout: float = 300.0) -> None:
        self.name, self.cmd, self.env, self.health_url, self.log = name, cmd, env, health_url, log
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as out:
            out.write(f"\n----- start {self.starts + 1} -----\n")
            out.flush()
            self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.starts += 1
        self.wait_healthy()

    def wait_healthy(self) -> None:
        assert self.proc is not None
        procs.wait_healthy(self.health_url, self.proc, self.log, self.timeout, name=self.name, poll=0.2)

    def kill(self) -> None:
        """SIGKILL the whole process group: no clean shutdown, as in a crash."""
        if self.proc is not None:
            procs.kill(self.proc)

    def restart(self, down_s: float = 0.0) -> None:
        self.kill()
        time.sleep(down_s)
        self.start()

    def stop(self) -> None:
        if self.proc is not None:
            procs.stop(self.proc, grace=15)
