"""Fault injection on the real processes: complaints through Telegram, Zalo and the web API
while Rasa, the action server, the web app and the delivery worker are SIGKILLed and
restarted, PostgreSQL is restarted and Redis (Rasa's lock store here) is stopped.

    python -m tests.faults.run --conversations 200 --per-kind 5 --seed 14   (make bench-faults)

Every conversation is the same three turns a citizen types (the complaint with a unique alley,
the old ward name, "đúng rồi"); the platforms' behaviour is imitated: Telegram and Zalo re-send
a webhook until it answers 200, the web client retries a request with the same message_id and
reads late answers from the inbox, acknowledging them. The fault plan (order, gaps, down times)
comes from a seeded RNG. Counted at the end from the stand-ins and the private database:
conversations started and completed, tickets, replies delivered, lost and duplicated ones.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from scripts import procs
from tests.channels.standins.telegram_api import TelegramStandIn
from tests.channels.standins.zalo_api import ZaloStandIn
from tests.faults.services import PrivatePostgres, PrivateRedis, Service

FAULT_KINDS = ("rasa", "actions", "web", "delivery", "postgres", "redis")
CHANNELS = ("telegram", "zalo", "web")
TG_TOKEN, TG_SECRET = "424242:faults-token", "faults-webhook-secret"
ZALO_APP, ZALO_SECRET, ZALO_OA = "faults-app", "faults-app-secret", "faults-oa-secret"
CODE = re.compile(r"HN-\d{4}-[0-9A-Z]{4}")
HOLDING = ("Tôi đã nhận tin nhắn của bạn", "I have received your message")
GAVE_UP = ("Xin lỗi, tôi chưa trả lời được", "Sorry, I could not answer")
API_HEADERS: dict[str, str] = dict(getattr(procs, "API_HEADERS", {}))


def is_holding(text: str) -> bool:
    return text.startswith(HOLDING)


# What each turn must bring back (the real dialogue: form asks where, summary, receipt).
EXPECT: tuple[Callable[[str], bool], ...] = (
    lambda t: "phường/xã" in t or "ward" in t.lower(),
    lambda t: "Xác nhận" in t or "Confirm" in t,
    lambda t: CODE.search(t) is not None,
)


def turns(alley: int) -> tuple[str, str, str]:
    return (f"Ở ngõ {alley} Láng Hạ rác thải ba ngày không ai thu gom", "p. Lang Ha", "đúng rồi")


@dataclass
class Config:
    conversations: int = 200
    per_kind: int = 5
    seed: int = 14
    concurrency: int = 12
    redis: bool = True
    turn_timeout: float = 600.0  # a turn may wait out several restarts; slower than this counts as lost
    workdir: Path | None = None


@dataclass
class Conversation:
    index: int
    channel: str
    alley: int
    ident: str = ""
    answered: list[bool] = field(default_factory=lambda: [False, False, False])
    code: str | None = None
    error: str | None = None

    @property
    def sender(self) -> str:
        return f"{self.channel}:{self.ident}"


@dataclass
class Figures:
    conversations: int = 0
    completed: int = 0
    tickets: int = 0
    replies_delivered: int = 0
    holding_sentences: int = 0
    lost_conversations: int = 0
    lost_tickets: int = 0
    duplicate_tickets: int = 0
    duplicate_reports: int = 0
    duplicate_replies: int = 0
    gave_up_sentences: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    def line(self) -> str:
        faults = ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items()))
        return (f"conversations {self.conversations} · completed {self.completed} · tickets {self.tickets} · "
                f"replies delivered {self.replies_delivered} (+{self.holding_sentences} holding sentences) · "
                f"lost conversations {self.lost_conversations} · lost tickets {self.lost_tickets} · "
                f"duplicate tickets {self.duplicate_tickets} · duplicate reports {self.duplicate_reports} · "
                f"duplicate replies {self.duplicate_replies} · gave-up sentences {self.gave_up_sentences} · "
                f"faults: {faults} · {self.seconds:.0f} s")


class Stack:
    """Private PostgreSQL and Redis, the stand-ins, and our four processes."""

    def __init__(self, workdir: Path, use_redis: bool) -> None:
        from scripts.train_model import ensure_model

        self.workdir = workdir
        self.pg = PrivatePostgres()
        self.redis = PrivateRedis(workdir) if use_redis and PrivateRedis.available() else None
        self.telegram = TelegramStandIn(TG_TOKEN)
        self.zalo = ZaloStandIn(ZALO_APP, ZALO_SECRET, "acc-0", "ref-0")
        self.model = Path(os.environ["RASA_MODEL"]) if os.environ.get("RASA_MODEL") else ensure_model()
        self.ports = {name: procs.free_port() for name in ("rasa", "actions", "web", "delivery")}
        self.services: dict[str, Service] = {}

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['web']}"

    def _endpoints(self) -> Path:
        text = (procs.ROOT / "endpoints.yml").read_text()
        if self.redis is not None:
            text += f"\nlock_store:\n  type: redis\n  url: 127.0.0.1\n  port: {self.redis.port}\n  db: 0\n"
        path = self.workdir / "endpoints.yml"
        path.write_text(text)
        return path

    def env(self) -> dict[str, str]:
        return procs.base_env(
            DATABASE_URL=self.pg.url, RASA_URL=f"http://127.0.0.1:{self.ports['rasa']}",
            ACTION_SERVER_URL=f"http://127.0.0.1:{self.ports['actions']}/webhook",
            ACTIONS_PORT=str(self.ports["actions"]), WEB_PORT=str(self.ports["web"]),
            DELIVERY_HEALTH_PORT=str(self.ports["delivery"]), RASA_TRACKER_DB=str(self.workdir / "tracker.db"),
            TELEGRAM_BOT_TOKEN=TG_TOKEN, TELEGRAM_API_BASE_URL=self.telegram.url, TELEGRAM_WEBHOOK_SECRET=TG_SECRET,
            ZALO_APP_ID=ZALO_APP, ZALO_APP_SECRET=ZALO_SECRET, ZALO_OA_SECRET_KEY=ZALO_OA,
            ZALO_API_BASE_URL=self.zalo.url, ZALO_OAUTH_BASE_URL=self.zalo.url, ZALO_ACCESS_TOKEN="acc-0",
            ZALO_REFRESH_TOKEN="ref-0", ZALO_TOKEN_FILE=str(self.workdir / "zalo_tokens.json"),
            UPLOAD_DIR=str(self.workdir / "uploads"), CHANNELS_ASR="off", CHANNELS_TTS="off",
            DELIVERY_POLL_SECONDS="0.3", SLA_CHECK_SECONDS="3600", BOOKING_CHECK_SECONDS="3600",
            INBOUND_LEASE_SECONDS="40", OUTBOX_LEASE_SECONDS="20", INBOUND_RETRY_SECONDS="1",
            INBOUND_MAX_BACKOFF_SECONDS="4", INBOUND_EMPTY_RETRIES="12", TICKET_LOCK_LIFETIME="10",
            LOG_LEVEL="WARNING")

    def start(self) -> None:
        self.telegram.__enter__()
        self.zalo.__enter__()
        self.pg.start()
        if self.redis is not None:
            self.redis.start()
        env = self.env()
        import subprocess

        subprocess.run([str(procs.ROOT / ".venv/bin/python"), "-m", "feedback_router.migrate"], env=env,
                       cwd=procs.ROOT, check=True, capture_output=True)
        rasa = procs.rasa_cmd(self.model, self.ports["rasa"])
        rasa[rasa.index("--endpoints") + 1] = str(self._endpoints())
        py = str(procs.ROOT / ".venv/bin/python")
        specs = {
            "rasa": (rasa, f"http://127.0.0.1:{self.ports['rasa']}/healthz"),
            "actions": (procs.actions_cmd(), f"http://127.0.0.1:{self.ports['actions']}/healthz"),
            "web": (procs.web_cmd(), f"{self.web_url}/healthz"),
            "delivery": ([py, "-m", "bot.channels.delivery"], f"http://127.0.0.1:{self.ports['delivery']}/healthz"),
        }
        for name, (cmd, health) in specs.items():
            self.services[name] = Service(name, cmd, env, health, self.workdir / f"{name}.log", timeout=400)
        for name in ("actions", "rasa", "web", "delivery"):
            self.services[name].start()

    def fault(self, kind: str, down_s: float) -> None:
        if kind == "postgres":
            self.pg.restart(down_s)
        elif kind == "redis":
            assert self.redis is not None
            self.redis.restart(down_s)
        else:
            self.services[kind].restart(down_s)

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()
        if self.redis is not None:
            self.redis.stop()
        self.pg.remove()
        self.telegram.__exit__(None, None, None)
        self.zalo.__exit__(None, None, None)


# ---- the three citizens' clients ------------------------------------------------------------

class Clients:
    def __init__(self, stack: Stack, turn_timeout: float) -> None:
        self.stack = stack
        self.timeout = turn_timeout
        self.web_answers: dict[str, list[str]] = {}      # sender → every reply text shown
        self.web_seen_ids: dict[str, set[int]] = {}
        self._update_ids = iter(range(1, 10**9))
        self._lock = threading.Lock()

    def _retry_post(self, url: str, deadline: float, **kwargs: Any) -> requests.Response:
        """Post until answered as the platform would (Telegram/Zalo re-send until 200)."""
        while True:
            try:
                resp = requests.post(url, timeout=60, **kwargs)
                if resp.status_code < 500:
                    return resp
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} never answered")
            time.sleep(0.5)

    def _wait(self, texts: Callable[[], list[str]], start: int, expect: Callable[[str], bool],
              deadline: float, poll: Callable[[], None] | None = None) -> None:
        while time.monotonic() < deadline:
            if poll is not None:
                poll()
            if any(expect(t) for t in texts()[start:]):
                return
            time.sleep(0.2)
        raise TimeoutError("no answer to the turn")

    def telegram_turn(self, conv: Conversation, turn: int, text: str) -> None:
        chat = int(conv.ident)
        with self._lock:
            update_id = next(self._update_ids)
        body = {"update_id": update_id, "message": {
            "message_id": update_id, "date": int(time.time()), "text": text,
            "from": {"id": chat, "is_bot": False, "first_name": "Dân"}, "chat": {"id": chat, "type": "private"}}}
        texts = lambda: [m.get("text", "") for m in list(self.stack.telegram.sent)  # noqa: E731
                         if int(m.get("chat_id", 0)) == chat]
        start = len(texts())
        deadline = time.monotonic() + self.timeout
        self._retry_post(f"{self.stack.web_url}/telegram/webhook", deadline, json=body,
                         headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET})
        self._wait(texts, start, EXPECT[turn], deadline)

    def zalo_turn(self, conv: Conversation, turn: int, text: str) -> None:
        from bot.channels.zalo import signature

        ts = str(int(time.time() * 1000))
        raw = json.dumps({"app_id": ZALO_APP, "event_name": "user_send_text", "timestamp": ts,
                          "sender": {"id": conv.ident}, "recipient": {"id": "oa"},
                          "message": {"msg_id": uuid.uuid4().hex, "text": text}}, ensure_ascii=False).encode()
        headers = {"X-ZEvent-Signature": "mac=" + signature(ZALO_APP, raw, ts, ZALO_OA),
                   "Content-Type": "application/json"}
        texts = lambda: [m["message"]["text"] for m in list(self.stack.zalo.sent)  # noqa: E731
                         if m["recipient"]["user_id"] == conv.ident]
        start = len(texts())
        deadline = time.monotonic() + self.timeout
        self._retry_post(f"{self.stack.web_url}/zalo/webhook", deadline, data=raw, headers=headers)
        self._wait(texts, start, EXPECT[turn], deadline)

    def _inbox(self, conv: Conversation) -> None:
        try:
            resp = requests.get(f"{self.stack.web_url}/api/v1/messages/inbox", params={"sender_id": conv.sender},
                                headers=API_HEADERS, timeout=10)
            if resp.status_code != 200:
                return
            items = resp.json()["messages"]
            seen = self.web_seen_ids.setdefault(conv.sender, set())
            for m in items:
                if m["id"] in seen:
                    continue  # shown already; only the acknowledgement was lost
                seen.add(m["id"])
                self.web_answers.setdefault(conv.sender, []).append(m["text"])
            if items:
                requests.post(f"{self.stack.web_url}/api/v1/messages/inbox/ack", headers=API_HEADERS, timeout=10,
                              json={"sender_id": conv.sender, "ids": [m["id"] for m in items]})
        except requests.RequestException:
            pass

    def web_turn(self, conv: Conversation, turn: int, text: str) -> None:
        message_id = f"t{turn}-{uuid.uuid4().hex[:8]}"
        texts = lambda: self.web_answers.get(conv.sender, [])  # noqa: E731
        start = len(texts())
        deadline = time.monotonic() + self.timeout
        resp = self._retry_post(f"{self.stack.web_url}/api/v1/messages", deadline, headers=API_HEADERS,
                                json={"sender_id": conv.sender, "text": text, "message_id": message_id})
        body = resp.json()
        for reply in body.get("replies", []):
            if reply.get("text"):
                self.web_answers.setdefault(conv.sender, []).append(reply["text"])
        self._wait(texts, start, EXPECT[turn], deadline, poll=lambda: (self._inbox(conv), time.sleep(0.5)))

    def run(self, conv: Conversation) -> None:
        do = {"telegram": self.telegram_turn, "zalo": self.zalo_turn, "web": self.web_turn}[conv.channel]
        try:
            for turn, text in enumerate(turns(conv.alley)):
                do(conv, turn, text)
                conv.answered[turn] = True
        except Exception as exc:  # counted as lost; the figures say which turn
            conv.error = f"{conv.sender} turn {sum(conv.answered) + 1}: {exc.__class__.__name__}: {exc}"

    def delivered(self, conv: Conversation) -> list[str]:
        if conv.channel == "telegram":
            return [m.get("text", "") for m in self.stack.telegram.sent if int(m.get("chat_id", 0)) == int(conv.ident)]
        if conv.channel == "zalo":
            return [m["message"]["text"] for m in self.stack.zalo.sent if m["recipient"]["user_id"] == conv.ident]
        self._inbox(conv)
        return list(self.web_answers.get(conv.sender, []))


# ---- the run --------------------------------------------------------------------------------

def _inject(stack: Stack, plan: list[str], rng: random.Random, done: Counter[str], stop: threading.Event,
            gap: tuple[float, float]) -> None:
    for kind in plan:
        if stop.wait(rng.uniform(*gap)):
            return
        stack.fault(kind, rng.uniform(0.2, 2.0))
        done[kind] += 1


def _tickets(db_url: str) -> dict[str, list[tuple[str, int]]]:
    import psycopg

    with psycopg.connect(db_url) as conn:
        rows = conn.execute("SELECT c.sender_id, t.code, t.report_count FROM tickets t "
                            "JOIN contacts c ON c.id = t.contact_id").fetchall()
    out: dict[str, list[tuple[str, int]]] = {}
    for sender, code, reports in rows:
        out.setdefault(sender, []).append((code, int(reports or 1)))
    return out


def _dump(db_url: str, senders: list[str], path: Path) -> None:
    """The queue and outbox rows of the failed conversations, for the post-mortem."""
    import psycopg

    with psycopg.connect(db_url) as conn, path.open("w") as out:
        for sender in senders:
            out.write(f"== {sender}\n")
            for row in conn.execute("SELECT id, update_id, status, attempts, next_attempt_at, lease_until, "
                                    "last_error, left(payload->>'text', 40) FROM inbound_updates "
                                    "WHERE sender_id = %s ORDER BY id", (sender,)):
                out.write(f"  in  {row}\n")
            for row in conn.execute("SELECT id, status, attempts, next_attempt_at, last_error, left(text, 40) "
                                    "FROM outbox WHERE recipient = %s ORDER BY id", (sender,)):
                out.write(f"  out {row}\n")


def run(config: Config) -> Figures:
    rng = random.Random(config.seed)
    workdir = config.workdir or Path(tempfile.mkdtemp(prefix="faults-"))
    workdir.mkdir(parents=True, exist_ok=True)
    stack = Stack(workdir, config.redis)
    kinds = [k for k in FAULT_KINDS if k != "redis" or stack.redis is not None]
    plan = kinds * config.per_kind
    rng.shuffle(plan)
    convs = [Conversation(i, CHANNELS[i % len(CHANNELS)], alley=101 + i) for i in range(config.conversations)]
    for conv in convs:
        conv.ident = str(700000 + conv.index) if conv.channel == "telegram" else f"f{config.seed}c{conv.index}"
    gap = (1.0, 4.0)
    # Spread the conversations over the time the faults take (Rasa needs ~15–20 s to come back).
    window = len(plan) * sum(gap) / 2 + plan.count("rasa") * 20 + plan.count("actions") * 5
    pace = max(0.05, window / max(config.conversations, 1))
    figures = Figures(conversations=len(convs))
    started = time.monotonic()
    stack.start()
    try:
        clients = Clients(stack, config.turn_timeout)
        injected: Counter[str] = Counter()
        stop = threading.Event()
        injector = threading.Thread(target=_inject, args=(stack, plan, rng, injected, stop, gap), daemon=True)
        injector.start()
        with ThreadPoolExecutor(max_workers=config.concurrency) as pool:
            futures = []
            for conv in convs:
                futures.append(pool.submit(clients.run, conv))
                time.sleep(pace)
            for f in futures:
                f.result()
        injector.join()  # every planned fault happens, even after the last conversation
        time.sleep(3)    # answers still on their way (outbox, inbox)
        figures.faults = dict(injected)
        figures = _count(figures, convs, clients, _tickets(stack.pg.url))
        if figures.failures:
            _dump(stack.pg.url, [f.split(" ")[0].rstrip(":") for f in figures.failures],
                  workdir / "failed_rows.txt")
    finally:
        stack.stop()
    figures.seconds = time.monotonic() - started
    return figures


def _count(figures: Figures, convs: list[Conversation], clients: Clients,
           tickets: dict[str, list[tuple[str, int]]]) -> Figures:
    for conv in convs:
        texts = clients.delivered(conv)
        answers = [t for t in texts if not is_holding(t)]
        figures.holding_sentences += len(texts) - len(answers)
        figures.gave_up_sentences += sum(t.startswith(GAVE_UP) for t in answers)
        figures.replies_delivered += len(answers)
        repeats = sum(n - 1 for n in Counter(answers).values() if n > 1)
        figures.duplicate_replies += repeats
        mine = tickets.get(conv.sender, [])
        figures.tickets += len(mine)
        figures.duplicate_tickets += max(len(mine) - 1, 0)
        figures.duplicate_reports += sum(r - 1 for _, r in mine)
        if all(conv.answered):
            figures.completed += 1
        else:
            figures.lost_conversations += 1
        if not mine:
            figures.lost_tickets += 1
        if conv.error or repeats or len(mine) != 1:
            figures.failures.append(conv.error or f"{conv.sender}: {len(mine)} tickets, {repeats} repeated replies")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--per-kind", type=int, default=5)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--no-redis", action="store_true")
    args = parser.parse_args()
    figures = run(Config(conversations=args.conversations, per_kind=args.per_kind, seed=args.seed,
                         concurrency=args.concurrency, redis=not args.no_redis))
    print("[faults] " + figures.line(), flush=True)
    for failure in figures.failures[:20]:
        print("[faults]   " + failure, flush=True)
    raise SystemExit(1 if figures.failures else 0)


if __name__ == "__main__":
    main()
