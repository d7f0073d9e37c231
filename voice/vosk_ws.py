"""WebSocket server speaking the vosk-server protocol, over any engine of ``voice.asr``.

Why: the household device and browser clients (and existing vosk-server client samples)
speak this protocol; serving it from our recogniser interface lets them use viet-asr or
Vosk without change. Protocol, as in alphacep/vosk-server ``websocket/asr_server.py``:

- client text ``{"config": {"sample_rate": 16000, "phrase_list": [...], "words": true}}``
  (optional, before audio);
- client binary messages: 16-bit mono PCM;
- server answers every audio message with ``{"partial": "..."}`` or, when the engine
  closed a segment at a pause, ``{"text": "...", "result": [{word,start,end,conf}...]}``;
- client text ``{"eof": 1}``: server sends the final result and closes.

``GET /healthz`` answers ``{"status": "ok", ...}`` over plain HTTP once the engine is loaded
(``GET /health`` answers ``ok``). ``make run`` starts it as the ``asr_ws`` process.
Run: ``python -m voice.vosk_ws`` (``VOSK_WS_HOST``/``VOSK_WS_PORT``, engine by ``ASR_ENGINE``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from concurrent.futures import Executor
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from voice.asr import Recognizer, RecognizerSession, Result, get_recognizer
from voice.config import VoiceSettings

log = logging.getLogger(__name__)

DEFAULT_RATE = 16000
MAX_PHRASES = 500


def _is_eof(message: str | bytes) -> bool:
    text = message.decode("utf-8", "ignore") if isinstance(message, bytes) else message
    if '"eof"' not in text[:32]:
        return False
    try:
        return bool(json.loads(text).get("eof"))
    except (ValueError, AttributeError):
        return False


class _Conversation:
    """State of one WebSocket client."""

    def __init__(self, recognizer: Recognizer) -> None:
        self.recognizer = recognizer
        self.rate = DEFAULT_RATE
        self.phrases: list[str] | None = None
        self.words = True
        self.session: RecognizerSession | None = None
        self.sent_text: list[str] = []
        self.sent_words = 0

    def configure(self, config: dict[str, Any]) -> None:
        if "sample_rate" in config:
            rate = int(float(config["sample_rate"]))
            if not 8000 <= rate <= 48000:
                raise ValueError("sample_rate must be between 8000 and 48000")
            self.rate = rate
        if "phrase_list" in config:
            phrases = [str(p) for p in config["phrase_list"] or []][:MAX_PHRASES]
            self.phrases = phrases or None
        if "words" in config:
            self.words = bool(config["words"])

    def render(self, result: Result) -> dict[str, Any]:
        out = result.to_vosk()
        if not self.words:
            out.pop("result", None)
        return out

    def remainder(self, final: Result) -> Result:
        """The part of the final result not already sent as segments."""
        said = " ".join(self.sent_text)
        text = final.text
        if said and text.startswith(said):
            text = text[len(said) :].strip()
        return Result(text=text, confidence=final.confidence, words=final.words[self.sent_words :],
                      engine=final.engine, phrase=final.phrase)  # fmt: skip


class VoskWsServer:
    """The server; ``recognizer`` defaults to ``get_recognizer()`` (ASR_ENGINE)."""

    def __init__(
        self,
        recognizer: Recognizer | None = None,
        host: str | None = None,
        port: int | None = None,
        executor: Executor | None = None,
    ) -> None:
        settings = VoiceSettings.from_env()
        self.recognizer = recognizer
        self.host = host if host is not None else settings.vosk_ws_host
        self.port = port if port is not None else settings.vosk_ws_port
        self.executor = executor
        self.active = 0
        self._server: Server | None = None

    async def start(self) -> int:
        """Load the engine (if needed), listen, and return the bound port."""
        loop = asyncio.get_running_loop()
        if self.recognizer is None:
            self.recognizer = await loop.run_in_executor(self.executor, get_recognizer)
        self._server = await serve(
            self._handle,
            self.host,
            self.port,
            process_request=self._health,
            max_size=1 << 20,
        )
        self.port = int(next(iter(self._server.sockets)).getsockname()[1])
        log.info(
            "vosk-ws listening on %s:%d (%s)",
            self.host,
            self.port,
            self.recognizer.name,
        )
        return self.port

    async def stop(self) -> None:
        """Close the listener and all connections."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _health(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.path == "/health":  # plain "ok", as before
            return connection.respond(HTTPStatus.OK, "ok\n")
        if request.path == "/healthz":  # the house convention: JSON, waited for by scripts/wait_ready.py
            body = {"status": "ok", "service": "asr_ws", "engine": self.recognizer.name if self.recognizer else None,
                    "active": self.active}  # fmt: skip
            response = connection.respond(HTTPStatus.OK, json.dumps(body) + "\n")
            del response.headers["Content-Type"]
            response.headers["Content-Type"] = "application/json"
            return response
        return None

    async def _run(self, func: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, func, *args)

    async def _handle(self, ws: ServerConnection) -> None:
        assert self.recognizer is not None
        conv = _Conversation(self.recognizer)
        self.active += 1
        try:
            async for message in ws:
                if _is_eof(message):
                    await self._send_final(ws, conv)
                    break
                if isinstance(message, str):
                    await self._on_text(ws, conv, message)
                    continue
                if conv.session is None:
                    conv.session = await self._run(self.recognizer.stream, conv.rate, conv.phrases)
                partial = await self._run(conv.session.accept, message)
                if partial is not None and partial.segment is not None:
                    conv.sent_text.append(partial.segment.text)
                    conv.sent_words += len(partial.segment.words)
                    await ws.send(json.dumps(conv.render(partial.segment), ensure_ascii=False))
                else:
                    text = partial.text if partial is not None else ""
                    await ws.send(json.dumps({"partial": text}, ensure_ascii=False))
        except ConnectionClosed:
            pass
        finally:
            self.active -= 1
            if conv.session is not None:
                conv.session.close()

    async def _on_text(self, ws: ServerConnection, conv: _Conversation, message: str) -> None:
        try:
            data = json.loads(message)
            if "config" in data:
                if conv.session is not None:
                    raise ValueError("config must come before audio")
                conv.configure(dict(data["config"]))
        except (ValueError, TypeError, KeyError) as exc:
            await ws.send(json.dumps({"error": str(exc)}))

    async def _send_final(self, ws: ServerConnection, conv: _Conversation) -> None:
        if conv.session is None:
            final = Result(text="")
        else:
            final = conv.remainder(await self._run(conv.session.final))
        payload = conv.render(final)
        if conv.words:
            payload.setdefault("result", [])
        await ws.send(json.dumps(payload, ensure_ascii=False))


def main() -> None:  # pragma: no cover - manual tool
    """Serve until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    async def run() -> None:
        server = VoskWsServer()
        await server.start()
        await asyncio.Future()

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


if __name__ == "__main__":  # pragma: no cover
    main()
