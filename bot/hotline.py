"""The city hotline: Asterisk AudioSocket calls answered by the same gateway as chat.

voice/ owns audio (ASR, TTS, endpointing, barge-in); this module only connects a call's
recognised sentences to `bot.gateway.Gateway`, so a caller files the same tickets through
the same Rasa dialogue as a chat user, and serves the small HTTP side the dialplan needs:

- ``GET /healthz``: 200 once the AudioSocket listener is up (the ASR engine is loaded
  before it listens), 503 before; with active/total call counts;
- ``POST|GET /caller?uuid=…&number=…``: the dialplan tells us who is calling before
  ``AudioSocket()`` (AudioSocket itself only carries the call UUID);
- ``GET /calls/<uuid>/next``: after ``AudioSocket()`` returns, the dialplan asks what to do
  with the channel: ``operator`` (the caller asked for a person: queue them) or ``hangup``.

The HTTP side listens on loopback by default (``HOTLINE_HEALTH_HOST``): it has no
authentication, like AudioSocket itself, and must stay on the PBX's private network.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import signal
import threading
import time
import uuid as uuidlib
from collections.abc import Awaitable, Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.gateway import Gateway
from bot.message import Message
from voice.audiosocket import CallerRegistry
from voice.call_flow import TransferRequest
from voice.call_record import CallRecord, mask_number

log = logging.getLogger(__name__)

NUMBER_RE = re.compile(r"^\+?\d{3,20}$")
NEXT_STEP_TTL = 600.0  # seconds a transfer decision waits for the dialplan to ask


def make_responder(gateway: Gateway) -> Callable[[str, str], Awaitable[list[str]]]:
    """`responder(sender_id, text)` for voice.call_flow: one chat turn, reply texts only."""

    async def responder(sender_id: str, text: str) -> list[str]:
        message = Message(channel="hotline", sender_id=sender_id, text=text)
        replies = await asyncio.to_thread(gateway.handle, message)
        return [r.text for r in replies if r.text]

    return responder


def on_call_end(record: CallRecord) -> list[str]:
    """Attach the call's transcript and recording to the tickets the caller filed; a call in
    which a denunciation was spoken has its recording and transcript sealed (at_rest)."""
    from feedback_router.civic.at_rest import is_denunciation_call, seal_call_files
    from feedback_router.tickets.service import attach_call_record

    if record.recording_path is not None and is_denunciation_call(record.transcript_text()):
        seal_call_files(record.recording_path)  # the denouncer's voice and words: DENOUNCE_KEY only
    codes = attach_call_record(sender_id=record.sender_id, started_at=record.started_at,
                               transcript=record.transcript_text(),
                               recording_path=str(record.recording_path) if record.recording_path else None)
    if codes:
        log.info("call %s attached to %s", record.uuid, ", ".join(codes))
    return codes


async def on_call_end_async(record: CallRecord) -> list[str]:
    """`on_call_end` off the event loop: a slow database must not stall the other calls' audio."""
    return await asyncio.to_thread(on_call_end, record)


class HotlineState:
    """What the dialplan reads and writes over HTTP, shared with the call flow's hooks."""

    def __init__(self) -> None:
        self.callers = CallerRegistry()
        self._next: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def on_transfer(self, request: TransferRequest) -> None:
        """The caller asked for a person: the dialplan will queue the channel."""
        log.info("transfer requested uuid=%s caller=%s via=%s", request.uuid, mask_number(request.caller),
                 request.via)
        now = time.monotonic()
        with self._lock:
            for key, (_, at) in list(self._next.items()):
                if now - at > NEXT_STEP_TTL:
                    del self._next[key]
            self._next[request.uuid] = ("operator", now)

    def next_step(self, call_uuid: str) -> str:
        """``operator`` or ``hangup`` for a call whose AudioSocket leg ended."""
        with self._lock:
            step = self._next.pop(call_uuid, None)
        return step[0] if step else "hangup"


def make_http(state: HotlineState, health: Callable[[], dict[str, Any]], host: str,
              port: int) -> ThreadingHTTPServer:
    """The hotline's HTTP side (health, caller numbers, next dialplan step) in a daemon thread."""

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: dict[str, Any] | str) -> None:
            data = (body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8" if isinstance(body, str)
                             else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _caller(self, query: dict[str, list[str]]) -> None:
            raw_uuid = (query.get("uuid") or [""])[0].strip()
            number = re.sub(r"[\s.\-()]", "", (query.get("number") or [""])[0])
            try:
                uuidlib.UUID(raw_uuid)
            except ValueError:
                self._send(400, {"error": "uuid must be a UUID"})
                return
            if not NUMBER_RE.match(number):
                self._send(400, {"error": "number must be 3 to 20 digits, optionally with a leading +"})
                return
            state.callers.register(raw_uuid, number)
            self._send(200, {"status": "registered"})

        def _route(self, method: str) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            if method == "POST":
                length = int(self.headers.get("Content-Length") or 0)
                if length > 4096:
                    self._send(413, {"error": "body too large"})
                    return
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                query = {**query, **parse_qs(body)}
            if url.path == "/healthz" and method == "GET":
                info = health()
                self._send(200 if info.get("status") == "ok" else 503, {"service": "hotline", **info})
            elif url.path == "/caller":
                self._caller(query)
            elif (m := re.fullmatch(r"/calls/([0-9a-fA-F-]{32,36})/next", url.path)) and method == "GET":
                try:
                    call_uuid = str(uuidlib.UUID(m.group(1)))
                except ValueError:
                    self._send(400, {"error": "uuid must be a UUID"})
                    return
                self._send(200, state.next_step(call_uuid))
            else:
                self._send(404, {"error": "not found"})

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def log_message(self, *args: object) -> None:  # numbers travel in query strings
            return

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


async def serve() -> None:
    """Run the AudioSocket server and its HTTP side until cancelled."""
    from voice.audiosocket import AudioSocketServer
    from voice.call_flow import CallDeps

    state = HotlineState()
    server = AudioSocketServer(CallDeps(responder=make_responder(Gateway()), on_call_end=on_call_end_async,
                                        on_transfer=state.on_transfer, caller_lookup=state.callers))
    started = False

    def health() -> dict[str, Any]:
        return server.health() if started else {"status": "starting"}

    http = make_http(state, health, os.environ.get("HOTLINE_HEALTH_HOST", "127.0.0.1"),
                     int(os.environ.get("HOTLINE_HEALTH_PORT", "8092")))
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    if task is not None:  # SIGTERM (honcho, systemd): hang up calls and keep their records first
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, task.cancel)
    try:
        await server.start()
        started = True
        await server.serve_forever()
    finally:
        await server.stop()
        http.shutdown()


def main() -> None:
    from feedback_router.core.settings import startup_check

    startup_check("hotline")  # unsafe secrets outside development: no start (issue 14)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format='{"time":"%(asctime)s","level":"%(levelname)s","logger":"%(name)s","msg":"%(message)s"}')
    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        asyncio.run(serve())


if __name__ == "__main__":
    main()
