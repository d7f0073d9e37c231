"""viet-asr engine: a Vietnamese model embedded in the PyPI wheel (no download).

Why keep it: it works on a fresh machine with nothing but ``pip install``, handles 8 kHz
phone audio, and is markedly more accurate than the small Vosk model on the fixtures.
Limits (alpha, 0.1.0.dev11): no word timings, no confidence, no grammar (phrase lists are
matched after decoding). Only the "transcribe" preset is used: other modules ("vad", ...)
download models at run time, which we do not allow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from voice.asr.base import ModelMissing, Partial, Recognizer, RecognizerSession, Result
from voice.asr.phrases import best_phrase

PRESET = "transcribe"
PARTIAL_EVERY = 0.3  # seconds of audio between partial-hypothesis refreshes
_LOG_WARNINGS_ONLY = 3  # vietasr_set_log_level: 3 silences the INFO banner on load


def _apply_phrases(text: str, phrases: Sequence[str] | None) -> str | None:
    if not phrases or not text:
        return None
    phrase, _score = best_phrase(text, phrases)
    return phrase


class VietAsrSession(RecognizerSession):
    """Wraps ``vietasr.Session``; the partial hypothesis is refreshed at most every
    ``PARTIAL_EVERY`` seconds of audio, because each refresh costs a decoder pass and the
    hotline feeds 20-100 ms batches."""

    def __init__(self, session: Any, rate: int, phrases: Sequence[str] | None) -> None:
        self._session = session
        self._phrases = list(phrases) if phrases else None
        self._refresh_bytes = int(rate * PARTIAL_EVERY) * 2
        self._since_partial = 0
        self._partial: Partial | None = None

    def accept(self, pcm: bytes) -> Partial | None:
        """Feed audio and return the running hypothesis (no segments from this engine)."""
        usable = pcm[: len(pcm) - len(pcm) % 2]
        if usable:
            self._session.accept(usable)
        self._since_partial += len(usable)
        if self._since_partial >= self._refresh_bytes:
            self._since_partial = 0
            text = str(self._session.partial().text or "").strip()
            self._partial = Partial(text=text) if text else None
        return self._partial

    def final(self) -> Result:
        """Flush the decoder; confidence is unknown (None) for this engine."""
        text = str(self._session.final().text or "").strip()
        self.close()
        return Result(
            text=text,
            engine=VietAsrRecognizer.name,
            phrase=_apply_phrases(text, self._phrases),
        )

    def close(self) -> None:
        """Free the native session."""
        if self._session is not None and self._session.handle:
            self._session.close()


class VietAsrRecognizer(Recognizer):
    """One native pipeline shared by all sessions (checked thread-safe on the fixtures)."""

    name = "viet-asr"
    supports_grammar = False

    def __init__(self) -> None:
        try:
            import vietasr
            from vietasr.ffi import native
        except (ImportError, OSError) as exc:
            raise ModelMissing(
                "viet-asr is not installed or its native library failed to load: pip install -r requirements/voice.txt"
            ) from exc
        native.lib.vietasr_set_log_level(_LOG_WARNINGS_ONLY)
        self._pipeline = vietasr.Pipeline.preset(PRESET)

    def stream(self, rate: int, phrases: Sequence[str] | None = None) -> VietAsrSession:
        """Start a native streaming session at ``rate`` Hz (8000 and 16000 both work)."""
        return VietAsrSession(self._pipeline.stream(sample_rate=float(rate)), rate, phrases)

    def transcribe(self, pcm: bytes, rate: int, phrases: Sequence[str] | None = None) -> Result:
        """Whole-buffer decode through the native batch path (faster than streaming)."""
        samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2")
        if samples.size == 0:
            return Result(text="", engine=self.name)
        text = str(self._pipeline.transcribe(samples, sample_rate=float(rate)).text or "").strip()
        return Result(text=text, engine=self.name, phrase=_apply_phrases(text, phrases))
