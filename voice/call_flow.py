"""Per-call state machine of the hotline: greet, listen, recognise, answer, repeat.

Flow: greeting + DTMF menu (TTS) -> caller speaks -> endpointing (``voice.vad``) ->
streaming ASR (started at speech onset, so only the last few frames remain to decode at
the end of speech) -> ``responder(sender_id, text)`` -> reply by TTS, sent in 20 ms frames
while later sentences are still being synthesised. Caller speech during playback stops it
(barge-in); DTMF does too. After two low-confidence turns the menu is offered again and
the next answer is recognised against the menu phrases. '0' asks for a human.

Everything outside the call (chat gateway, transfer, storage of the call record, caller
number) is injected, so the lead can wire Rasa, Asterisk AMI and the ticket store without
this module knowing them. Hooks may be plain functions or coroutines.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol, TypeVar

from voice.asr import Recognizer, Result, get_recognizer
from voice.asr.phrases import fold
from voice.call_record import CallRecord, CallRecorder, Turn, mask_number
from voice.tts import Synthesizer, TtsError, asynthesize_stream
from voice.vad import FRAME_MS, Endpointer, VadConfig

log = logging.getLogger(__name__)

T = TypeVar("T")

Responder = Callable[[str, str], Awaitable[list[str]]]
"""``await responder(sender_id, text) -> list of reply texts`` (the chat gateway)."""


@dataclass(frozen=True)
class TransferRequest:
    """Passed to ``on_transfer`` when the caller asks for a human operator."""

    uuid: str
    caller: str | None
    sender_id: str
    via: str  # "dtmf" or "voice"


Hook = Callable[[T], Awaitable[None] | None]
CallerLookup = Callable[[str], Awaitable[str | None] | str | None]


class CallTransport(Protocol):
    """The media leg of one call (AudioSocket connection, or a test double)."""

    async def send_audio(self, frame: bytes) -> None:
        """Send one frame of 16-bit mono PCM at the call's rate."""

    async def close(self) -> None:
        """End the media leg (for AudioSocket: hang-up message, then close)."""


def _menu_phrases() -> dict[str, str]:
    return {
        "một": "1", "phản ánh": "1", "hai": "2", "thủ tục": "2", "ba": "3", "du lịch": "3",
        "số không": "0", "tổng đài viên": "0", "gặp tổng đài viên": "0",
    }  # fmt: skip


def _transfer_phrases() -> tuple[str, ...]:
    # Said in free speech at any time; compared without tone marks (asr.phrases.fold).
    return ("tổng đài viên", "gặp nhân viên", "gặp người thật", "nói chuyện với người",
            "chuyển máy cho người", "gặp điện thoại viên")  # fmt: skip


def _menu_options() -> dict[str, str]:
    return {
        "1": "Tôi muốn gửi phản ánh",
        "2": "Tôi muốn hỏi về thủ tục hành chính",
        "3": "Tôi muốn hỏi thông tin du lịch",
    }


@dataclass(frozen=True)
class CallFlowConfig:
    """Prompts and thresholds; defaults are the production values."""

    greeting: str = "Xin chào, đây là tổng đài hỗ trợ người dân và du khách Hà Nội."
    menu_prompt: str = (
        "Quý vị hãy nói nội dung cần hỗ trợ, hoặc bấm phím: một, phản ánh; hai, thủ tục; "
        "ba, du lịch; không, gặp tổng đài viên."
    )
    menu_options: Mapping[str, str] = field(default_factory=_menu_options)
    menu_phrases: Mapping[str, str] = field(default_factory=_menu_phrases)
    transfer_phrases: tuple[str, ...] = field(default_factory=_transfer_phrases)
    not_understood: str = "Xin lỗi, tôi chưa nghe rõ. Quý vị vui lòng nói lại."
    menu_after_failures: str = "Xin lỗi, tôi vẫn chưa nghe rõ."
    # Said when the dialogue fails or is silent: an emergency caller must still hear where to
    # turn (numbers written as words so they are read digit by digit).
    busy_message: str = (
        "Xin lỗi, hệ thống đang bận. Nếu khẩn cấp, xin gọi ngay: một một bốn, cứu hỏa; một một ba, công an; "
        "một một năm, cấp cứu. Quý vị vui lòng nói lại, hoặc bấm phím không để gặp tổng đài viên."
    )
    transfer_message: str = "Xin quý vị giữ máy, tổng đài viên sẽ tiếp nhận cuộc gọi."
    invalid_key: str = "Phím không hợp lệ."
    still_there: str = "Quý vị còn nghe máy không ạ?"
    goodbye: str = "Cảm ơn quý vị đã gọi. Xin chào."
    rate: int = 8000
    playback_speed: float = 1.0  # tests only: >1 plays faster than real time
    prebuffer_frames: int = 2  # sent ahead of real time to absorb scheduling jitter
    min_confidence: float = 0.5  # only engines reporting a confidence (Vosk)
    low_confidence_turns_for_menu: int = 2
    no_input_timeout: float = 10.0
    max_no_input: int = 3
    responder_timeout: float = 20.0
    barge_in: bool = True
    vad: VadConfig = field(default_factory=VadConfig)
    recordings_dir: Path | None = Path("var/recordings")
    max_call_seconds: float = 1800.0
    cut_sentence_timeout: float = 5.0  # ASR of the words a caller said before hanging up


@dataclass
class CallDeps:
    """Injected collaborators. Only ``responder`` is required."""

    responder: Responder
    recognizer: Recognizer | None = None  # default: get_recognizer() (ASR_ENGINE)
    synthesizer: Synthesizer | None = None  # default: get_synthesizer() (PIPER_VOICE)
    on_transfer: Hook[TransferRequest] | None = None
    on_call_end: Hook[CallRecord] | None = None
    caller_lookup: CallerLookup | None = None
    executor: Executor | None = None  # for ASR/TTS work; default: the loop's pool


async def call_hook(hook: Callable[..., Any] | None, *args: Any) -> Any:
    """Call a sync-or-async hook and return its value."""
    if hook is None:
        return None
    value = hook(*args)
    if inspect.isawaitable(value):
        return await value
    return value


@dataclass(frozen=True)
class _Utterance:
    result: Result
    started_at: float
    ended_at: float  # loop time of the endpoint: latency is measured from here


@dataclass(frozen=True)
class _Dtmf:
    digit: str


@dataclass(frozen=True)
class _Hangup:
    reason: str


_Event = _Utterance | _Dtmf | _Hangup


class _AsrStream:
    """Feeds one utterance to a recogniser session in the executor, in arrival order."""

    def __init__(
        self,
        recognizer: Recognizer,
        rate: int,
        phrases: list[str] | None,
        executor: Executor | None,
    ) -> None:
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.cancelled = False
        self.task = asyncio.ensure_future(self._run(recognizer, rate, phrases, executor))

    def push(self, pcm: bytes) -> None:
        self._queue.put_nowait(pcm)

    def finish(self) -> None:
        self._queue.put_nowait(None)

    def cancel(self) -> None:
        self.cancelled = True
        self._queue.put_nowait(None)

    async def _run(
        self,
        recognizer: Recognizer,
        rate: int,
        phrases: list[str] | None,
        ex: Executor | None,
    ) -> Result | None:
        loop = asyncio.get_running_loop()
        session = await loop.run_in_executor(ex, recognizer.stream, rate, phrases)
        done = False
        while not done:
            parts = [await self._queue.get()]
            while not self._queue.empty():  # batch what arrived while the engine worked
                parts.append(self._queue.get_nowait())
            done = parts[-1] is None
            audio = b"".join(p for p in parts if p)
            if audio and not self.cancelled:
                await loop.run_in_executor(ex, session.accept, audio)
        if self.cancelled:
            session.close()
            return None
        return await loop.run_in_executor(ex, session.final)


class CallSession:
    """One phone call. Feed media with ``on_audio``/``on_dtmf``/``on_hangup``; ``run()``
    drives the conversation and returns the ``CallRecord`` when the call is over."""

    def __init__(
        self,
        uuid: str,
        transport: CallTransport,
        deps: CallDeps,
        config: CallFlowConfig | None = None,
        caller: str | None = None,
    ) -> None:
        self.uuid = uuid
        self.caller = caller
        self.config = config or CallFlowConfig()
        self.deps = deps
        self._transport = transport
        self._events: asyncio.Queue[_Event] = asyncio.Queue()
        self._endpointer = Endpointer(self.config.rate, self.config.vad)
        self._recorder = CallRecorder(self.config.rate, self.config.max_call_seconds)
        self._frame_bytes = self.config.rate * FRAME_MS // 1000 * 2
        self._turns: list[Turn] = []
        self._asr: _AsrStream | None = None
        self._speech_started = 0.0
        self._background: set[asyncio.Task[Any]] = set()
        self._stop_playback = asyncio.Event()
        self._playing = False
        self._ended = False
        self._hung_up = False
        self._menu_mode = False
        self._low_confidence = 0
        self._transferred = False
        self._end_reason = ""
        self._loop = asyncio.get_running_loop()
        self._t0 = self._loop.time()
        self.latencies: list[float] = []  # end of speech -> first reply frame, per answer
        self.barge_ins = 0

    @property
    def sender_id(self) -> str:
        """Conversation id for the chat gateway: ``hotline:<number or uuid>``."""
        return f"hotline:{self.caller or self.uuid}"

    def _now(self) -> float:
        return self._loop.time() - self._t0

    # ---- media input (called by the transport's reader, never blocks) ----

    def on_audio(self, pcm: bytes) -> None:
        """Caller audio: record, endpoint, stream to ASR, detect barge-in."""
        self._recorder.add_caller(pcm)
        if self._ended:
            return
        for step in self._endpointer.feed(pcm):
            if step.event == "start":
                if self._playing and not self.config.barge_in:
                    self._endpointer.reset()
                    continue
                if self._playing:
                    self.barge_ins += 1
                    self._stop_playback.set()
                self._start_asr(step.audio)
            elif self._asr is None:
                continue
            elif step.event is None:
                self._asr.push(step.audio)
            elif step.event == "end":
                stream, self._asr = self._asr, None
                stream.push(step.audio)
                stream.finish()
                self._spawn(self._deliver(stream, self._speech_started, self._loop.time()))
            else:  # discard: too short to be speech
                self._asr.cancel()
                self._asr = None

    def on_dtmf(self, digit: str) -> None:
        """A key press stops playback and is handled in order with speech."""
        if self._ended:
            return
        self._stop_playback.set()
        self._events.put_nowait(_Dtmf(digit))

    def on_hangup(self, reason: str = "caller hangup") -> None:
        """The caller (or the network) ended the call."""
        self._hung_up = True
        self._stop_playback.set()
        self._events.put_nowait(_Hangup(reason))

    def _start_asr(self, pre_roll: bytes) -> None:
        if self._asr is not None:
            self._asr.cancel()
        recognizer = self.deps.recognizer
        if recognizer is None:  # engine still loading: this utterance cannot be heard
            self._endpointer.reset()
            return
        phrases = list(self.config.menu_phrases) if self._menu_mode else None
        self._asr = _AsrStream(recognizer, self.config.rate, phrases, self.deps.executor)
        self._asr.push(pre_roll)
        self._speech_started = self._loop.time()

    async def _deliver(self, stream: _AsrStream, started: float, ended: float) -> None:
        try:
            result = await stream.task
        except Exception:
            log.exception("ASR failed call=%s", self.uuid)
            result = Result(text="")
        if result is not None:
            self._events.put_nowait(_Utterance(result, started, ended))

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # ---- conversation ----

    async def run(self) -> CallRecord:
        """Drive the call until hang-up, transfer or timeout; always returns the record."""
        started_at = datetime.now(timezone.utc)
        try:
            await self._prepare()
            log.info("call start uuid=%s caller=%s", self.uuid, mask_number(self.caller))
            await self._say(f"{self.config.greeting} {self.config.menu_prompt}")
            await asyncio.wait_for(self._conversation(), self.config.max_call_seconds)
        except asyncio.TimeoutError:
            self._end_reason = self._end_reason or "max duration"
            await self._say(self.config.goodbye)
        except ConnectionError:
            self._end_reason = self._end_reason or "connection lost"
        finally:
            self._ended = True
            self._stop_playback.set()
        await self._keep_unanswered()
        await self._keep_cut_sentence()
        return await self._finish(started_at)

    async def _keep_unanswered(self) -> None:
        """Sentences finished just before the call ended (still in ASR, or heard but not yet
        answered) go in the transcript, marked interrupted: nobody is left to answer them."""
        pending = [t for t in self._background if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=self.config.cut_sentence_timeout)
        for task in list(self._background):
            task.cancel()
        while not self._events.empty():
            event = self._events.get_nowait()
            if isinstance(event, _Utterance) and not event.result.is_empty:
                result = event.result
                self._turns.append(Turn("caller", result.text, self._now(), result.confidence, interrupted=True))

    async def _keep_cut_sentence(self) -> None:
        """The caller hung up mid-sentence: transcribe what they said for the record.

        It is not sent to the dialogue (nobody is left to hear the answer), but it goes in
        the transcript, marked interrupted, so staff reading the ticket lose nothing.
        """
        stream, self._asr = self._asr, None
        if stream is None:
            return
        stream.finish()
        try:
            result = await asyncio.wait_for(asyncio.shield(stream.task), self.config.cut_sentence_timeout)
        except Exception:  # includes TimeoutError: the record matters more than the words
            log.warning("could not transcribe the cut sentence call=%s", self.uuid)
            stream.cancel()
            return
        if result is not None and not result.is_empty:
            self._turns.append(Turn("caller", result.text, self._now(), result.confidence, interrupted=True))

    async def _prepare(self) -> None:
        loop = self._loop
        if self.deps.recognizer is None:
            self.deps.recognizer = await loop.run_in_executor(self.deps.executor, get_recognizer)
        if self.caller is None and self.deps.caller_lookup is not None:
            try:
                self.caller = await call_hook(self.deps.caller_lookup, self.uuid)
            except Exception:
                log.exception("caller_lookup failed call=%s", self.uuid)

    async def _conversation(self) -> None:
        silent_prompts = 0
        while not self._ended:
            try:
                event = await asyncio.wait_for(self._events.get(), self.config.no_input_timeout)
            except asyncio.TimeoutError:
                if self._asr is not None or self._endpointer.in_speech:
                    continue  # caller is mid-sentence
                silent_prompts += 1
                if silent_prompts >= self.config.max_no_input:
                    self._end_reason = "no input"
                    await self._say(self.config.goodbye)
                    return
                await self._say(f"{self.config.still_there} {self.config.menu_prompt}")
                continue
            silent_prompts = 0
            if isinstance(event, _Hangup):
                self._end_reason = event.reason
                return
            if isinstance(event, _Dtmf):
                await self._on_digit(event.digit, via="dtmf")
            else:
                await self._on_utterance(event)
            if self._transferred:
                return

    def _is_low_confidence(self, result: Result) -> bool:
        if result.is_empty:
            return True
        return result.confidence is not None and result.confidence < self.config.min_confidence

    async def _on_utterance(self, event: _Utterance) -> None:
        result = event.result
        menu_mode, self._menu_mode = self._menu_mode, False
        digit = self.config.menu_phrases.get(result.phrase or "") if menu_mode else None
        if digit is not None and not self._is_low_confidence(result):
            self._turns.append(Turn("caller", result.text, self._now(), result.confidence))
            await self._on_digit(digit, via="voice", ended_at=event.ended_at)
            return
        grammar_miss = menu_mode and self.deps.recognizer is not None and (self.deps.recognizer.supports_grammar)
        self._turns.append(Turn("caller", result.text, self._now(), result.confidence))
        if grammar_miss or self._is_low_confidence(result):
            self._low_confidence += 1
            if self._low_confidence >= self.config.low_confidence_turns_for_menu:
                self._low_confidence = 0
                self._menu_mode = True
                await self._say(f"{self.config.menu_after_failures} {self.config.menu_prompt}")
            else:
                await self._say(self.config.not_understood)
            return
        self._low_confidence = 0
        if self._asks_for_operator(result.text):
            await self._transfer("voice")
            return
        await self._respond(result.text, event.ended_at)

    def _asks_for_operator(self, text: str) -> bool:
        """'Cho tôi gặp tổng đài viên' needs no chat turn: a person asked for a person."""
        spoken = f" {fold(text)} "
        return any(f" {fold(p)} " in spoken for p in self.config.transfer_phrases)

    async def _on_digit(self, digit: str, via: str, ended_at: float | None = None) -> None:
        self._turns.append(Turn("dtmf" if via == "dtmf" else "system", digit, self._now()))
        if digit == "0":
            await self._transfer(via)
        elif digit in self.config.menu_options:
            self._menu_mode = False
            await self._respond(self.config.menu_options[digit], ended_at or self._loop.time())
        elif digit == "*":
            await self._say(self.config.menu_prompt)
        else:
            await self._say(f"{self.config.invalid_key} {self.config.menu_prompt}")

    async def _transfer(self, via: str) -> None:
        request = TransferRequest(self.uuid, self.caller, self.sender_id, via)
        self._turns.append(Turn("system", "chuyển tổng đài viên", self._now()))
        try:
            await call_hook(self.deps.on_transfer, request)
        except Exception:
            log.exception("on_transfer failed call=%s", self.uuid)
        await self._say(self.config.transfer_message, interruptible=False)
        self._transferred = True
        self._end_reason = "transfer"

    async def _respond(self, text: str, ended_at: float) -> None:
        try:
            replies = await asyncio.wait_for(self.deps.responder(self.sender_id, text), self.config.responder_timeout)
        except Exception:  # includes TimeoutError: the caller must hear something
            log.exception("responder failed call=%s", self.uuid)
            replies = [self.config.busy_message]
        reply = "\n".join(r.strip() for r in replies if r and r.strip())
        if not reply:  # silence on a phone line sounds like a dropped call (Rasa answers [] on errors)
            log.warning("responder gave no text call=%s", self.uuid)
            reply = self.config.busy_message
        if not self._ended:
            await self._say(reply, reply_to=ended_at)

    async def _say(self, text: str, reply_to: float | None = None, interruptible: bool = True) -> None:
        """Synthesise and play ``text`` in paced 20 ms frames until done or interrupted."""
        self._stop_playback = asyncio.Event()
        self._playing = interruptible
        self._endpointer.strict = True
        at, interrupted, latency = self._now(), False, None
        interval = FRAME_MS / 1000 / self.config.playback_speed
        deadline: float | None = None
        try:
            async for pcm in asynthesize_stream(text, self.config.rate, self.deps.synthesizer, self.deps.executor):
                for pos in range(0, len(pcm), self._frame_bytes):
                    stop = self._stop_playback.is_set() and interruptible
                    if stop or self._ended or self._hung_up:
                        interrupted = True
                        break
                    frame = pcm[pos : pos + self._frame_bytes].ljust(self._frame_bytes, b"\0")
                    await self._transport.send_audio(frame)
                    self._recorder.add_bot(frame)
                    now = self._loop.time()
                    if deadline is None:
                        deadline = now - self.config.prebuffer_frames * interval
                        if reply_to is not None:
                            latency = now - reply_to
                            self.latencies.append(latency)
                    deadline += interval
                    delay = deadline - self._loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    elif delay < -0.2:
                        deadline = self._loop.time()  # fell far behind: do not burst
                if interrupted:
                    break
        except TtsError:
            log.exception("TTS failed call=%s", self.uuid)
            interrupted = True
        finally:
            self._playing = False
            self._endpointer.strict = False
            self._turns.append(Turn("bot", text, at, interrupted=interrupted, latency=latency))

    async def _finish(self, started_at: datetime) -> CallRecord:
        duration = self._now()
        path = None
        if self.config.recordings_dir is not None:
            target = self.config.recordings_dir / f"{started_at:%Y%m%d}" / (f"{started_at:%H%M%S}-{self.uuid}.wav")
            try:
                path = await self._loop.run_in_executor(None, self._recorder.save, target)
            except OSError:
                log.exception("could not save recording call=%s", self.uuid)
        record = CallRecord(
            uuid=self.uuid,
            caller=self.caller,
            sender_id=self.sender_id,
            started_at=started_at,
            duration=duration,
            turns=list(self._turns),
            recording_path=path,
            transferred=self._transferred,
            end_reason=self._end_reason or "ended",
        )
        if path is not None:  # the transcript stays beside the audio even if no ticket takes it
            try:
                await self._loop.run_in_executor(None, record.save_transcript)
            except OSError:
                log.exception("could not save transcript call=%s", self.uuid)
        log.info(
            "call end uuid=%s caller=%s duration=%.1fs turns=%d reason=%s",
            self.uuid, mask_number(self.caller), duration, len(self._turns), record.end_reason,
        )  # fmt: skip
        try:
            await call_hook(self.deps.on_call_end, record)
        except Exception:
            log.exception("on_call_end failed call=%s", self.uuid)
        with contextlib.suppress(ConnectionError, OSError):
            await self._transport.close()
        return record
