"""vosk-server WebSocket protocol round trips with the ``websockets`` client."""

from __future__ import annotations

import asyncio
import json
import urllib.request

from websockets.asyncio.client import connect

from voice.vosk_ws import VoskWsServer
from voice.wav import read_wav

CHUNK_SECONDS = 0.25


async def _session(port: int, pcm: bytes, rate: int, config: dict | None = None) -> list[dict]:
    replies: list[dict] = []
    async with connect(f"ws://127.0.0.1:{port}") as ws:
        if config is not None:
            await ws.send(json.dumps({"config": config}))
        step = int(rate * CHUNK_SECONDS) * 2
        for pos in range(0, len(pcm), step):
            await ws.send(pcm[pos : pos + step])
            replies.append(json.loads(await ws.recv()))
        await ws.send('{"eof" : 1}')  # exactly what vosk-server clients send
        replies.append(json.loads(await ws.recv()))
    return replies


def _serve(recognizer, coro_factory):
    async def go():
        server = VoskWsServer(recognizer, host="127.0.0.1", port=0)
        port = await server.start()
        try:
            return await coro_factory(port)
        finally:
            await server.stop()

    return asyncio.run(asyncio.wait_for(go(), 60))


def test_round_trip_with_viet_asr(vietasr_recognizer, speech):
    pcm, rate = read_wav(speech("news_02"))
    replies = _serve(vietasr_recognizer,
                     lambda port: _session(port, pcm, rate, {"sample_rate": rate}))  # fmt: skip
    *per_chunk, final = replies
    assert len(per_chunk) == -(-len(pcm) // (int(rate * CHUNK_SECONDS) * 2))
    assert all("partial" in r or "text" in r for r in per_chunk)
    assert any(r.get("partial") for r in per_chunk)
    assert "việt nam" in final["text"]
    assert final["result"] == []  # viet-asr gives no word timings


def test_round_trip_with_vosk_words_and_phrase_list(vosk_recognizer, speech):
    pcm, rate = read_wav(speech("call_8k_01"))
    phrases = ["네", "아니요", "하나", "둘"]

    async def both(port: int):
        free = await _session(port, pcm, rate, {"sample_rate": 8000, "words": True})
        menu = await _session(port, pcm, rate, {"sample_rate": 8000, "phrase_list": phrases,
                                                 "words": 0})  # fmt: skip
        return free, menu

    free, menu = _serve(vosk_recognizer, both)
    text = " ".join(r["text"] for r in free if "text" in r)
    words = [w for r in free if "result" in r for w in r["result"]]
    assert text and words
    assert " ".join(w["word"] for w in words) == text
    assert {"word", "start", "end", "conf"} <= set(words[0])
    menu_text = " ".join(r["text"] for r in menu if "text" in r).split()
    assert menu_text and set(menu_text) <= set(phrases)
    assert all("result" not in r for r in menu)  # words disabled


def test_bad_config_and_health(vietasr_recognizer):
    async def go(port: int):
        async with connect(f"ws://127.0.0.1:{port}") as ws:
            await ws.send(json.dumps({"config": {"sample_rate": 1234}}))
            error = json.loads(await ws.recv())
            await ws.send('{"eof" : 1}')
            empty = json.loads(await ws.recv())
        body = await asyncio.to_thread(
            lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5).read()
        )
        healthz = await asyncio.to_thread(
            lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
        )
        return error, empty, body, healthz.headers["Content-Type"], json.loads(healthz.read())

    error, empty, body, content_type, healthz = _serve(vietasr_recognizer, go)
    assert "sample_rate" in error["error"]
    assert empty["text"] == ""
    assert body == b"ok\n"
    assert content_type == "application/json"
    assert healthz == {"status": "ok", "service": "asr_ws", "engine": vietasr_recognizer.name, "active": 0}


def test_the_procfile_process_is_what_make_run_waits_for(tmp_path, monkeypatch, vietasr_recognizer):
    """`asr_ws` in the Procfile starts, and scripts/wait_ready.py finds it healthy."""
    import shlex

    from scripts import procs, wait_ready

    line = next(x for x in (procs.ROOT / "Procfile").read_text().splitlines() if x.startswith("asr_ws:"))
    cmd = shlex.split(line.split(":", 1)[1])
    cmd[0] = str(procs.ROOT / cmd[0])
    port = procs.free_port()
    monkeypatch.setenv("VOSK_WS_PORT", str(port))
    url = wait_ready.endpoints()["asr_ws"]
    assert url == f"http://127.0.0.1:{port}/healthz"
    env = procs.base_env(VOSK_WS_PORT=str(port), ASR_ENGINE="viet-asr")
    with procs.running(cmd, env, url, tmp_path / "asr_ws.log", timeout=60):
        assert wait_ready.wait_healthy({"asr_ws": url}, timeout=10) == []

        async def go() -> list[dict]:
            return await _session(port, bytes(16000), 16000)

        replies = asyncio.run(asyncio.wait_for(go(), 30))
        assert replies[-1]["text"] == ""
