"""Vosk (Kaldi) engine: streaming, word timings with confidences, runtime grammars.

Why Vosk: it is the established offline recogniser with a small Vietnamese model
(vosk-model-small-vn-0.4, ~32 MB, Apache-2.0) and a runtime grammar, which makes menu
prompts (có/không, digits) robust on 8 kHz phone audio. The model is not on PyPI, so it is
downloaded once with ``python -m voice.download_model`` into ``VOSK_MODEL_DIR``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from voice.asr.base import (
    AsrError,
    ModelMissing,
    Partial,
    Recognizer,
    RecognizerSession,
    Result,
    Word,
)
from voice.asr.phrases import UNKNOWN, best_phrase
from voice.config import VoiceSettings
from voice.dsp import resample_pcm

REQUIRED_FILES = ("conf/model.conf",)
ACOUSTIC_MODELS = ("am/final.mdl", "final.mdl")


def check_model_dir(model_dir: Path) -> None:
    """Raise ``ModelMissing`` with the download step unless ``model_dir`` is a Vosk model."""
    missing = [name for name in REQUIRED_FILES if not (model_dir / name).is_file()]
    if not any((model_dir / name).is_file() for name in ACOUSTIC_MODELS):
        missing.append("am/final.mdl")
    if missing:
        raise ModelMissing(
            f"Vosk model not found in {model_dir} (missing {', '.join(missing)}). "
            "Download it with `python -m voice.download_model` (fetches "
            "vosk-model-small-vn-0.4 from alphacephei.com into VOSK_MODEL_DIR), "
            "or point VOSK_MODEL_DIR at an unpacked Vosk model, or set ASR_ENGINE=viet-asr."
        )


def _model_rate(model_dir: Path) -> tuple[int, bool]:
    """(feature sample rate, whether Kaldi may resample other rates itself)."""
    conf = model_dir / "conf" / "mfcc.conf"
    text = conf.read_text(encoding="utf-8") if conf.is_file() else ""
    match = re.search(r"--sample-frequency=(\d+)", text)
    rate = int(match.group(1)) if match else 16000
    allows = "--allow-upsample=true" in text and "--allow-downsample=true" in text
    return rate, allows


def _parse(raw: str, engine: str) -> Result:
    data: dict[str, Any] = json.loads(raw or "{}")
    words = [
        Word(
            str(w["word"]),
            float(w["start"]),
            float(w["end"]),
            float(w.get("conf", 1.0)),
        )
        for w in data.get("result", [])
        if w.get("word") != UNKNOWN
    ]
    text = " ".join(t for t in str(data.get("text", "")).split() if t != UNKNOWN)
    conf = sum(w.conf for w in words) / len(words) if words else None
    return Result(text=text, confidence=conf, words=words, engine=engine)


def _merge(parts: list[Result], phrases: Sequence[str] | None, engine: str) -> Result:
    words = [w for part in parts for w in part.words]
    text = " ".join(part.text for part in parts if part.text)
    conf = sum(w.conf for w in words) / len(words) if words else None
    phrase = None
    if phrases and text:
        phrase, _score = best_phrase(text, phrases)
    return Result(text=text, confidence=conf, words=words, engine=engine, phrase=phrase)


class VoskSession(RecognizerSession):
    """One KaldiRecognizer; Kaldi's own endpointing closes segments at pauses."""

    def __init__(self, owner: VoskRecognizer, rate: int, phrases: Sequence[str] | None) -> None:
        import vosk

        self._in_rate = rate
        self._feed_rate = rate if owner.resamples or rate == owner.model_rate else owner.model_rate
        self._phrases = list(phrases) if phrases else None
        if self._phrases:
            grammar = list(self._phrases)
            if owner.has_unknown_word and UNKNOWN not in grammar:
                grammar.append(UNKNOWN)  # lets off-menu speech fall out instead of forcing
            self._rec = vosk.KaldiRecognizer(owner.model, self._feed_rate, json.dumps(grammar, ensure_ascii=False))
        else:
            self._rec = vosk.KaldiRecognizer(owner.model, self._feed_rate)
        self._rec.SetWords(True)
        self._segments: list[Result] = []
        self._engine = owner.name

    def _prepare(self, pcm: bytes) -> bytes:
        if self._feed_rate != self._in_rate:
            return resample_pcm(pcm, self._in_rate, self._feed_rate)
        return pcm

    def _joined(self, tail: str) -> str:
        return " ".join(t for t in [*(s.text for s in self._segments), tail] if t)

    def accept(self, pcm: bytes) -> Partial | None:
        """Feed audio; returns a closed segment when Kaldi detected a pause."""
        if self._rec.AcceptWaveform(self._prepare(pcm)):
            segment = _parse(self._rec.Result(), self._engine)
            if segment.text:
                self._segments.append(segment)
                return Partial(text=self._joined(""), segment=segment)
            return Partial(text=self._joined("")) if self._segments else None
        partial = json.loads(self._rec.PartialResult() or "{}").get("partial", "")
        partial = " ".join(t for t in partial.split() if t != UNKNOWN)
        text = self._joined(partial)
        return Partial(text=text) if text else None

    def final(self) -> Result:
        """All segments plus the flushed remainder, with mean word confidence."""
        last = _parse(self._rec.FinalResult(), self._engine)
        parts = [*self._segments, last] if last.text else list(self._segments)
        return _merge(parts, self._phrases, self._engine)


class VoskRecognizer(Recognizer):
    """Vosk engine over one loaded model (shared, thread-safe, by all sessions)."""

    name = "vosk"
    supports_grammar = True

    def __init__(self, model_dir: str | Path | None = None) -> None:
        path = Path(model_dir) if model_dir else VoiceSettings.from_env().vosk_model_dir
        check_model_dir(path)
        try:
            import vosk
        except ImportError as exc:  # pragma: no cover - dependency is pinned
            raise ModelMissing("vosk is not installed: pip install -r requirements/voice.txt") from exc
        vosk.SetLogLevel(-1)
        self.model_dir = path
        try:
            self.model = vosk.Model(str(path))
        except Exception as exc:  # vosk raises bare Exception("Failed to create a model")
            raise AsrError(f"Vosk could not load the model in {path}: {exc}") from exc
        self.model_rate, self.resamples = _model_rate(path)
        self.has_unknown_word = self.model.vosk_model_find_word(UNKNOWN) >= 0

    def stream(self, rate: int, phrases: Sequence[str] | None = None) -> VoskSession:
        """Start a session; ``phrases`` become a Kaldi grammar (plus ``[unk]``)."""
        return VoskSession(self, rate, phrases)
