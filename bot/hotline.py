"""The city hotline: Asterisk AudioSocket calls answered by the same gateway as chat.

voice/ owns audio (ASR, TTS, endpointing, barge-in); this module only connects
a call's recognised sentences to `bot.gateway.Gateway`, so a caller files the
same tickets through the same Rasa dialogue as a chat user.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os

from bot.gateway import Gateway
from bot.health_http import serve_health
from bot.message import Message

log = logging.getLogger(__name__)


def make_responder(gateway: Gateway):  # type: ignore[no-untyped-def]
    """`responder(sender_id, text)` for voice.call_flow: one chat turn, reply texts only."""

    async def responder(sender_id: str, text: str) -> list[str]:
        message = Message(channel="hotline", sender_id=sender_id, text=text)
        replies = await asyncio.to_thread(gateway.handle, message)
        return [r.text for r in replies if r.text]

    return responder


def on_call_end(record) -> list[str]:  # type: ignore[no-untyped-def]
    """Attach the call's transcript and recording to the tickets the caller filed."""
    from feedback_router.service import attach_call_record

    codes = attach_call_record(sender_id=record.sender_id, started_at=record.started_at,
                               transcript=record.transcript_text(),
                               recording_path=str(record.recording_path) if record.recording_path else None)
    if codes:
        log.info("call %s attached to %s", record.uuid, ", ".join(codes))
    return codes


def main() -> None:
    from voice.audiosocket import AudioSocketServer
    from voice.call_flow import CallDeps

    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format='{"time":"%(asctime)s","level":"%(levelname)s","logger":"%(name)s","msg":"%(message)s"}')
    server = AudioSocketServer(CallDeps(responder=make_responder(Gateway()), on_call_end=on_call_end))
    health = serve_health(os.environ.get("HOTLINE_HEALTH_HOST", "127.0.0.1"),
                          int(os.environ.get("HOTLINE_HEALTH_PORT", "8092")), "hotline")
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(server.serve_forever())
    finally:
        health.shutdown()


if __name__ == "__main__":
    main()
