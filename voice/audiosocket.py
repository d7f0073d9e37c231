"""Asterisk AudioSocket server: one TCP connection per call, many calls at once.

Protocol (docs.asterisk.org, Channel-Drivers/AudioSocket): every message is a 3-byte
header -- kind (1 byte) and payload length (2 bytes, big-endian) -- then the payload.
Kinds: 0x00 hang-up (no payload), 0x01 call UUID (16 bytes, sent first by Asterisk),
0x03 DTMF digit (1 ASCII byte), 0x10 audio (signed linear 16-bit little-endian, 8 kHz,
mono; Asterisk sends 20 ms = 320-byte frames), 0xff error (optional 1-byte code). We send
audio (0x10) back and 0x00 when we end the call. Newer Asterisk versions also define
0x11.. for higher sample rates; those are refused (we run the call at 8 kHz).

Run: ``python -m voice.audiosocket`` starts the server with a demo echo responder; the
real deployment builds ``AudioSocketServer(CallDeps(responder=...))`` (see README).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
import threading
import time
import uuid as uuidlib
from dataclasses import dataclass
from typing import Any

from voice.asr import get_recognizer
from voice.call_flow import CallDeps, CallFlowConfig, CallSession
from voice.call_record import CallRecord
from voice.config import VoiceSettings

log = logging.getLogger(__name__)

KIND_HANGUP = 0x00
KIND_UUID = 0x01
KIND_DTMF = 0x03
KIND_AUDIO = 0x10
KIND_ERROR = 0xFF
HEADER = struct.Struct(">BH")
FRAME_BYTES = 320  # 20 ms at 8 kHz, 16-bit mono
FIRST_MESSAGE_TIMEOUT = 5.0

ASTERISK_ERRORS = {0x01: "hangup of calling party", 0x02: "frame forwarding error",
                   0x04: "memory (allocation) error"}  # fmt: skip


@dataclass(frozen=True)
class Message:
    """One AudioSocket message."""

    kind: int
    payload: bytes


def encode(kind: int, payload: bytes = b"") -> bytes:
    """Frame a message; payloads are limited to 65535 bytes by the 16-bit length."""
    if len(payload) > 0xFFFF:
        raise ValueError("AudioSocket payload larger than 65535 bytes")
    return HEADER.pack(kind, len(payload)) + payload


def encode_uuid(value: str) -> bytes:
    """The UUID message Asterisk sends first (16 raw bytes)."""
    return encode(KIND_UUID, uuidlib.UUID(value).bytes)


async def read_message(reader: asyncio.StreamReader) -> Message | None:
    """Read one message; ``None`` on a clean end of stream between messages."""
    try:
        header = await reader.readexactly(HEADER.size)
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise ConnectionError("AudioSocket stream ended inside a header") from exc
        return None
    kind, length = HEADER.unpack(header)
    payload = await reader.readexactly(length) if length else b""
    return Message(kind, payload)


class AudioSocketConnection:
    """``CallTransport`` over one AudioSocket TCP connection."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self._closed = False

    async def send_audio(self, frame: bytes) -> None:
        """Send one audio message; raises ``ConnectionError`` once the peer is gone."""
        if self._closed or self._writer.is_closing():
            raise ConnectionError("AudioSocket connection closed")
        self._writer.write(encode(KIND_AUDIO, frame))
        await self._writer.drain()

    async def close(self) -> None:
        """Send hang-up (Asterisk >= 20 then continues the dialplan) and close."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(ConnectionError, OSError):
            if not self._writer.is_closing():
                self._writer.write(encode(KIND_HANGUP))
                await self._writer.drain()
        self._writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self._writer.wait_closed()


class CallerRegistry:
    """uuid -> caller number, filled by the dialplan before ``AudioSocket()`` (e.g. an HTTP
    call from ``CURL()``); usable directly as ``CallDeps.caller_lookup``.

    Thread-safe (the HTTP endpoint runs in its own thread) and bounded: a number whose call
    never connected is forgotten after ``ttl`` seconds, so a misbehaving dialplan cannot
    grow it without end.
    """

    def __init__(self, ttl: float = 300.0, max_entries: int = 10_000) -> None:
        self._numbers: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._ttl = ttl
        self._max = max_entries

    def register(self, call_uuid: str, number: str) -> None:
        """Remember the caller number of a call about to connect (ValueError if the uuid is bad)."""
        key = str(uuidlib.UUID(call_uuid))
        now = time.monotonic()
        with self._lock:
            for old, (_, at) in list(self._numbers.items()):
                if now - at > self._ttl:
                    del self._numbers[old]
            while len(self._numbers) >= self._max:
                del self._numbers[next(iter(self._numbers))]
            self._numbers[key] = (number, now)

    def __len__(self) -> int:
        with self._lock:
            return len(self._numbers)

    def __call__(self, call_uuid: str) -> str | None:
        """Look up (and forget) the number: it is only needed once per call."""
        with self._lock:
            entry = self._numbers.pop(call_uuid, None)
        if entry is None or time.monotonic() - entry[1] > self._ttl:
            return None
        return entry[0]


class AudioSocketServer:
    """asyncio TCP server; each connection becomes a ``CallSession``."""

    def __init__(
        self,
        deps: CallDeps,
        config: CallFlowConfig | None = None,
        host: str | None = None,
        port: int | None = None,
    ) -> None:
        settings = VoiceSettings.from_env()
        self.deps = deps
        self.config = config or CallFlowConfig(recordings_dir=settings.recordings_dir)
        self.host = host if host is not None else settings.audiosocket_host
        self.port = port if port is not None else settings.audiosocket_port
        self.sessions: dict[str, CallSession] = {}
        self.records: list[CallRecord] = []  # last calls, for health/debug (bounded)
        self.total_calls = 0
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[Any]] = set()

    async def start(self) -> int:
        """Load the recogniser, listen; returns the bound port (port 0 picks a free one).

        The engine is loaded before accepting calls so the first caller is not greeted by
        a deaf assistant while a model loads.
        """
        if self.deps.recognizer is None:
            loop = asyncio.get_running_loop()
            self.deps.recognizer = await loop.run_in_executor(self.deps.executor, get_recognizer)
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        sock = self._server.sockets[0]
        self.port = int(sock.getsockname()[1])
        log.info("AudioSocket listening on %s:%d", self.host, self.port)
        return self.port

    async def stop(self, grace: float = 5.0) -> None:
        """Stop accepting calls, hang up the active ones and wait for their records."""
        if self._server is not None:
            self._server.close()
        for session in list(self.sessions.values()):
            session.on_hangup("server shutdown")
        if self._handlers:
            await asyncio.wait(set(self._handlers), timeout=grace)
        if self._server is not None:
            await self._server.wait_closed()

    async def serve_forever(self) -> None:
        """Start (if needed) and serve until cancelled."""
        if self._server is None:
            await self.start()
        assert self._server is not None
        await self._server.serve_forever()

    def health(self) -> dict[str, Any]:
        """Numbers for the process health endpoint."""
        return {
            "status": "ok" if self._server is not None and self._server.is_serving() else "down",
            "active_calls": len(self.sessions),
            "total_calls": self.total_calls,
        }

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        transport = AudioSocketConnection(writer)
        try:
            first = await asyncio.wait_for(read_message(reader), FIRST_MESSAGE_TIMEOUT)
        except (asyncio.TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            first = None
        if first is None or first.kind != KIND_UUID or len(first.payload) != 16:
            log.warning("AudioSocket connection without a UUID first; closing")
            await transport.close()
            return
        call_id = str(uuidlib.UUID(bytes=first.payload))
        session = CallSession(call_id, transport, self.deps, self.config)
        self.sessions[call_id] = session
        self.total_calls += 1
        runner = asyncio.ensure_future(session.run())
        try:
            await self._pump(reader, session, runner)
            record = await runner
            self.records = [*self.records[-99:], record]
        except Exception:
            log.exception("call %s failed", call_id)
        finally:
            self.sessions.pop(call_id, None)
            if not runner.done():
                runner.cancel()
            await transport.close()

    async def _pump(
        self,
        reader: asyncio.StreamReader,
        session: CallSession,
        runner: asyncio.Future[Any],
    ) -> None:
        """Read media until hang-up, error, socket close, or the call flow ended the call."""
        warned: set[int] = set()
        while not runner.done():
            read = asyncio.ensure_future(read_message(reader))
            await asyncio.wait({read, runner}, return_when=asyncio.FIRST_COMPLETED)
            if not read.done():
                read.cancel()
                return
            try:
                message = read.result()
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                session.on_hangup("connection lost")
                return
            if message is None:
                session.on_hangup("socket closed")
                return
            if message.kind == KIND_AUDIO:
                session.on_audio(message.payload)
            elif message.kind == KIND_DTMF and message.payload:
                session.on_dtmf(message.payload[:1].decode("ascii", "replace"))
            elif message.kind == KIND_HANGUP:
                session.on_hangup("caller hangup")
                return
            elif message.kind == KIND_ERROR:
                code = message.payload[0] if message.payload else 0
                session.on_hangup(f"asterisk error: {ASTERISK_ERRORS.get(code, hex(code))}")
                return
            elif message.kind not in warned:
                warned.add(message.kind)
                log.warning("ignoring AudioSocket message kind 0x%02x", message.kind)


async def _demo_responder(sender_id: str, text: str) -> list[str]:
    """Echo responder for manual tests with a real Asterisk (no chat gateway)."""
    return [f"Tôi nghe quý vị nói: {text}"]


def main() -> None:  # pragma: no cover - manual tool
    """Run the server with the echo responder until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    server = AudioSocketServer(CallDeps(responder=_demo_responder))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(server.serve_forever())


if __name__ == "__main__":  # pragma: no cover
    main()
