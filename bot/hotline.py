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

Both facts (the number, the transfer) are kept in the database (feedback_router.messaging.calls),
not in this process: with several hotline replicas the dialplan's three requests of one call
(``/caller``, the AudioSocket connection, ``/calls/<uuid>/next``) may each reach another one.

The HTTP side listens on loopback by default (``HOTLINE_HEALTH_HOST``): it has no
authentication, like AudioSocket itself, and must stay on the PBX's private network.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import signal
import threading
import uuid as uuidlib
from collections.abc import Awaitable, Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.exc import SQLAlchemyError

from bot.gateway import Gateway
from bot.message import Message
from feedback_router.core.settings import get_settings
from feedback_router.messaging.calls import CallRegistry
from voice.call_flow import TransferRequest
from voice.call_record import CallRecord, mask_number

log = logging.getLogger(__name__)

NUMBER_RE = re.compile(r"^\+?\d{3,20}$")


def make_responder(gateway: Gateway) -> Callable[[str, str], Awaitable[list[str]]]:
    """`responder(sender_id, text)` for voice.call_flow: one chat turn, reply texts only."""

    async def responder(sender_id: str, text: str) -> list[str]:
        # one id per utterance: a turn the balancer replays on another Rasa files its ticket once
        message = Message(channel="hotline", sender_id=sender_id, text=text,
                          message_id=f"hotline:{uuidlib.uuid4().hex}")
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
    """What the dialplan reads and writes over HTTP, shared with the call flow's hooks; held in
    the database, so that every hotline replica sees the same calls."""

    def __init__(self, calls: CallRegistry | None = None) -> None:
        self.callers = calls if calls is not None else CallRegistry()  # (an empty one is falsy: len 0)

    def on_transfer(self, request: TransferRequest) -> None:
        """The caller asked for a person: the dialplan will queue the channel."""
        log.info("transfer requested uuid=%s caller=%s via=%s", request.uuid, mask_number(request.caller),
                 request.via)
        self.callers.transfer(request.uuid)

    def next_step(self, call_uuid: str) -> str:
        """``operator`` or ``hangup`` for a call whose AudioSocket leg ended."""
        return self.callers.next_step(call_uuid)

    # the call flow's hooks run on the event loop: database work goes to a thread
    async def caller_lookup(self, call_uuid: str) -> str | None:
        return await asyncio.to_thread(self.callers, call_uuid)

    async def on_transfer_async(self, request: TransferRequest) -> None:
        await asyncio.to_thread(self.on_transfer, request)


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

        def _next(self, raw: str) -> None:
            try:
                call_uuid = str(uuidlib.UUID(raw))
            except ValueError:
                self._send(400, {"error": "uuid must be a UUID"})
                return
            self._send(200, state.next_step(call_uuid))

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
            try:
                if url.path == "/healthz" and method == "GET":
                    info = health()
                    self._send(200 if info.get("status") == "ok" else 503, {"service": "hotline", **info})
                elif url.path == "/caller":
                    self._caller(query)
                elif (m := re.fullmatch(r"/calls/([0-9a-fA-F-]{32,36})/next", url.path)) and method == "GET":
                    self._next(m.group(1))
                else:
                    self._send(404, {"error": "not found"})
            except SQLAlchemyError as exc:  # the dialplan retries; a dropped connection says nothing
                log.error("hotline state unavailable: %s", exc.__class__.__name__)  # no SQL: it holds numbers
                self._send(503, {"error": "call state unavailable (database)"})

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
                                        on_transfer=state.on_transfer_async, caller_lookup=state.caller_lookup))
    started = False

    def health() -> dict[str, Any]:
        return server.health() if started else {"status": "starting"}

    settings = get_settings()
    http = make_http(state, health, settings.hotline_health_host, settings.hotline_health_port)
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

    settings = startup_check("hotline")  # unsafe secrets outside development: no start (issue 14)
    logging.basicConfig(level=settings.log_level,
                        format='{"time":"%(asctime)s","level":"%(levelname)s","logger":"%(name)s","msg":"%(message)s"}')
    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        asyncio.run(serve())


if __name__ == "__main__":
    main()
