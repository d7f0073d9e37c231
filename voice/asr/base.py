"""One recogniser interface for every engine.

Why a common interface: the hotline, the vosk-compatible WebSocket server and the chat
voice-note path must not care which engine runs (Vosk with a downloaded model, or the
viet-asr wheel with its embedded model); engines differ in what they can report (word
timings, confidences, grammars), so those fields are optional and documented per engine.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

TRANSCRIBE_CHUNK_SECONDS = 0.5


class AsrError(RuntimeError):
    """The recogniser failed (engine error, bad sample rate ...)."""


class ModelMissing(AsrError):
    """The engine's model is not on disk; the message names the download step."""


@dataclass(frozen=True)
class Word:
    """One recognised word with times in seconds from the start of the stream."""

    word: str
    start: float
    end: float
    conf: float

    def to_dict(self) -> dict[str, Any]:
        """vosk-server's word object."""
        return {
            "word": self.word,
            "start": self.start,
            "end": self.end,
            "conf": self.conf,
        }


@dataclass(frozen=True)
class Partial:
    """Interim hypothesis while audio is still arriving.

    ``segment`` is set when the engine itself closed an utterance segment at a pause
    (Vosk/Kaldi endpointing); the segment is also part of the session's final result.
    """

    text: str
    segment: Result | None = None


@dataclass(frozen=True)
class Result:
    """Final recognition.

    ``confidence`` is ``None`` when the engine does not estimate one (viet-asr); ``words``
    is empty when the engine gives no word timings. ``phrase`` is the matched entry when
    a phrase list was used, else ``None``.
    """

    text: str
    confidence: float | None = None
    words: list[Word] = field(default_factory=list)
    engine: str = ""
    phrase: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when nothing intelligible was recognised."""
        return not self.text.strip()

    def to_vosk(self) -> dict[str, Any]:
        """vosk-server's final-result JSON object."""
        out: dict[str, Any] = {"text": self.text}
        if self.words:
            out["result"] = [w.to_dict() for w in self.words]
        return out


class RecognizerSession(ABC):
    """A streaming recognition of one utterance or stream. Not thread-safe: one feeder."""

    @abstractmethod
    def accept(self, pcm: bytes) -> Partial | None:
        """Feed 16-bit mono PCM; return the current hypothesis, or ``None`` if none yet."""

    @abstractmethod
    def final(self) -> Result:
        """Flush and return the result for everything fed so far; the session is done."""

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract on purpose
        """Free engine resources early (optional; garbage collection also does it)."""


class Recognizer(ABC):
    """An engine with its model loaded. Thread-safe: sessions may run in parallel threads."""

    name: str = "base"
    supports_grammar: bool = False  # true: phrases constrain decoding, not just post-match

    @abstractmethod
    def stream(self, rate: int, phrases: Sequence[str] | None = None) -> RecognizerSession:
        """Start a streaming session for audio at ``rate`` Hz.

        ``phrases``: restrict the answer to these phrases (menus: yes/no, digits, category
        names). Engines without grammar support snap the free transcript to the closest
        phrase (see ``voice.asr.phrases``).
        """

    def transcribe(self, pcm: bytes, rate: int, phrases: Sequence[str] | None = None) -> Result:
        """Recognise a whole buffer; default feeds the streaming session in chunks."""
        session = self.stream(rate, phrases)
        step = int(rate * TRANSCRIBE_CHUNK_SECONDS) * 2
        for start in range(0, len(pcm), step):
            session.accept(pcm[start : start + step])
        return session.final()
