"""Closed-loop load on `POST /api/v1/messages`: simulated citizens each running whole complaints.

A citizen greets, reports a problem at an address no one else uses (so no report is joined
to another citizen's ticket), names the ward, confirms, and must get a ticket code back.
Each turn carries a `message_id` that a retry repeats, so a retried turn can never file a
second ticket. Used by bench/load.py; prints nothing itself.
"""

from __future__ import annotations

import collections
import itertools
import random
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from scripts.procs import API_HEADERS

TICKET_CODE = re.compile(r"\bHN-\d{4}-[0-9A-Z]{4}\b")
_addresses = itertools.count(1)
_addresses_lock = threading.Lock()


def complaint_turns() -> list[str]:
    """The four turns of one complaint, at an address unique to this process's run."""
    with _addresses_lock:
        n = next(_addresses)
    alley, house = 100 + n // 50, 1 + n % 50
    return ["Xin chào",
            f"Ở số {house} ngõ {alley} Láng Hạ rác thải ba ngày không ai thu gom",
            "phường Láng",
            "/affirm"]


def ticket_code(replies: list[dict]) -> str | None:
    for reply in replies:
        custom = reply.get("custom") or {}
        if isinstance(custom, dict) and isinstance(custom.get("ticket"), dict):
            return str(custom["ticket"].get("code"))
        found = TICKET_CODE.search(reply.get("text") or "")
        if found:
            return found.group(0)
    return None


@dataclass
class Tally:
    """What every citizen of one run did, merged under a lock."""

    latencies_ms: list[float] = field(default_factory=list)
    turns: int = 0
    failed_turns: int = 0
    started: int = 0
    finished_with_ticket: int = 0
    lost: int = 0  # a conversation that ended without its ticket
    codes: dict[str, str] = field(default_factory=dict)  # sender → ticket code
    errors: collections.Counter = field(default_factory=collections.Counter)  # HTTP status or exception
    lock: threading.Lock = field(default_factory=threading.Lock)

    def turn(self, ms: float, ok: bool, error: str = "") -> None:
        with self.lock:
            if ok:
                self.turns += 1
                self.latencies_ms.append(ms)
            else:
                self.failed_turns += 1
                self.errors[error] += 1


@dataclass
class Citizen:
    """One person at a keyboard: a turn, then (optionally) a pause to read and type."""

    url: str
    tally: Tally
    stop_at: float
    think: tuple[float, float] = (0.0, 0.0)
    max_conversations: int | None = None
    retries: int = 3  # a client-side resend of the same message after an error answer
    http: requests.Session = field(default_factory=requests.Session)
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        # load comes from one address: the bench is an integrator (scripts.procs' API token),
        # exempt from a browser's per-address chat limits and allowed to choose sender ids
        self.http.headers.update(API_HEADERS)

    def send(self, sender: str, text: str, message_id: str) -> list[dict] | None:
        for attempt in range(self.retries + 1):
            t = time.perf_counter()
            try:
                resp = self.http.post(self.url, json={"sender_id": sender, "text": text,
                                                      "message_id": message_id}, timeout=60)
                ok, error = resp.status_code == 200, str(resp.status_code)
            except requests.RequestException as exc:
                ok, error = False, exc.__class__.__name__
            self.tally.turn((time.perf_counter() - t) * 1000, ok, error)
            if ok:
                return resp.json().get("replies") or []
            if attempt < self.retries:
                time.sleep(0.5)
        return None

    def conversation(self) -> None:
        sender = uuid.uuid4().hex
        with self.tally.lock:
            self.tally.started += 1
        code = None
        for i, text in enumerate(complaint_turns()):
            if i and self.think[1] > 0:
                time.sleep(self.rng.uniform(*self.think))
            replies = self.send(sender, text, f"{sender}-{i}")
            if replies is None:
                break
            code = ticket_code(replies) or code
        with self.tally.lock:
            if code:
                self.tally.finished_with_ticket += 1
                self.tally.codes[f"api:{sender}"] = code
            else:
                self.tally.lost += 1

    def run(self) -> None:
        done = 0
        while time.monotonic() < self.stop_at:
            if self.max_conversations is not None and done >= self.max_conversations:
                return
            self.conversation()
            done += 1


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


@dataclass(frozen=True)
class LevelResult:
    citizens: int
    think: tuple[float, float]
    seconds: float
    tally: Tally
    probe: dict[str, float] = field(default_factory=dict)  # what `probe` counted during the window

    @property
    def turns_per_s(self) -> float:
        return self.tally.turns / self.seconds

    def row(self) -> str:
        lat = self.tally.latencies_ms
        think = "0" if self.think[1] == 0 else f"{self.think[0]:g}–{self.think[1]:g} s"
        return (f"| {self.citizens} | {think} | {self.turns_per_s:.1f} | {percentile(lat, 50):.0f} ms | "
                f"{percentile(lat, 95):.0f} ms | {percentile(lat, 99):.0f} ms | "
                f"{self.tally.finished_with_ticket}/{self.tally.started} | {self.tally.failed_turns} |")


HEADER = ("| citizens | think time | turns/s | p50 | p95 | p99 | conversations with ticket | failed turns |\n"
          "|---|---|---|---|---|---|---|---|")


def run_level(url: str, citizens: int, seconds: float, think: tuple[float, float] = (0.0, 0.0),
              warmup: float = 2.0, probe: Callable[[], dict[str, float]] | None = None) -> LevelResult:
    """`citizens` closed-loop citizens for `seconds` (after `warmup`); conversations in flight
    at the end are finished but their turns after the window do not count. `probe` (e.g.
    CPU seconds per process kind) is read at the window's start and end; the result keeps
    the difference."""
    tally = Tally()
    start = time.monotonic() + warmup
    stop_at = start + seconds
    people = [Citizen(url, tally, stop_at, think, rng=random.Random(i)) for i in range(citizens)]
    threads = [threading.Thread(target=p.run, daemon=True) for p in people]
    for th in threads:
        th.start()
    time.sleep(warmup)
    with tally.lock:  # turns during the warm-up do not count
        tally.turns, tally.latencies_ms[:] = 0, []
    before = probe() if probe else {}
    time.sleep(max(0.0, stop_at - time.monotonic()))
    with tally.lock:
        counted = Tally(latencies_ms=list(tally.latencies_ms), turns=tally.turns)
    after = probe() if probe else {}
    for th in threads:
        th.join(timeout=120)
    counted.failed_turns, counted.started = tally.failed_turns, tally.started
    counted.finished_with_ticket, counted.lost, counted.codes = tally.finished_with_ticket, tally.lost, tally.codes
    return LevelResult(citizens, think, seconds, counted, {k: after[k] - before[k] for k in after})
