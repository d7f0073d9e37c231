"""Call-flow decisions with a scripted recogniser (deterministic), no TCP.

The caller's voice is synthesised with espeak-ng so the VAD hears real speech; what the
recogniser "heard" is scripted, which lets us test low-confidence handling, the menu
grammar, responder failures and silence time-outs precisely.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.voice.scripted import ScriptedRecognizer
from voice.asr import Result
from voice.call_flow import CallDeps, CallFlowConfig, CallSession, call_hook
from voice.call_record import CallRecorder, mask_number
from voice.tts import EspeakSynthesizer, synthesize
from voice.vad import Endpointer

MENU = "Bấm phím."


class MemoryTransport:
    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.closed = False

    async def send_audio(self, frame: bytes) -> None:
        self.frames.append(frame)

    async def close(self) -> None:
        self.closed = True


@pytest.fixture(scope="module")
def voice(espeak) -> bytes:
    """A caller saying something, at 8 kHz, followed by a second of silence."""
    return synthesize("Tôi muốn phản ánh về rác thải.", 8000, EspeakSynthesizer()) + bytes(16000)


async def _feed(session: CallSession, pcm: bytes) -> None:
    for pos in range(0, len(pcm), 320):
        session.on_audio(pcm[pos : pos + 320])
        await asyncio.sleep(0)
    for _ in range(20):  # let the ASR task deliver
        await asyncio.sleep(0.01)


async def _wait_idle(transport: MemoryTransport, session: CallSession) -> None:
    for _ in range(500):
        await asyncio.sleep(0.01)
        if not session._playing and session._events.empty():
            return


def _make(recognizer, responder, **overrides):
    config = dict(greeting="Chào.", menu_prompt=MENU, not_understood="Nói lại.",
                  menu_after_failures="Chưa rõ.", recordings_dir=None, playback_speed=50.0)  # fmt: skip
    config.update(overrides)
    transport = MemoryTransport()
    records = []
    deps = CallDeps(responder=responder, recognizer=recognizer, on_call_end=records.append,
                    synthesizer=EspeakSynthesizer())  # fmt: skip
    session = CallSession("0f8fad5b-d9cb-469f-a165-70867728950e", transport, deps,
                          CallFlowConfig(**config))  # fmt: skip
    return session, transport, records


def test_two_low_confidence_turns_offer_the_menu_then_use_its_grammar(voice):
    asked: list[str] = []

    async def responder(sender_id: str, text: str) -> list[str]:
        asked.append(text)
        return ["Vâng."]

    recognizer = ScriptedRecognizer([
        Result("ừm", confidence=0.2), Result(""),
        Result("du lịch", confidence=0.9, phrase="du lịch"),
    ])  # fmt: skip

    async def go():
        session, transport, _ = _make(recognizer, responder)
        task = asyncio.ensure_future(session.run())
        await _wait_idle(transport, session)
        for _ in range(3):
            await _feed(session, voice)
            await _wait_idle(transport, session)
        session.on_hangup()
        return await task

    record = asyncio.run(asyncio.wait_for(go(), 30))
    bot = [t.text for t in record.turns if t.role == "bot"]
    assert bot[1] == "Nói lại."
    assert bot[2] == f"Chưa rõ. {MENU}"
    assert recognizer.phrase_lists[:2] == [None, None]
    assert recognizer.phrase_lists[2] and "du lịch" in recognizer.phrase_lists[2]
    assert asked == ["Tôi muốn hỏi thông tin du lịch"]


def test_responder_failure_is_answered_with_the_busy_message(voice):
    async def responder(sender_id: str, text: str) -> list[str]:
        raise RuntimeError("gateway down")

    recognizer = ScriptedRecognizer([Result("rác thải", confidence=0.9)])

    async def go():
        session, transport, _ = _make(recognizer, responder)
        task = asyncio.ensure_future(session.run())
        await _wait_idle(transport, session)
        await _feed(session, voice)
        await _wait_idle(transport, session)
        session.on_hangup()
        return await task

    record = asyncio.run(asyncio.wait_for(go(), 30))
    assert record.turns[-1].text.startswith("Xin lỗi, hệ thống đang bận")


def test_slow_responder_times_out(voice):
    async def responder(sender_id: str, text: str) -> list[str]:
        await asyncio.sleep(5)
        return ["quá muộn"]

    async def go():
        session, transport, _ = _make(ScriptedRecognizer([Result("xin chào", 0.9)]), responder,
                                      responder_timeout=0.2)  # fmt: skip
        task = asyncio.ensure_future(session.run())
        await _wait_idle(transport, session)
        await _feed(session, voice)
        await asyncio.sleep(0.4)
        await _wait_idle(transport, session)
        session.on_hangup()
        return await task

    record = asyncio.run(asyncio.wait_for(go(), 30))
    assert "quá muộn" not in record.transcript_text()
    assert "hệ thống đang bận" in record.turns[-1].text


def test_silence_prompts_then_says_goodbye():
    async def responder(sender_id: str, text: str) -> list[str]:
        return []

    async def go():
        session, transport, _ = _make(ScriptedRecognizer([]), responder,
                                       no_input_timeout=0.2, max_no_input=2)  # fmt: skip
        record = await session.run()
        return record, transport

    record, transport = asyncio.run(asyncio.wait_for(go(), 30))
    assert record.end_reason == "no input"
    assert [t.text for t in record.turns if t.role == "bot"][-1] == CallFlowConfig().goodbye
    assert transport.closed


def test_invalid_key_and_star_repeat_the_menu():
    async def responder(sender_id: str, text: str) -> list[str]:
        return []

    async def go():
        session, transport, _ = _make(ScriptedRecognizer([]), responder)
        task = asyncio.ensure_future(session.run())
        await _wait_idle(transport, session)
        session.on_dtmf("7")
        await _wait_idle(transport, session)
        session.on_dtmf("*")
        await _wait_idle(transport, session)
        session.on_hangup()
        return await task

    record = asyncio.run(asyncio.wait_for(go(), 30))
    bot = [t.text for t in record.turns if t.role == "bot"]
    assert bot[1] == f"Phím không hợp lệ. {MENU}" and bot[2] == MENU


def test_sync_and_async_hooks_are_both_accepted():
    async def go():
        assert await call_hook(lambda x: x + 1, 1) == 2

        async def coro(x):
            return x * 3

        assert await call_hook(coro, 2) == 6
        assert await call_hook(None, 1) is None

    asyncio.run(go())


def test_endpointer_finds_one_utterance_and_ignores_a_click(voice):
    ep = Endpointer(8000)
    events = [s.event for s in ep.feed(bytes(8000) + voice) if s.event]
    assert events == ["start", "end"]
    click = bytes(4000) + (b"\xff\x7f" * 80) + bytes(16000)
    assert [s.event for s in Endpointer(8000).feed(click) if s.event] in ([], ["start", "discard"])


def test_recorder_aligns_bot_audio_on_the_caller_timeline():
    rec = CallRecorder(8000)
    rec.add_caller(bytes(1600))
    rec.add_bot(b"\x01\x00" * 10)
    rec.add_caller(bytes(1600))
    assert len(rec._bot) == 1600 + 20
    assert rec.caller_seconds == pytest.approx(0.2)


def test_phone_numbers_are_masked_for_logs():
    assert mask_number("0912345678") == "091****678"
    assert mask_number(None) == "-"
    assert "345" not in mask_number("+84 912 345 678")


def test_asking_for_an_operator_in_free_speech_transfers(voice):
    asked: list[str] = []
    transfers = []

    async def responder(sender_id: str, text: str) -> list[str]:
        asked.append(text)
        return ["Vâng."]

    recognizer = ScriptedRecognizer([Result("cho tôi gặp tổng đài viên với", confidence=0.9)])

    async def go():
        session, transport, _ = _make(recognizer, responder)
        session.deps.on_transfer = transfers.append
        task = asyncio.ensure_future(session.run())
        await _wait_idle(transport, session)
        await _feed(session, voice)
        return await asyncio.wait_for(task, 20), transport

    record, transport = asyncio.run(asyncio.wait_for(go(), 30))
    assert asked == []  # a person asked for a person: no chat turn
    assert record.transferred and record.end_reason == "transfer" and transport.closed
    assert [t.via for t in transfers] == ["voice"]


def test_operator_words_inside_a_report_do_not_transfer():
    session_config = CallFlowConfig()
    from voice.asr.phrases import fold

    spoken = f" {fold('nhân viên môi trường không thu gom rác')} "
    assert not any(f" {fold(p)} " in spoken for p in session_config.transfer_phrases)


def test_hangup_mid_sentence_keeps_the_words_in_the_record(voice, tmp_path):
    async def responder(sender_id: str, text: str) -> list[str]:
        raise AssertionError("a cut sentence must not reach the dialogue")

    recognizer = ScriptedRecognizer([Result("tôi muốn phản ánh về", confidence=0.9)])

    async def go():
        session, transport, records = _make(recognizer, responder, recordings_dir=tmp_path)
        task = asyncio.ensure_future(session.run())
        await _wait_idle(transport, session)
        half = voice[: len(voice) // 3]  # speech, no trailing silence: no endpoint yet
        for pos in range(0, len(half), 320):
            session.on_audio(half[pos : pos + 320])
        await asyncio.sleep(0.05)
        session.on_hangup()
        return await asyncio.wait_for(task, 20)

    record = asyncio.run(asyncio.wait_for(go(), 30))
    last = record.turns[-1]
    assert (last.role, last.text, last.interrupted) == ("caller", "tôi muốn phản ánh về", True)
    assert "tôi muốn phản ánh về (ngắt)" in record.transcript_text()
    import json

    assert record.transcript_path is not None and record.recording_path is not None
    saved = json.loads(record.transcript_path.read_text(encoding="utf-8"))
    assert saved["turns"][-1]["text"] == "tôi muốn phản ánh về" and saved["end_reason"] == "caller hangup"
    assert "0912" not in saved["caller_masked"]


def test_an_empty_answer_is_not_silence(voice):
    async def responder(sender_id: str, text: str) -> list[str]:
        return ["", "  "]  # what Rasa's REST channel returns when a component fails

    async def go():
        session, transport, _ = _make(ScriptedRecognizer([Result("xin chào", confidence=0.9)]), responder)
        task = asyncio.ensure_future(session.run())
        await _wait_idle(transport, session)
        await _feed(session, voice)
        await _wait_idle(transport, session)
        session.on_hangup()
        return await task

    record = asyncio.run(asyncio.wait_for(go(), 30))
    assert record.turns[-1].role == "bot" and record.turns[-1].text == CallFlowConfig().busy_message
    assert "một một bốn, cứu hỏa" in record.turns[-1].text  # an emergency caller still hears where to turn


def test_a_sentence_still_in_asr_at_hangup_is_kept(voice):
    class SlowFinal(ScriptedRecognizer):
        def stream(self, rate, phrases=None):
            inner = super().stream(rate, phrases)
            final = inner.final

            def slow() -> Result:
                import time

                time.sleep(0.3)  # the engine is still decoding when the caller hangs up
                return final()

            inner.final = slow  # type: ignore[method-assign]
            return inner

    async def responder(sender_id: str, text: str) -> list[str]:
        raise AssertionError("nobody is left to answer")

    async def go():
        session, transport, _ = _make(SlowFinal([Result("rác ở ngõ 5", confidence=0.9)]), responder)
        task = asyncio.ensure_future(session.run())
        await _wait_idle(transport, session)
        for pos in range(0, len(voice), 320):  # whole sentence + silence: endpoint reached
            session.on_audio(voice[pos : pos + 320])
        await asyncio.sleep(0.05)
        session.on_hangup()
        return await asyncio.wait_for(task, 20)

    record = asyncio.run(asyncio.wait_for(go(), 30))
    last = record.turns[-1]
    assert (last.role, last.text, last.interrupted) == ("caller", "rác ở ngõ 5", True)
