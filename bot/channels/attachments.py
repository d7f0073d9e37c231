"""Store what citizens send (photos, voice notes, clips) under var/uploads/, and the
optional bridges to the voice package (ASR for voice notes, TTS for device replies)."""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path

from bot.message import Attachment
from nlu import clock

log = logging.getLogger(__name__)

IMAGE_MIMES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}


def upload_dir() -> Path:
    return Path(os.environ.get("UPLOAD_DIR", "var/uploads"))


def store_bytes(channel: str, data: bytes, *, kind: str, suffix: str, mime: str | None = None) -> Attachment:
    """Write one upload under <UPLOAD_DIR>/<channel>/<yyyy-mm-dd>/<random><suffix>."""
    day = clock.now().strftime("%Y-%m-%d")
    folder = upload_dir() / channel / day
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    path.write_bytes(data)
    return Attachment(kind=kind, path=str(path), mime=mime, size=len(data))


def sniff_image(data: bytes) -> str | None:
    """'jpeg' | 'png' | 'webp' | 'gif' from magic bytes, else None."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def sniff_audio(data: bytes) -> str | None:
    """Audio family from magic bytes (voice.audio's sniffer when present)."""
    try:
        from voice.audio import sniff_format
    except ImportError:  # voice package not installed: accept the common containers only
        head = data[:12]
        if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            return "wav"
        if head[:4] == b"OggS":
            return "ogg"
        if head[4:8] == b"ftyp":
            return "mp4"
        if head[:3] == b"ID3":
            return "mp3"
        return None
    return sniff_format(data)


def asr_enabled() -> bool:
    return os.environ.get("CHANNELS_ASR", "auto").lower() not in ("off", "0", "false", "no")


def transcribe(path: str | Path) -> str | None:
    """Speech to text through voice.asr when it exists and works; None otherwise
    (the caller keeps the clip as an attachment and says so)."""
    if not asr_enabled():
        return None
    try:
        from voice.asr import get_recognizer
        from voice.audio import decode_file
    except ImportError:
        return None
    try:
        pcm = decode_file(path, 16000)
        text = get_recognizer().transcribe(pcm, 16000).text.strip()
    except Exception as exc:  # a voice note we cannot read must not break the chat
        log.warning("transcription failed: %s", exc.__class__.__name__)
        return None
    return text or None


def tts_enabled() -> bool:
    if os.environ.get("CHANNELS_TTS", "auto").lower() in ("off", "0", "false", "no"):
        return False
    try:
        import voice.tts  # noqa: F401
    except ImportError:
        return False
    return True


def synthesize_to_upload(text: str) -> Path | None:
    """Reply text as a WAV under <UPLOAD_DIR>/tts/, or None when TTS is unavailable."""
    if not text.strip() or not tts_enabled():
        return None
    try:
        from voice.tts import synthesize
        from voice.wav import write_wav

        rate = 16000
        pcm = synthesize(text, rate)
        folder = upload_dir() / "tts"
        folder.mkdir(parents=True, exist_ok=True)
        return write_wav(folder / f"{uuid.uuid4().hex}.wav", pcm, rate)
    except Exception as exc:
        log.warning("speech synthesis failed: %s", exc.__class__.__name__)
        return None
