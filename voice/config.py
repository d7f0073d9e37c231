"""Environment-only configuration for the voice package.

Why env only: the same code runs embedded on one machine and in docker-compose with N
replicas (see shared/ARCHITECTURE.md); every knob therefore comes from the environment,
with defaults that are safe on a developer laptop (loopback addresses, paths under var/).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_VOSK_MODEL_DIR = "var/models/vosk-model-small-vn-0.4"
VOSK_MODEL_URL = "https://alphacephei.com/vosk/models/vosk-model-small-vn-0.4.zip"


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    """Read an int, failing loudly: a typo in a port must not silently use the default."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class VoiceSettings:
    """All voice settings; build with :meth:`from_env`."""

    vosk_model_dir: Path = Path(DEFAULT_VOSK_MODEL_DIR)
    asr_engine: str = "auto"
    piper_voice: Path | None = None
    audiosocket_host: str = "127.0.0.1"
    audiosocket_port: int = 9092
    vosk_ws_host: str = "127.0.0.1"
    vosk_ws_port: int = 2700
    recordings_dir: Path = Path("var/recordings")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> VoiceSettings:
        """Read settings from ``env`` (default: ``os.environ``)."""
        e = os.environ if env is None else env
        piper = e.get("PIPER_VOICE", "").strip()
        engine = e.get("ASR_ENGINE", "auto").strip().lower() or "auto"
        if engine not in {"auto", "vosk", "viet-asr"}:
            raise ValueError(f"ASR_ENGINE must be vosk, viet-asr or auto, got {engine!r}")
        return cls(
            vosk_model_dir=Path(e.get("VOSK_MODEL_DIR", "").strip() or DEFAULT_VOSK_MODEL_DIR),
            asr_engine=engine,
            piper_voice=Path(piper) if piper else None,
            audiosocket_host=e.get("AUDIOSOCKET_HOST", "").strip() or "127.0.0.1",
            audiosocket_port=_int(e, "AUDIOSOCKET_PORT", 9092),
            vosk_ws_host=e.get("VOSK_WS_HOST", "").strip() or "127.0.0.1",
            vosk_ws_port=_int(e, "VOSK_WS_PORT", 2700),
            recordings_dir=Path(e.get("VOICE_RECORDINGS_DIR", "").strip() or "var/recordings"),
        )
