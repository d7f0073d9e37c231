"""Text to speech: 16-bit mono PCM at the rate the caller needs (8 kHz phone, 16 kHz+ device).

Engines:
- espeak-ng (Debian package, voice ``vi``): always available, robotic but intelligible,
  ~10 ms per sentence, so it never delays a phone reply. Default.
- Piper (neural, much more natural) when ``PIPER_VOICE`` points to a ``.onnx`` voice: the
  ``piper-tts`` Python package (>= 1.3 API) or a ``piper`` binary on PATH is used. Wired
  but not exercised by the tests: no voice file can be fetched in this build environment.
  piper-tts is GPL-3.0, which is why it is an optional install and not pinned here.

Text is normalised first (``voice.speech_text``), then split into sentences so playback
can start after the first sentence while the rest is synthesised.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import subprocess
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from voice.config import VoiceSettings
from voice.dsp import resample_pcm, to_mono
from voice.errors import AudioError
from voice.speech_text import normalize_for_speech, split_sentences
from voice.wav import parse_wav

log = logging.getLogger(__name__)

PHONE_RATE = 8000
DEVICE_RATE = 16000
TTS_TIMEOUT = 20.0


class TtsError(RuntimeError):
    """Synthesis failed or the engine is not installed."""


class Synthesizer(ABC):
    """An engine turning one already-normalised sentence into PCM at its native rate."""

    name = "base"

    @abstractmethod
    def synthesize_native(self, sentence: str) -> tuple[bytes, int]:
        """Return (16-bit mono PCM, sample rate) for one sentence."""


class EspeakSynthesizer(Synthesizer):
    """espeak-ng through a subprocess; text goes via stdin so it is never parsed as options."""

    name = "espeak-ng"

    def __init__(self, voice: str = "vi", words_per_minute: int = 150, pitch: int = 50) -> None:
        exe = shutil.which("espeak-ng") or shutil.which("espeak")
        if exe is None:
            raise TtsError("espeak-ng is not installed: apt-get install espeak-ng")
        self._cmd = [exe, "-v", voice, "-s", str(words_per_minute), "-p", str(pitch),
                     "-b", "1", "--stdout"]  # fmt: skip

    def synthesize_native(self, sentence: str) -> tuple[bytes, int]:
        """Run espeak-ng once; its streaming WAV header is handled by ``parse_wav``."""
        try:
            proc = subprocess.run(
                self._cmd, input=sentence.encode("utf-8"), capture_output=True,
                timeout=TTS_TIMEOUT, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            raise TtsError("espeak-ng timed out") from exc
        if proc.returncode != 0:
            raise TtsError(f"espeak-ng failed: {proc.stderr.decode('utf-8', 'replace')[:200]}")
        try:
            parsed = parse_wav(proc.stdout)
        except AudioError as exc:
            raise TtsError(f"espeak-ng produced no WAV: {exc}") from exc
        if parsed is None:
            raise TtsError("espeak-ng produced an unexpected WAV encoding")
        return to_mono(parsed.pcm, parsed.channels), parsed.rate


class PiperSynthesizer(Synthesizer):
    """Piper neural voice: Python API (piper-tts >= 1.3) or the ``piper`` binary."""

    name = "piper"

    def __init__(self, voice_path: Path) -> None:
        if not voice_path.is_file():
            raise TtsError(f"PIPER_VOICE file not found: {voice_path}")
        self._path = voice_path
        self._voice: Any = None
        self._binary: str | None = None
        try:
            from piper import PiperVoice  # type: ignore[import-not-found]

            self._voice = PiperVoice.load(str(voice_path))
        except ImportError:
            self._binary = shutil.which("piper")
            if self._binary is None:
                raise TtsError(
                    "PIPER_VOICE is set but neither the piper-tts package nor a piper binary "
                    "is installed (pip install piper-tts; note its GPL-3.0 licence)"
                ) from None
        self._rate = self._config_rate()

    def _config_rate(self) -> int:
        config = Path(f"{self._path}.json")
        if config.is_file():
            data = json.loads(config.read_text(encoding="utf-8"))
            return int(data.get("audio", {}).get("sample_rate", 22050))
        return 22050

    def synthesize_native(self, sentence: str) -> tuple[bytes, int]:
        """Synthesize with the loaded voice (API) or one binary run (``--output_raw``)."""
        if self._voice is not None:
            chunks = list(self._voice.synthesize(sentence))
            if not chunks:
                return b"", self._rate
            return b"".join(c.audio_int16_bytes for c in chunks), int(chunks[0].sample_rate)
        assert self._binary is not None
        try:
            proc = subprocess.run(
                [self._binary, "--model", str(self._path), "--output_raw"],
                input=sentence.encode("utf-8"), capture_output=True, timeout=TTS_TIMEOUT,
                check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            raise TtsError("piper timed out") from exc
        if proc.returncode != 0:
            raise TtsError(f"piper failed: {proc.stderr.decode('utf-8', 'replace')[:200]}")
        return proc.stdout, self._rate


_default: Synthesizer | None = None
_default_lock = threading.Lock()


def get_synthesizer(settings: VoiceSettings | None = None) -> Synthesizer:
    """Piper when ``PIPER_VOICE`` is usable, else espeak-ng (cached per process).

    A misconfigured Piper falls back to espeak-ng with a warning: on a hotline a robotic
    voice is better than silence.
    """
    global _default
    with _default_lock:
        if _default is None:
            cfg = settings or VoiceSettings.from_env()
            if cfg.piper_voice is not None:
                try:
                    _default = PiperSynthesizer(cfg.piper_voice)
                except TtsError as exc:
                    log.warning("Piper unavailable, using espeak-ng: %s", exc)
            if _default is None:
                _default = EspeakSynthesizer()
        return _default


class _SentenceCache:
    """Small LRU of synthesised sentences: greetings and menus repeat on every call."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, int]) -> bytes | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: tuple[str, str, int], pcm: bytes) -> None:
        with self._lock:
            self._items[key] = pcm
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_cache = _SentenceCache()


def synthesize_sentence(sentence: str, rate: int, engine: Synthesizer | None = None) -> bytes:
    """PCM at ``rate`` for one already-normalised sentence (cached)."""
    synth = engine or get_synthesizer()
    key = (synth.name, sentence, rate)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    pcm, native_rate = synth.synthesize_native(sentence)
    out = resample_pcm(pcm, native_rate, rate)
    _cache.put(key, out)
    return out


def speech_sentences(text: str) -> list[str]:
    """Normalise then split: what will actually be spoken, sentence by sentence."""
    return split_sentences(normalize_for_speech(text))


def synthesize_stream(text: str, rate: int, engine: Synthesizer | None = None) -> Iterator[bytes]:
    """Yield PCM per sentence so playback can begin before the rest is synthesised."""
    for sentence in speech_sentences(text):
        yield synthesize_sentence(sentence, rate, engine)


def synthesize(text: str, rate: int = DEVICE_RATE, engine: Synthesizer | None = None) -> bytes:
    """Whole text as one PCM buffer (16-bit mono at ``rate``)."""
    return b"".join(synthesize_stream(text, rate, engine))


async def asynthesize_stream(
    text: str,
    rate: int,
    engine: Synthesizer | None = None,
    executor: Executor | None = None,
) -> AsyncIterator[bytes]:
    """Async :func:`synthesize_stream`: synthesis runs in ``executor`` and the next
    sentence is already being synthesised while the current one is played."""
    loop = asyncio.get_running_loop()
    synth = engine or await loop.run_in_executor(executor, get_synthesizer)
    remaining = iter(speech_sentences(text))

    def start() -> asyncio.Future[bytes] | None:
        sentence = next(remaining, None)
        if sentence is None:
            return None
        return loop.run_in_executor(executor, synthesize_sentence, sentence, rate, synth)

    pending = start()
    try:
        while pending is not None:
            pcm = await pending
            pending = start()  # synthesise the next sentence while this one plays
            yield pcm
    finally:
        if pending is not None:
            pending.cancel()
