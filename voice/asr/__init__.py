"""Speech recognition: one interface, two engines, chosen by ``ASR_ENGINE``.

``auto`` picks Vosk when its model directory exists (the better-known engine with word
timings and grammars), else viet-asr, whose model ships inside its wheel, so a fresh clone
can recognise Vietnamese without any download.
"""

from __future__ import annotations

import threading

from voice.asr.base import (
    AsrError,
    ModelMissing,
    Partial,
    Recognizer,
    RecognizerSession,
    Result,
    Word,
)
from voice.config import VoiceSettings

__all__ = [
    "AsrError",
    "ModelMissing",
    "Partial",
    "Recognizer",
    "RecognizerSession",
    "Result",
    "Word",
    "get_recognizer",
    "resolve_engine",
]

_cache: dict[tuple[str, str], Recognizer] = {}
_lock = threading.Lock()


def resolve_engine(engine: str | None = None, settings: VoiceSettings | None = None) -> str:
    """Engine name that ``get_recognizer`` would use ("vosk" or "viet-asr")."""
    cfg = settings or VoiceSettings.from_env()
    name = (engine or cfg.asr_engine).strip().lower()
    if name == "auto":
        return "vosk" if (cfg.vosk_model_dir / "conf" / "model.conf").is_file() else "viet-asr"
    if name not in {"vosk", "viet-asr"}:
        raise ValueError(f"unknown ASR engine {name!r} (use vosk, viet-asr or auto)")
    return name


def get_recognizer(engine: str | None = None, settings: VoiceSettings | None = None) -> Recognizer:
    """Return a loaded recogniser, cached per process (models take 1-2 s and ~100 MB+).

    Raises ``ModelMissing`` with the download step if Vosk is selected without a model.
    """
    cfg = settings or VoiceSettings.from_env()
    name = resolve_engine(engine, cfg)
    key = (name, str(cfg.vosk_model_dir) if name == "vosk" else "")
    with _lock:
        if key not in _cache:
            if name == "vosk":
                from voice.asr.vosk_engine import VoskRecognizer

                _cache[key] = VoskRecognizer(cfg.vosk_model_dir)
            else:
                from voice.asr.vietasr_engine import VietAsrRecognizer

                _cache[key] = VietAsrRecognizer()
        return _cache[key]
