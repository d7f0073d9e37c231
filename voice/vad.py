"""Voice activity detection and end-of-utterance detection for the phone line.

Why webrtcvad plus an energy floor: webrtcvad (via the maintained ``webrtcvad-wheels``
build) is robust to steady line noise but fires on quiet clicks; the energy floor removes
those. If webrtcvad cannot be imported the RMS floor alone is used (documented fallback).
Endpointing counts 20 ms frames rather than wall-clock time, so it behaves identically in
tests that push audio faster than real time.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

from voice.dsp import rms_dbfs

FRAME_MS = 20

try:  # pragma: no cover - exercised implicitly
    import webrtcvad as _webrtcvad
except ImportError:  # pragma: no cover
    _webrtcvad = None


@dataclass(frozen=True)
class VadConfig:
    """Endpointing thresholds, in milliseconds unless stated."""

    aggressiveness: int = 2  # webrtcvad 0..3
    energy_floor_dbfs: float = -48.0
    start_window_ms: int = 200  # speech starts when enough of this window is voiced
    start_voiced_ms: int = 120
    barge_in_voiced_ms: int = 240  # stricter while the bot is talking (window grows to fit)
    end_silence_ms: int = 700  # trailing silence that ends an utterance
    min_voiced_ms: int = 200  # shorter blips (cough, click) are discarded
    max_utterance_ms: int = 15000
    pre_roll_ms: int = 300  # audio kept from before the detected onset


class SpeechDetector:
    """Frame classifier: webrtcvad AND level above the energy floor."""

    def __init__(self, rate: int, config: VadConfig) -> None:
        if rate not in (8000, 16000, 32000, 48000):
            raise ValueError("VAD supports 8000, 16000, 32000 or 48000 Hz")
        self.rate = rate
        self.floor = config.energy_floor_dbfs
        self._vad = _webrtcvad.Vad(config.aggressiveness) if _webrtcvad is not None else None

    @property
    def backend(self) -> str:
        """Which detector is in use (for logs and the README)."""
        return "webrtcvad+rms" if self._vad is not None else "rms"

    def is_speech(self, frame: bytes) -> bool:
        """Classify one 20 ms frame."""
        if rms_dbfs(frame) < self.floor:
            return False
        if self._vad is None:
            return True
        return bool(self._vad.is_speech(frame, self.rate))


VadEventKind = Literal["start", "end", "discard"]


@dataclass(frozen=True)
class VadStep:
    """Result of feeding audio: an optional event and the audio that belongs to the
    current utterance (pre-roll on ``start``, the frame while speaking)."""

    event: VadEventKind | None
    audio: bytes


class Endpointer:
    """Turns a stream of frames into utterances: start -> frames -> end/discard."""

    def __init__(self, rate: int, config: VadConfig | None = None) -> None:
        self.config = config or VadConfig()
        self.rate = rate
        self.detector = SpeechDetector(rate, self.config)
        self.frame_bytes = rate * FRAME_MS // 1000 * 2
        self.strict = False  # set while the bot is talking (barge-in threshold)
        self.in_speech = False
        self._pending = b""
        c = self.config
        self._start_window = max(1, c.start_window_ms // FRAME_MS)
        self._barge_window = max(1, (c.barge_in_voiced_ms + c.start_window_ms) // 2 // FRAME_MS)
        self._barge_window = max(self._barge_window, c.barge_in_voiced_ms // FRAME_MS)
        self._window: deque[bool] = deque(maxlen=max(self._start_window, self._barge_window))
        self._pre_roll: deque[bytes] = deque(maxlen=max(1, c.pre_roll_ms // FRAME_MS))
        self._voiced = 0
        self._frames = 0
        self._silence = 0

    def _start_threshold(self) -> int:
        ms = self.config.barge_in_voiced_ms if self.strict else self.config.start_voiced_ms
        return max(1, ms // FRAME_MS)

    def reset(self) -> None:
        """Forget the current utterance (e.g. after the call state changed)."""
        self.in_speech = False
        self._window.clear()
        self._pre_roll.clear()
        self._voiced = self._frames = self._silence = 0

    def feed(self, pcm: bytes) -> list[VadStep]:
        """Feed any amount of audio; it is re-cut into 20 ms frames internally."""
        data = self._pending + pcm
        steps: list[VadStep] = []
        n = len(data) - len(data) % self.frame_bytes
        for pos in range(0, n, self.frame_bytes):
            step = self._frame(data[pos : pos + self.frame_bytes])
            if step is not None:
                steps.append(step)
        self._pending = data[n:]
        return steps

    def _frame(self, frame: bytes) -> VadStep | None:
        voiced = self.detector.is_speech(frame)
        c = self.config
        if not self.in_speech:
            self._pre_roll.append(frame)
            self._window.append(voiced)
            span = self._barge_window if self.strict else self._start_window
            recent = list(self._window)[-span:]
            if sum(recent) >= self._start_threshold():
                self.in_speech = True
                self._voiced, self._frames, self._silence = sum(self._window), 0, 0
                audio = b"".join(self._pre_roll)
                self._pre_roll.clear()
                self._window.clear()
                return VadStep("start", audio)
            return None
        self._frames += 1
        self._voiced += int(voiced)
        self._silence = 0 if voiced else self._silence + 1
        ended = self._silence * FRAME_MS >= c.end_silence_ms
        too_long = self._frames * FRAME_MS >= c.max_utterance_ms
        if ended or too_long:
            self.in_speech = False
            kind: VadEventKind = "end" if self._voiced * FRAME_MS >= c.min_voiced_ms else "discard"
            return VadStep(kind, frame)
        return VadStep(None, frame)
