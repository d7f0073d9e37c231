"""AudioSocket server end to end over real TCP, with real speech and real ASR (viet-asr).

The client (``voice.audiosocket_client.FakeAsterisk``) streams like Asterisk: UUID, then
an unbroken 20 ms audio stream (silence between utterances), DTMF and hang-up messages.
The responder is a recording stub here; the lead tests the chain with the real gateway.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from voice.audiosocket import (
    KIND_AUDIO,
    KIND_DTMF,
    KIND_UUID,
    AudioSocketServer,
    CallerRegistry,
    encode,
    encode_uuid,
    read_message,
)
from voice.audiosocket_client import FakeAsterisk
from voice.call_flow import CallDeps, CallFlowConfig, TransferRequest
from voice.call_record import CallRecord
from voice.dsp import as_int16, rms_dbfs
from voice.wav import read_wav

HOST = "127.0.0.1"
LONG_REPLY = " ".join(f"Đây là câu trả lời thứ {i}, được đọc khá dài để người gọi có thể ngắt lời." for i in range(8))


class StubResponder:
    """Records what the call flow sends to the chat gateway."""

    def __init__(self, replies: list[list[str]] | None = None) -> None:
        self.calls: list[tuple[str, str, float]] = []
        self._replies = replies or []

    async def __call__(self, sender_id: str, text: str) -> list[str]:
        self.calls.append((sender_id, text, asyncio.get_running_loop().time()))
        if self._replies:
            return self._replies.pop(0)
        return ["Cảm ơn quý vị. Mã phiếu là HN-2611-4F7K."]


class Harness:
    """Server + hooks for one test."""

    def __init__(self, recognizer, tmp_path: Path, responder: StubResponder, **overrides):
        self.records: list[CallRecord] = []
        self.transfers: list[TransferRequest] = []
        self.registry = CallerRegistry()
        self.responder = responder
        config = dict(greeting="Xin chào.", menu_prompt="Mời quý vị nói.",
                      recordings_dir=tmp_path / "rec", playback_speed=4.0)  # fmt: skip
        config.update(overrides)
        self.server = AudioSocketServer(
            CallDeps(responder=responder, recognizer=recognizer, on_call_end=self.records.append,
                     on_transfer=self.transfers.append, caller_lookup=self.registry),
            CallFlowConfig(**config), host=HOST, port=0,
        )  # fmt: skip

    async def call(self, speed: float = 4.0, number: str | None = None) -> FakeAsterisk:
        client = FakeAsterisk(HOST, self.server.port, speed=speed)
        if number:
            self.registry.register(client.uuid, number)
        return await client.connect()

    async def wait_records(self, n: int, timeout: float = 15.0) -> list[CallRecord]:
        async def poll() -> None:
            while len(self.records) < n:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(poll(), timeout)
        return self.records


def run(coro, timeout: float = 60.0):
    return asyncio.run(asyncio.wait_for(coro, timeout))


@pytest.fixture
def pcm8k(speech):
    def load(name: str) -> bytes:
        pcm, rate = read_wav(speech(name))
        assert rate == 8000
        return pcm

    return load


# ---- protocol -------------------------------------------------------------------------


def test_message_framing_round_trip():
    async def go() -> None:
        reader = asyncio.StreamReader()
        call_id = str(uuid.uuid4())
        reader.feed_data(encode_uuid(call_id) + encode(KIND_DTMF, b"5") + encode(KIND_AUDIO, bytes(320)))
        reader.feed_eof()
        first = await read_message(reader)
        assert first is not None and first.kind == KIND_UUID
        assert str(uuid.UUID(bytes=first.payload)) == call_id
        dtmf = await read_message(reader)
        assert dtmf is not None and (dtmf.kind, dtmf.payload) == (KIND_DTMF, b"5")
        audio = await read_message(reader)
        assert audio is not None and len(audio.payload) == 320
        assert await read_message(reader) is None

    run(go())
    assert encode(0x00) == b"\x00\x00\x00"
    assert encode(KIND_AUDIO, b"ab")[:3] == b"\x10\x00\x02"


def test_connection_without_uuid_is_closed(tmp_path, vietasr_recognizer):
    async def go() -> None:
        h = Harness(vietasr_recognizer, tmp_path, StubResponder())
        await h.server.start()
        reader, writer = await asyncio.open_connection(HOST, h.server.port)
        writer.write(encode(KIND_AUDIO, bytes(320)))
        await writer.drain()
        hangup = await asyncio.wait_for(read_message(reader), 5)
        assert hangup is not None and hangup.kind == 0x00
        assert await asyncio.wait_for(read_message(reader), 5) is None
        writer.close()
        await h.server.stop()

    run(go())


# ---- calls ----------------------------------------------------------------------------


def test_call_speech_dtmf_and_hangup_mid_sentence(tmp_path, vietasr_recognizer, pcm8k):
    async def go() -> CallRecord:
        h = Harness(vietasr_recognizer, tmp_path, StubResponder())
        await h.server.start()
        client = await h.call(number="0912345678")
        await client.wait_quiet(0.3, 10)  # greeting played
        await client.say(pcm8k("call_8k_02"))
        await client.wait_audio_after(client.last_speech_sent_at or 0, 10)
        await client.wait_quiet(0.3, 15)
        assert len(h.responder.calls) == 1
        sender, text, _ = h.responder.calls[0]
        assert sender == "hotline:0912345678"
        assert "doanh nghiệp" in text
        await client.dtmf("2")
        await client.wait_audio_after(client.received.audio[-1][0], 10)
        assert h.responder.calls[1][1] == "Tôi muốn hỏi về thủ tục hành chính"
        await client.wait_quiet(0.3, 15)
        half = pcm8k("call_8k_01")
        await client.say(half[: len(half) // 2])  # caller hangs up mid-sentence
        await client.hangup()
        (record,) = await h.wait_records(1)
        assert len(h.responder.calls) == 2  # the cut sentence is not sent anywhere
        await h.server.stop()
        return record

    record = run(go())
    assert record.end_reason == "caller hangup" and not record.transferred
    assert record.caller == "0912345678" and record.sender_id == "hotline:0912345678"
    roles = [t.role for t in record.turns]
    assert roles[:3] == ["bot", "caller", "bot"] and "dtmf" in roles
    assert "doanh nghiệp" in record.transcript_text()
    reply = record.turns[2]
    assert reply.latency is not None and reply.latency > 0  # how fast: bench/voice_bench.py
    assert record.recording_path is not None and record.recording_path.is_file()
    stereo, rate = _read_stereo(record.recording_path)
    assert rate == 8000
    caller, bot = stereo
    assert rms_dbfs(caller) > -40 and rms_dbfs(bot) > -40
    assert record.duration > 3.0


def _read_stereo(path: Path) -> tuple[tuple[bytes, bytes], int]:
    from voice.wav import parse_wav

    parsed = parse_wav(path.read_bytes())
    assert parsed is not None and parsed.channels == 2
    samples = as_int16(parsed.pcm).reshape(-1, 2)
    return (samples[:, 0].tobytes(), samples[:, 1].tobytes()), parsed.rate


def test_zero_transfers_to_an_operator(tmp_path, vietasr_recognizer):
    async def go() -> tuple[CallRecord, FakeAsterisk, Harness]:
        h = Harness(vietasr_recognizer, tmp_path, StubResponder(),
                    greeting="Xin chào, đây là tổng đài hỗ trợ người dân Hà Nội, rất vui được phục vụ.",
                    playback_speed=1.0)  # fmt: skip
        await h.server.start()
        client = await h.call()
        await client.wait_audio_after(0, 5)
        await asyncio.sleep(0.3)
        await client.dtmf("0")  # during the greeting
        await asyncio.wait_for(client.closed.wait(), 15)
        (record,) = await h.wait_records(1)
        await h.server.stop()
        return record, client, h

    record, client, h = run(go())
    assert client.received.hangup_at is not None  # AudioSocket hang-up message sent
    assert record.transferred and record.end_reason == "transfer"
    assert h.transfers == [TransferRequest(record.uuid, None, f"hotline:{record.uuid}", "dtmf")]
    greeting = record.turns[0]
    assert greeting.role == "bot" and greeting.interrupted  # DTMF cut the greeting
    assert record.turns[-1].text.startswith("Xin quý vị giữ máy")


def test_several_concurrent_calls(tmp_path, vietasr_recognizer, pcm8k):
    expected = {"call_8k_01": "tên", "call_8k_02": "doanh nghiệp", "call_8k_03": "chào"}

    async def one(h: Harness, name: str) -> tuple[str, str]:
        client = await h.call(speed=2.0)
        await client.wait_quiet(0.3, 10)
        await client.say(pcm8k(name))
        await client.wait_audio_after(client.last_speech_sent_at or 0, 15)
        await client.hangup()
        return name, f"hotline:{client.uuid}"

    async def go() -> tuple[Harness, list[tuple[str, str]], int]:
        h = Harness(vietasr_recognizer, tmp_path, StubResponder(), playback_speed=2.0)
        await h.server.start()
        tasks = [asyncio.ensure_future(one(h, name)) for name in expected]
        await asyncio.sleep(0.3)
        active = h.server.health()["active_calls"]
        done = await asyncio.gather(*tasks)
        await h.wait_records(len(expected))
        await h.server.stop()
        return h, done, active

    h, done, active = run(go(), timeout=90)
    assert active == len(expected)
    by_sender = {sender: text for sender, text, _ in h.responder.calls}
    for name, sender in done:
        assert expected[name] in by_sender[sender], (name, by_sender[sender])
    assert len({r.uuid for r in h.records}) == len(expected)
    assert h.server.health()["total_calls"] == len(expected)


def test_barge_in_stops_playback(tmp_path, vietasr_recognizer, pcm8k):
    async def go() -> tuple[CallRecord, list[float], float, float]:
        responder = StubResponder([[LONG_REPLY], ["Vâng, tôi nghe đây."]])
        h = Harness(vietasr_recognizer, tmp_path, responder, playback_speed=1.0)
        await h.server.start()
        client = await h.call(speed=1.0)
        await client.wait_quiet(0.3, 10)
        await client.say(pcm8k("call_8k_03"))
        reply_start = await client.wait_audio_after(client.last_speech_sent_at or 0, 10)
        await asyncio.sleep(1.0)  # the long reply (~30 s) is playing
        barge = asyncio.get_running_loop().time()
        await client.say(pcm8k("call_8k_01"))  # caller talks over the assistant
        await client.wait_audio_after(client.last_speech_sent_at or 0, 10)  # next answer
        second_call_at = responder.calls[1][2]
        frame_times = [t for t, _ in client.received.audio if t > reply_start]
        await client.hangup()
        (record,) = await h.wait_records(1)
        await h.server.stop()
        return record, frame_times, barge, second_call_at

    record, frame_times, barge, second_call_at = run(go())
    stopped_at = max(t for t in frame_times if t < second_call_at)
    assert stopped_at - barge < 1.5, "playback kept going after the caller spoke"
    long_turn = next(t for t in record.turns if t.text == LONG_REPLY)
    assert long_turn.interrupted
    assert sum(t.role == "caller" for t in record.turns) == 2
