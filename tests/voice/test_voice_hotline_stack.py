"""Phone calls through the real stack: AudioSocket over TCP -> hotline -> gateway -> Rasa ->
action server -> database (SQLite and PostgreSQL), answered by TTS.

Two kinds of test share the (costly) stack in this one module:

- the real ``python -m bot.hotline`` process with the real Vietnamese recogniser
  (viet-asr) hears the real 8 kHz phone recordings from ``../shared/fixtures/speech`` and
  synthesised prompts, gets DTMF, asks for an operator, hangs up mid-sentence, with
  several calls at once;
- calls whose words must be precise (an emergency, a complete report) run the AudioSocket
  server in the test process with a scripted transcript (see ``tests/voice/scripted.py``
  for why) and everything else real; they check the ticket the call leaves behind.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from feedback_router.core.db import make_engine
from feedback_router.core.models import Ticket
from scripts import procs
from tests.conftest import Stack
from tests.components import require_module
from tests.voice.scripted import ScriptedRecognizer
from voice.asr import Result
from voice.audiosocket import AudioSocketServer, CallerRegistry
from voice.audiosocket_client import FakeAsterisk
from voice.call_flow import CallDeps, CallFlowConfig
from voice.call_record import CallRecord
from voice.dsp import as_int16, rms_dbfs
from voice.speech_text import spell_code
from voice.tts import EspeakSynthesizer, speech_sentences, synthesize, synthesize_sentence
from voice.wav import parse_wav, read_wav

HOST = "127.0.0.1"
GREETING = "Xin chào"  # start of utter_greet in domain.yml
BUSY = "hệ thống đang bận"  # CallFlowConfig.busy_message: the gateway failed


def phone_number() -> str:
    """A fresh caller number: Rasa's tracker outlives a test, a reused number would resume."""
    return "09" + "".join(random.choice("0123456789") for _ in range(8))


@dataclass
class Hotline:
    audiosocket_port: int
    http: str
    recordings: Path


@pytest.fixture
def hotline(stack: Stack, tmp_path: Path, speech_dir: Path) -> Iterator[Hotline]:
    """The real hotline process on the stack, with viet-asr (the Vietnamese engine here)."""
    require_module("vietasr")
    port, http_port = procs.free_port(), procs.free_port()
    recordings = tmp_path / "recordings"
    env = procs.base_env(DATABASE_URL=stack.database_url, RASA_URL=stack.rasa_url, ASR_ENGINE="viet-asr",
                         AUDIOSOCKET_PORT=str(port), HOTLINE_HEALTH_PORT=str(http_port),
                         VOICE_RECORDINGS_DIR=str(recordings))
    cmd = [str(procs.ROOT / ".venv/bin/python"), "-m", "bot.hotline"]
    http = f"http://{HOST}:{http_port}"
    with procs.running(cmd, env, f"{http}/healthz", tmp_path / "hotline.log", timeout=120):
        yield Hotline(port, http, recordings)


def pcm8k(path: Path) -> bytes:
    pcm, rate = read_wav(path)
    assert rate == 8000
    return pcm


def transcript_of(recordings: Path, call_uuid: str, timeout: float = 30.0) -> dict:
    """The JSON transcript the hotline writes beside the recording when a call ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = list(recordings.glob(f"*/*-{call_uuid}.json"))
        if found:
            try:
                return json.loads(found[0].read_text(encoding="utf-8"))
            except ValueError:  # being written
                pass
        time.sleep(0.2)
    raise AssertionError(f"no transcript for call {call_uuid} in {recordings}")


def stereo_levels(path: Path) -> tuple[float, float]:
    parsed = parse_wav(path.read_bytes())
    assert parsed is not None and parsed.channels == 2 and parsed.rate == 8000
    samples = as_int16(parsed.pcm).reshape(-1, 2)
    return rms_dbfs(samples[:, 0].tobytes()), rms_dbfs(samples[:, 1].tobytes())


def tickets(db_url: str) -> list[Ticket]:
    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            return list(s.scalars(select(Ticket).options(selectinload(Ticket.events), selectinload(Ticket.contact))))
    finally:
        engine.dispose()


def bot_turns_after(turns: list[dict], role: str, index: int = 0) -> list[dict]:
    """Bot turns that follow the ``index``-th turn of ``role``."""
    positions = [i for i, t in enumerate(turns) if t["role"] == role]
    start = positions[index]
    return [t for t in turns[start + 1 :] if t["role"] == "bot"]


# ---- the real hotline process, real speech, real ASR ----------------------------------


async def _greeted(client: FakeAsterisk) -> None:
    await client.wait_audio_after(0, 20)
    await asyncio.sleep(0.6)  # the greeting is playing: the caller talks over it (barge-in)


async def caller_speaks_presses_and_hangs_up_mid_sentence(h: Hotline, speech: Callable[[str], Path],
                                                          number: str) -> tuple[str, float]:
    requests.post(f"{h.http}/caller", data={"uuid": "", "number": number}, timeout=5)  # ignored: bad uuid
    client = FakeAsterisk(HOST, h.audiosocket_port)
    resp = requests.post(f"{h.http}/caller", data={"uuid": client.uuid, "number": number}, timeout=5)
    assert resp.status_code == 200, resp.text
    await client.connect()
    try:
        await _greeted(client)
        await client.say(pcm8k(speech("call_8k_03")))  # "alo ạ, dạ em chào chị ạ"
        sent = client.last_speech_sent_at or 0.0
        answered = await client.wait_audio_after(sent, 20)
        await asyncio.sleep(1.0)
        pressed = asyncio.get_running_loop().time()
        await client.dtmf("2")  # stops the answer, asks about procedures
        await client.wait_audio_after(pressed + 0.3, 20)
        await asyncio.sleep(1.0)
        words = pcm8k(speech("call_8k_02"))
        await client.say(words[: len(words) * 2 // 3])  # ... and hangs up in the middle of a sentence
    finally:
        await client.hangup()
    return client.uuid, answered - sent


async def caller_asks_for_an_operator(h: Hotline) -> tuple[str, float | None]:
    client = await FakeAsterisk(HOST, h.audiosocket_port).connect()
    try:
        await _greeted(client)
        await client.say(synthesize("Cho tôi gặp tổng đài viên.", 8000, EspeakSynthesizer()) + bytes(8000))
        await client.wait_audio_after(client.last_speech_sent_at or 0, 20)  # some answer
        await asyncio.sleep(0.5)
        await client.dtmf("0")
        await asyncio.wait_for(client.closed.wait(), 20)  # the hotline ends the AudioSocket leg
        return client.uuid, client.received.hangup_at
    finally:
        await client.close()


async def caller_speaks_once(h: Hotline, pcm: bytes) -> str:
    client = await FakeAsterisk(HOST, h.audiosocket_port).connect()
    try:
        await _greeted(client)
        await client.say(pcm)
        await client.wait_audio_after(client.last_speech_sent_at or 0, 20)
        await asyncio.sleep(0.5)
    finally:
        await client.hangup()
    return client.uuid


def noise(seconds: float, seed: int) -> bytes:
    """Line noise loud enough for the VAD to take it for speech; viet-asr hears nothing in it."""
    rng = np.random.default_rng(seed)
    return rng.normal(0, 3000, int(8000 * seconds)).clip(-32768, 32767).astype(np.int16).tobytes()


async def caller_is_not_understood_twice_then_uses_the_menu(h: Hotline) -> str:
    client = await FakeAsterisk(HOST, h.audiosocket_port).connect()
    try:
        await _greeted(client)
        for seed in (1, 2):  # two turns the recogniser cannot make words of
            await client.say(noise(1.2, seed))
            await client.wait_audio_after(client.last_speech_sent_at or 0, 20)
            await asyncio.sleep(1.0)
        pressed = asyncio.get_running_loop().time()
        await client.dtmf("3")  # tourism, from the menu just offered
        await client.wait_audio_after(pressed + 0.3, 20)
        await asyncio.sleep(0.5)
    finally:
        await client.hangup()
    return client.uuid


def test_real_speech_calls_through_the_hotline_process(hotline: Hotline, speech: Callable[[str], Path]) -> None:
    number = phone_number()

    async def go() -> tuple[tuple[str, float], tuple[str, float | None], str, str, int]:
        calls = [
            asyncio.ensure_future(caller_speaks_presses_and_hangs_up_mid_sentence(hotline, speech, number)),
            asyncio.ensure_future(caller_asks_for_an_operator(hotline)),
            asyncio.ensure_future(caller_speaks_once(hotline, pcm8k(speech("call_8k_01")))),
            asyncio.ensure_future(caller_is_not_understood_twice_then_uses_the_menu(hotline)),
        ]
        await asyncio.sleep(1.5)
        health = await asyncio.to_thread(lambda: requests.get(f"{hotline.http}/healthz", timeout=5).json())
        a, b, c, d = await asyncio.wait_for(asyncio.gather(*calls), 150)
        return a, b, c, d, health["active_calls"]

    (a_uuid, a_answer), (b_uuid, b_hangup), c_uuid, d_uuid, active = asyncio.run(go())
    for call in (a_uuid, b_uuid, c_uuid, d_uuid):  # shown when a test fails
        print(json.dumps(transcript_of(hotline.recordings, call)["turns"], ensure_ascii=False))
    assert active == 4

    # call A: real speech understood by Rasa, answered aloud; DTMF; the cut sentence is kept
    a = transcript_of(hotline.recordings, a_uuid)
    assert a["sender_id"] == f"hotline:{number}" and number not in a["caller_masked"]
    turns = a["turns"]
    caller = [t for t in turns if t["role"] == "caller"]
    assert "chào" in caller[0]["text"], caller
    greet = bot_turns_after(turns, "caller")[0]
    assert greet["text"].startswith(GREETING), greet  # Rasa's greeting, through the gateway
    assert greet["latency"] is not None and a_answer > 0  # speed itself: make bench (bench/voice_bench.py)
    assert any(t["role"] == "dtmf" and t["text"] == "2" for t in turns)
    procedure = bot_turns_after(turns, "dtmf")[0]
    assert procedure["text"] and BUSY not in procedure["text"]
    cut = caller[-1]
    assert cut["interrupted"] and cut["text"], caller  # hung up mid-sentence: words still recorded
    assert len(caller) == 2 and a["end_reason"] == "caller hangup"
    recording = next(hotline.recordings.glob(f"*/*-{a_uuid}.wav"))
    caller_db, bot_db = stereo_levels(recording)
    assert caller_db > -40 and bot_db > -40

    # call B: the synthesised prompt was heard (some turn), then 0 -> operator
    b = transcript_of(hotline.recordings, b_uuid)
    assert b["transferred"] and b["end_reason"] == "transfer" and b_hangup is not None
    assert [t["role"] for t in b["turns"]].count("caller") >= 1
    assert requests.get(f"{hotline.http}/calls/{b_uuid}/next", timeout=5).text == "operator"
    assert requests.get(f"{hotline.http}/calls/{b_uuid}/next", timeout=5).text == "hangup"  # asked once
    assert requests.get(f"{hotline.http}/calls/{a_uuid}/next", timeout=5).text == "hangup"

    # call C: a second real recording, answered by the dialogue, not by the busy message
    c = transcript_of(hotline.recordings, c_uuid)
    c_answer = bot_turns_after(c["turns"], "caller")
    assert c_answer and BUSY not in c_answer[0]["text"]

    # call D: two turns not understood -> the DTMF menu is offered -> 3 asks the tourism dialogue
    d = transcript_of(hotline.recordings, d_uuid)
    config = CallFlowConfig()
    bot = [t["text"] for t in d["turns"] if t["role"] == "bot"]
    assert bot[1] == config.not_understood, bot
    assert bot[2] == f"{config.menu_after_failures} {config.menu_prompt}", bot
    assert [t["text"] for t in d["turns"] if t["role"] == "caller"] == ["", ""]
    after_menu = bot_turns_after(d["turns"], "dtmf")
    assert after_menu and after_menu[0]["text"] and BUSY not in after_menu[0]["text"]

    health = requests.get(f"{hotline.http}/healthz", timeout=5).json()
    assert health["total_calls"] == 4 and health["active_calls"] == 0


# ---- precise words (scripted transcript), everything else real --------------------------


async def scripted_call(stack: Stack, tmp_path: Path, number: str, said: list[str],
                        wait_for_reply: float = 20.0) -> tuple[CallRecord, list[bytes], list[float]]:
    """One call: each utterance is real synthesised audio through TCP and VAD; the
    recogniser returns ``said``; the answers come from the real dialogue."""
    from bot.gateway import Gateway
    from bot.hotline import make_responder, on_call_end_async

    records: list[CallRecord] = []
    registry = CallerRegistry()

    async def end(record: CallRecord) -> None:
        await on_call_end_async(record)
        records.append(record)

    server = AudioSocketServer(
        CallDeps(responder=make_responder(Gateway(stack.rasa_url)), on_call_end=end, caller_lookup=registry,
                 recognizer=ScriptedRecognizer([Result(t) for t in said], grammar=False),
                 synthesizer=EspeakSynthesizer()),
        CallFlowConfig(greeting="Xin chào.", menu_prompt="Mời quý vị nói.", recordings_dir=tmp_path / number,
                       playback_speed=4.0),
        host=HOST, port=0,
    )  # fmt: skip
    await server.start()
    client = FakeAsterisk(HOST, server.port, speed=4.0)
    registry.register(client.uuid, number)
    await client.connect()
    replies: list[bytes] = []
    waits: list[float] = []
    try:
        await client.wait_quiet(0.3, 10)
        voice = synthesize("Alô, tôi muốn báo một việc.", 8000, EspeakSynthesizer()) + bytes(8000)
        for _ in said:
            await client.say(voice)
            sent = client.last_speech_sent_at or 0.0
            first = await client.wait_audio_after(sent, wait_for_reply)
            waits.append(first - sent)
            await client.wait_quiet(0.4, 60)
            replies.append(b"".join(frame for at, frame in client.audio_after(sent)))
    finally:
        await client.hangup()
    for _ in range(500):
        if records:
            break
        await asyncio.sleep(0.02)
    await server.stop()
    return records[0], replies, waits


def padded(pcm: bytes) -> bytes:
    """A sentence as the call sends it: 20 ms frames, the last one padded with silence."""
    return pcm + bytes(-len(pcm) % 320)


def test_emergency_and_report_calls_leave_tickets(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  espeak: str) -> None:
    from feedback_router.core.db import engine_for

    monkeypatch.setenv("DATABASE_URL", stack.database_url)  # on_call_end writes the ticket notes
    engine_for.cache_clear()
    emergency_number, report_number = phone_number(), phone_number()

    async def go():
        return await asyncio.gather(
            scripted_call(stack, tmp_path, emergency_number, ["cháy nhà ở ngõ 5 Kim Mã, cứu với"]),
            scripted_call(stack, tmp_path, report_number,
                          ["Ở ngõ 12 Láng Hạ rác thải ba ngày không ai thu gom", "phường Láng", "đúng rồi"]),
        )  # fmt: skip

    try:
        (fire, fire_audio, fire_waits), (report, report_audio, _) = asyncio.run(asyncio.wait_for(go(), 150))
    finally:
        engine_for.cache_clear()

    # the emergency: the first thing the caller hears is the fire brigade's number, read as digits
    answer = next(t for t in fire.turns if t.role == "bot" and t.latency is not None)
    assert answer.text.startswith("KHẨN CẤP: hãy gọi ngay 114"), answer.text
    opening = speech_sentences(answer.text)[:2]  # "KHẨN CẤP:" / "hãy gọi ngay một một bốn (Cứu hỏa)."
    assert "gọi ngay một một bốn" in opening[1], opening
    expected = b"".join(padded(synthesize_sentence(s, 8000, EspeakSynthesizer())) for s in opening)
    assert fire_audio[0][: len(expected)] == expected  # heard first, as digits
    assert len(expected) / 16000 < 6.0  # the number is said within the first seconds of the answer
    assert answer.latency is not None and fire_waits[0] > 0  # how fast: make bench

    rows = {t.contact.phone: t for t in tickets(stack.database_url)}
    ticket = rows[emergency_number]
    assert (ticket.category, ticket.channel, ticket.urgency.value) == ("fire", "hotline", "emergency")
    notes = [e.note or "" for e in ticket.events if e.actor == "system:hotline"]
    assert notes and "cháy nhà ở ngõ 5 Kim Mã" in notes[0] and str(fire.recording_path) in notes[0]
    assert fire.recording_path is not None and fire.recording_path.is_file()

    # the report: a full form by voice, the code read out, the call kept on the ticket
    waste = rows[report_number]
    assert waste.category == "waste" and waste.urgency.value != "emergency" and "Láng Hạ" in (waste.location_text or "")
    spoken = report.transcript_text()
    assert waste.code in spoken, spoken
    notes = [e.note or "" for e in waste.events if e.actor == "system:hotline"]
    assert notes and waste.code in notes[0] and "phường Láng" in notes[0]
    assert report.recording_path is not None and str(report.recording_path) in notes[0]
    assert len(report_audio) == 3 and all(rms_dbfs(a) > -40 for a in report_audio)


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_suggestion_by_voice(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, espeak: str) -> None:
    """A caller makes a public suggestion in spoken words (issue 8's dialogue): the code is
    read out, the suggestion is on the hotline channel under the caller's number."""
    from feedback_router.civic.models import Suggestion
    from feedback_router.core.db import engine_for

    monkeypatch.setenv("DATABASE_URL", stack.database_url)
    engine_for.cache_clear()
    number = phone_number()
    said = ["Tôi đề nghị thành phố lắp thêm điểm dừng xe buýt ở đầu ngõ 100 Hoàng Quốc Việt", "có", "đồng ý"]
    try:
        record, audio, _ = asyncio.run(asyncio.wait_for(scripted_call(stack, tmp_path, number, said), 120))
    finally:
        engine_for.cache_clear()
    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as s:
            [item] = list(s.scalars(select(Suggestion).options(selectinload(Suggestion.contact))))
            code, channel, sender, published = item.code, item.channel, item.contact.sender_id, item.published
            phone = item.contact.phone
    finally:
        engine.dispose()
    assert (channel, sender, published, phone) == ("hotline", f"hotline:{number}", True, number)
    answers = [t.text for t in record.turns if t.role == "bot"]
    assert "Xác nhận góp ý" in answers[2] and code in answers[3], answers
    assert "gọi lại cho bạn" in answers[3] and "tại đây" not in answers[3], answers[3]  # a phone line
    spoken = " ".join(speech_sentences(answers[3]))
    assert spell_code(code) in spoken  # "GY-0112-4F7K" read letter by letter
    assert len(audio) == 3 and all(rms_dbfs(a) > -40 for a in audio)


@pytest.mark.parametrize("stack", ["sqlite", "postgresql"], indirect=True)
def test_booking_by_voice(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, espeak: str) -> None:
    """A caller books a turn in spoken words (issue 8): asks, hears the numbered free times,
    says "số một", hears the code read out; the booking is the caller's, with their number."""
    from feedback_router.booking.service import Booking
    from feedback_router.core.db import engine_for

    monkeypatch.setenv("DATABASE_URL", stack.database_url)
    engine_for.cache_clear()
    number = phone_number()
    said = ["tôi muốn đặt lịch làm giấy khai sinh ở phường Láng", "số một"]
    try:
        record, audio, _ = asyncio.run(asyncio.wait_for(scripted_call(stack, tmp_path, number, said), 120))
    finally:
        engine_for.cache_clear()
    answers = [t.text for t in record.turns if t.role == "bot"]
    offer = next((a for a in answers if "1. " in a), None)
    assert offer is not None and "phường Láng" in offer, answers  # the free times, read as a numbered list
    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as s:
            [b] = list(s.scalars(select(Booking).options(selectinload(Booking.contact))))
            code, contact = b.code, (b.contact.channel, b.contact.sender_id, b.contact.phone)
            desk, status, procedure = b.slot.desk_id, b.status.value, b.procedure
    finally:
        engine.dispose()
    assert contact == ("hotline", f"hotline:{number}", number)
    assert status == "booked" and "phuong-lang" in desk and "khai sinh" in procedure.lower(), (desk, procedure)
    confirmation = answers[-1]
    assert code in confirmation and "ghi lại mã" in confirmation, answers  # no reminder can reach a phone line
    assert "nhắc bạn tại đây" not in confirmation
    assert spell_code(code) in " ".join(speech_sentences(confirmation))  # the code, read letter by letter
    assert len(audio) == 2 and all(rms_dbfs(a) > -40 for a in audio)
