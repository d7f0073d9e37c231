"""Store what citizens send (photos, voice notes, clips) in the shared file store
(feedback_router.messaging.blobs: UPLOAD_DIR or the database, BLOB_STORE), and the optional
bridges to the voice package (ASR for voice notes, TTS for device replies)."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from bot.message import Attachment
from feedback_router.core.settings import get_settings
from feedback_router.messaging import blobs

log = logging.getLogger(__name__)

IMAGE_MIMES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}


def store_bytes(channel: str, data: bytes, *, kind: str, suffix: str, mime: str | None = None) -> Attachment:
    """Store one upload as <channel>/<yyyy-mm-dd>/<random><suffix>; ``path`` is the store's
    reference (a path under UPLOAD_DIR, or ``db:<key>``), readable by every replica."""
    ref = blobs.store().put(blobs.new_key(channel, suffix), data, mime)
    return Attachment(kind=kind, path=ref, mime=mime, size=len(data))


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
    return get_settings().asr_on


def transcribe(ref: str | Path) -> str | None:
    """Speech to text of a stored clip (its reference) through voice.asr when it exists and
    works; None otherwise (the caller keeps the clip as an attachment and says so)."""
    if not asr_enabled():
        return None
    try:
        from voice.asr import get_recognizer
        from voice.audio import decode_to_pcm
    except ImportError:
        return None
    data = blobs.read(str(ref))
    if data is None:
        log.warning("transcription: stored clip not found")
        return None
    try:
        pcm = decode_to_pcm(data, 16000)
        text = get_recognizer().transcribe(pcm, 16000).text.strip()
    except Exception as exc:  # a voice note we cannot read must not break the chat
        log.warning("transcription failed: %s", exc.__class__.__name__)
        return None
    return text or None


def tts_enabled() -> bool:
    if not get_settings().tts_on:
        return False
    try:
        import voice.tts  # noqa: F401
    except ImportError:
        return False
    return True


TTS_FOLDER = "tts"


def synthesize_to_upload(text: str) -> str | None:
    """Reply text as a WAV in the file store (``tts/<random>.wav``, any replica serves it:
    :func:`speech_wav`); returns its file name, or None when TTS is unavailable."""
    if not text.strip() or not tts_enabled():
        return None
    try:
        from voice.tts import synthesize
        from voice.wav import wav_bytes

        rate = 16000
        name = f"{uuid.uuid4().hex}.wav"
        blobs.store().put(f"{TTS_FOLDER}/{name}", wav_bytes(synthesize(text, rate), rate), "audio/wav")
        return name
    except Exception as exc:
        log.warning("speech synthesis failed: %s", exc.__class__.__name__)
        return None


def speech_wav(name: str) -> bytes | None:
    """A WAV :func:`synthesize_to_upload` stored (by this replica or another one)."""
    return blobs.store().get(f"{TTS_FOLDER}/{name}")
