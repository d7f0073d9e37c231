"""A client that behaves like Asterisk's ``AudioSocket()`` application.

Why it lives in the package: tests, the benchmark and manual smoke tests all need a real
TCP peer that streams like a PBX -- UUID first, then an unbroken 20 ms audio stream
(silence when nobody speaks, exactly as Asterisk does), DTMF and hang-up messages -- and
records what the server sends back with arrival times.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any

from voice.audiosocket import (
    FRAME_BYTES,
    KIND_AUDIO,
    KIND_DTMF,
    KIND_HANGUP,
    encode,
    encode_uuid,
    read_message,
)

SILENCE = bytes(FRAME_BYTES)


@dataclass
class Received:
    """Messages from the server, with loop times of arrival."""

    audio: list[tuple[float, bytes]] = field(default_factory=list)
    hangup_at: float | None = None


class FakeAsterisk:
    """One simulated call. ``speed`` > 1 streams faster than real time (tests)."""

    def __init__(self, host: str, port: int, call_uuid: str | None = None, speed: float = 1.0):
        self.host, self.port, self.speed = host, port, speed
        self.uuid = call_uuid or str(uuidlib.uuid4())
        self.received = Received()
        self.closed = asyncio.Event()
        self.last_speech_sent_at: float | None = None
        self._outgoing: asyncio.Queue[tuple[bytes, asyncio.Future[None] | None]] = asyncio.Queue()
        self._writer: asyncio.StreamWriter | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._audio_event = asyncio.Event()

    async def connect(self) -> FakeAsterisk:
        """Open the TCP connection, send the UUID and start the media clock."""
        reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self._writer.write(encode_uuid(self.uuid))
        await self._writer.drain()
        self._tasks = [
            asyncio.ensure_future(self._receive(reader)),
            asyncio.ensure_future(self._stream()),
        ]
        return self

    async def _receive(self, reader: asyncio.StreamReader) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                message = await read_message(reader)
                if message is None:
                    break
                if message.kind == KIND_AUDIO:
                    self.received.audio.append((loop.time(), message.payload))
                    self._audio_event.set()
                elif message.kind == KIND_HANGUP:
                    self.received.hangup_at = loop.time()
                    break
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            self.closed.set()

    async def _stream(self) -> None:
        """Send one frame per tick: queued speech, else silence (like a live line)."""
        loop = asyncio.get_running_loop()
        interval = 0.02 / self.speed
        deadline = loop.time()
        try:
            while not self.closed.is_set():
                done: asyncio.Future[None] | None = None
                if self._outgoing.empty():
                    frame = SILENCE
                else:
                    frame, done = self._outgoing.get_nowait()
                assert self._writer is not None
                self._writer.write(encode(KIND_AUDIO, frame))
                await self._writer.drain()
                if done is not None:
                    self.last_speech_sent_at = loop.time()
                    if not done.done():
                        done.set_result(None)
                deadline += interval
                await asyncio.sleep(max(0.0, deadline - loop.time()))
        except (ConnectionError, OSError):
            self.closed.set()

    async def say(self, pcm: bytes) -> None:
        """Queue 8 kHz 16-bit mono speech; returns when its last frame was sent."""
        loop = asyncio.get_running_loop()
        last: asyncio.Future[None] | None = None
        for pos in range(0, len(pcm), FRAME_BYTES):
            frame = pcm[pos : pos + FRAME_BYTES].ljust(FRAME_BYTES, b"\0")
            last = loop.create_future()
            self._outgoing.put_nowait((frame, last))
        if last is None:
            return
        closed: asyncio.Future[Any] = asyncio.ensure_future(self.closed.wait())
        try:
            await asyncio.wait({last, closed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closed.cancel()

    async def dtmf(self, digit: str) -> None:
        """Send a DTMF digit message."""
        assert self._writer is not None
        self._writer.write(encode(KIND_DTMF, digit.encode("ascii")))
        await self._writer.drain()

    async def hangup(self) -> None:
        """Send the hang-up message and close, as Asterisk does when the caller hangs up."""
        if self._writer is None:
            return
        with contextlib.suppress(ConnectionError, OSError):
            self._writer.write(encode(KIND_HANGUP))
            await self._writer.drain()
        await self.close()

    async def close(self) -> None:
        """Stop streaming and close the socket."""
        self.closed.set()
        for task in self._tasks:
            task.cancel()
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self._writer.wait_closed()

    def audio_after(self, t: float) -> list[tuple[float, bytes]]:
        """Audio frames received after loop time ``t``."""
        return [(at, frame) for at, frame in self.received.audio if at > t]

    async def wait_audio_after(self, t: float, timeout: float) -> float:
        """Loop time of the first audio frame received after ``t`` (TimeoutError if none)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            frames = self.audio_after(t)
            if frames:
                return frames[0][0]
            remaining = end - loop.time()
            if remaining <= 0 or self.closed.is_set():
                raise TimeoutError("no audio from the server")
            self._audio_event.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._audio_event.wait(), remaining)

    async def wait_quiet(self, quiet: float, timeout: float) -> None:
        """Wait until the server has sent no audio for ``quiet`` seconds (prompt finished)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while loop.time() < end and not self.closed.is_set():
            last = self.received.audio[-1][0] if self.received.audio else 0.0
            if self.received.audio and loop.time() - last >= quiet:
                return
            await asyncio.sleep(0.02)
        if not self.closed.is_set():
            raise TimeoutError("server kept talking")
