"""The app's connection to Rasa retries what is safe and nothing else (bot.rasa_transport).

A stand-in for the load balancer on 127.0.0.1 answers Rasa's REST webhook: a 503 (no
replica available, nothing processed) and a connection closed without an answer (the replica
died) are retried and the turn answered; a read timeout is
not retried (the turn may still be running: the inbound queue answers it later); a port
where nothing listens fails fast, after the connection retries.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.gateway import Gateway, GatewayError
from bot.message import Message
from scripts.procs import free_port


class StandIn(BaseHTTPRequestHandler):
    plan: list[str] = []  # what to do for each request, in order: "503", "slow", "ok"
    seen: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        step = StandIn.plan.pop(0) if StandIn.plan else "ok"
        StandIn.seen.append(step)
        if step == "drop":  # the replica died mid-turn: the connection closes, no answer
            self.close_connection = True
            return
        if step == "slow":
            time.sleep(1.5)
        status, body = (503, b"no server available") if step == "503" else \
            (200, json.dumps([{"recipient_id": "x", "text": "Xin chào!"}]).encode())
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def balancer() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    StandIn.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def hello() -> Message:
    return Message(channel="web", sender_id="web:transport", text="Xin chào", message_id="m1")


def test_no_replica_available_is_retried(balancer: str) -> None:
    StandIn.plan = ["503", "503", "ok"]
    assert [r.text for r in Gateway(balancer).handle(hello())] == ["Xin chào!"]
    assert StandIn.seen == ["503", "503", "ok"]


def test_a_replica_dying_mid_turn_is_retried(balancer: str) -> None:
    StandIn.plan = ["drop", "ok"]
    assert [r.text for r in Gateway(balancer).handle(hello())] == ["Xin chào!"]
    assert StandIn.seen == ["drop", "ok"]


def test_a_slow_turn_is_not_sent_twice(balancer: str) -> None:
    StandIn.plan = ["slow", "ok"]
    with pytest.raises(GatewayError):
        Gateway(balancer, timeout=0.5).handle(hello())
    time.sleep(1.2)
    assert StandIn.seen == ["slow"]


def test_nobody_listening_fails_fast() -> None:
    started = time.monotonic()
    with pytest.raises(GatewayError):
        Gateway(f"http://127.0.0.1:{free_port()}").handle(hello())
    assert time.monotonic() - started < 5
