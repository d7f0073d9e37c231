"""What a hotline call leaves behind: transcript turns, a two-channel recording, a record.

Why stereo (left = caller, right = assistant): a supervisor reviewing a complaint hears
who said what, and the caller channel alone can be re-run through ASR. Bot audio is laid
on the caller's timeline (the caller stream is continuous on AudioSocket), so the two
channels stay in sync without timestamps on the wire.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from voice.dsp import interleave
from voice.wav import write_wav

Role = Literal["caller", "bot", "dtmf", "system"]


def mask_number(number: str | None) -> str:
    """Mask a phone number for logs ("0912345678" -> "091****678"); personal data rule."""
    if not number:
        return "-"
    digits = re.sub(r"\D", "", number)
    if len(digits) <= 6:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 6)}{digits[-3:]}"


@dataclass(frozen=True)
class Turn:
    """One step of the conversation; ``at`` is seconds from the start of the call.

    ``latency`` (bot turns answering speech): end of the caller's utterance (endpoint)
    to the first reply audio frame sent. ``interrupted``: cut by barge-in, DTMF or hangup.
    """

    role: Role
    text: str
    at: float
    confidence: float | None = None
    interrupted: bool = False
    latency: float | None = None


@dataclass(frozen=True)
class CallRecord:
    """Handed to ``on_call_end`` once the call is over."""

    uuid: str
    caller: str | None
    sender_id: str
    started_at: datetime
    duration: float
    turns: list[Turn] = field(default_factory=list)
    recording_path: Path | None = None
    transferred: bool = False
    end_reason: str = ""

    def transcript_text(self) -> str:
        """Plain-text transcript, one line per turn."""
        labels = {
            "caller": "Người gọi",
            "bot": "Tổng đài",
            "dtmf": "Phím",
            "system": "Hệ thống",
        }
        return "\n".join(
            f"[{t.at:6.1f}s] {labels[t.role]}: {t.text}{' (ngắt)' if t.interrupted else ''}" for t in self.turns
        )

    @property
    def transcript_path(self) -> Path | None:
        """``<recording>.json`` next to the recording (None without a recording)."""
        return None if self.recording_path is None else self.recording_path.with_suffix(".json")

    def save_transcript(self) -> Path | None:
        """Write the turns as JSON beside the recording: a call that filed no ticket (or
        whose ticket store was down) still leaves its words next to its audio."""
        target = self.transcript_path
        if target is None:
            return None
        data = {
            "uuid": self.uuid, "sender_id": self.sender_id, "caller_masked": mask_number(self.caller),
            "started_at": self.started_at.isoformat(), "duration": round(self.duration, 2),
            "end_reason": self.end_reason, "transferred": self.transferred,
            "turns": [asdict(t) for t in self.turns],
        }  # fmt: skip
        target.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        return target


class CallRecorder:
    """Accumulates both directions as 16-bit PCM, capped at ``max_seconds``."""

    def __init__(self, rate: int, max_seconds: float = 3600.0) -> None:
        self.rate = rate
        self._limit = int(max_seconds * rate) * 2
        self._caller = bytearray()
        self._bot = bytearray()

    @property
    def caller_seconds(self) -> float:
        """Caller audio received so far (the call's media clock)."""
        return len(self._caller) / (2 * self.rate)

    def add_caller(self, pcm: bytes) -> None:
        """Append caller audio as it arrives."""
        room = self._limit - len(self._caller)
        if room > 0:
            self._caller += pcm[:room]

    def add_bot(self, pcm: bytes) -> None:
        """Place bot audio at the current caller position (or right after earlier bot audio)."""
        start = max(len(self._bot), len(self._caller))
        room = self._limit - start
        if room <= 0:
            return
        if start > len(self._bot):
            self._bot += bytes(start - len(self._bot))
        self._bot += pcm[:room]

    def save(self, path: Path) -> Path | None:
        """Write a stereo WAV (L caller, R bot); ``None`` when nothing was heard."""
        if not self._caller and not self._bot:
            return None
        return write_wav(path, interleave(bytes(self._caller), bytes(self._bot)), self.rate, 2)
