"""Turn whatever users send into 16-bit mono PCM at the rate a recogniser wants.

Inputs seen in practice: Telegram voice notes (OGG/Opus), Zalo voice (AAC in M4A/MP4),
web chat MediaRecorder (WebM/Opus), phone recorders (AMR, MP3), WAV at any rate/channels.

Design choices (why):
- The format is sniffed from the first bytes, never trusted from a filename or MIME type,
  so a renamed PDF is refused before ffmpeg ever parses it.
- ffmpeg reads from a temporary *file*, not a pipe: MP4/M4A often has its index ("moov")
  at the end, which cannot be reached on a non-seekable pipe.
- Limits on input bytes, decoded duration and wall time keep a hostile or broken upload
  from tying up a worker (decompression bombs, endless streams).
- 16-bit PCM WAV is handled in-process (no subprocess) because it is the hot path for
  the phone line and tests.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from voice.dsp import duration_seconds, resample_pcm, to_mono
from voice.errors import (
    AudioError,
    AudioTooLarge,
    AudioToolMissing,
    CorruptAudio,
    UnsupportedAudio,
)
from voice.wav import parse_wav, read_wav, wav_bytes, write_wav

__all__ = [
    "AudioError",
    "AudioTooLarge",
    "AudioToolMissing",
    "CorruptAudio",
    "UnsupportedAudio",
    "decode_file",
    "decode_to_pcm",
    "read_wav",
    "sniff_format",
    "wav_bytes",
    "write_wav",
]

log = logging.getLogger(__name__)

MAX_INPUT_BYTES = 25 * 1024 * 1024  # Telegram bots receive files up to 20 MB
MAX_SECONDS = 600.0  # ten minutes of speech is far beyond any voice note
DECODE_TIMEOUT = 30.0

_NO_AUDIO_MARKERS = ("matches no streams", "does not contain any stream", "no audio")


def sniff_format(data: bytes) -> str | None:
    """Name the container/codec family from magic bytes, or ``None`` if not audio we take."""
    head = data[:64]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"OggS":
        if b"OpusHead" in head:
            return "ogg-opus"
        if b"\x01vorbis" in head:
            return "ogg-vorbis"
        return "ogg"
    if head[4:8] == b"ftyp":
        return "mp4"  # M4A / MP4 / 3GP: AAC or AMR inside
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:5] == b"#!AMR":
        return "amr"
    if head[:4] == b"caff":
        return "caf"
    if head[:3] == b"ID3":
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS sync word with layer bits 00
            return "aac"
        if head[1] & 0xE0 == 0xE0 and head[1] & 0x06 != 0:  # MPEG audio frame sync
            return "mp3"
    return None


def _ffmpeg() -> str:
    path = shutil.which("ffmpeg")
    if path is None:
        raise AudioToolMissing(
            "máy chủ chưa cài ffmpeg",
            "ffmpeg is not installed: apt-get install ffmpeg (see requirements/apt-voice.txt)",
        )
    return path


def _finish(pcm: bytes, src_rate: int, channels: int, rate: int, max_seconds: float) -> bytes:
    mono = to_mono(pcm, channels)
    limit = int(max_seconds * src_rate) * 2
    mono = mono[:limit]
    out = resample_pcm(mono, src_rate, rate)
    if not out:
        raise CorruptAudio("tệp âm thanh không có nội dung", "audio contains no samples")
    return out


def _run_ffmpeg(data: bytes, kind: str, rate: int, timeout: float, max_seconds: float) -> bytes:
    exe = _ffmpeg()
    with tempfile.TemporaryDirectory(prefix="voice-dec-") as tmp:
        src = Path(tmp) / f"input.{kind}"
        src.write_bytes(data)
        cmd = [
            exe, "-hide_banner", "-nostdin", "-loglevel", "error",
            "-i", str(src), "-map", "0:a:0", "-vn", "-t", f"{max_seconds:.3f}",
            "-ac", "1", "-ar", str(rate), "-acodec", "pcm_s16le", "-f", "s16le", "pipe:1",
        ]  # fmt: skip
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise CorruptAudio(
                "không giải mã được âm thanh trong thời gian cho phép",
                f"decoding took longer than {timeout:.0f} s",
            ) from exc
    err = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        if any(marker in err.lower() for marker in _NO_AUDIO_MARKERS):
            raise UnsupportedAudio("tệp không chứa âm thanh", "file has no audio track", err)
        raise CorruptAudio(
            "tệp âm thanh bị hỏng hoặc không đọc được",
            f"corrupt or unreadable {kind} audio",
            err,
        )
    if len(proc.stdout) < 2:
        raise CorruptAudio("tệp âm thanh không có nội dung", "audio contains no samples", err)
    return proc.stdout[: len(proc.stdout) - len(proc.stdout) % 2]


def decode_to_pcm(
    data: bytes,
    rate: int = 16000,
    *,
    timeout: float = DECODE_TIMEOUT,
    max_bytes: int = MAX_INPUT_BYTES,
    max_seconds: float = MAX_SECONDS,
) -> bytes:
    """Decode any supported audio bytes to 16-bit little-endian mono PCM at ``rate``.

    Raises ``UnsupportedAudio`` (not audio / unknown format / no audio track),
    ``CorruptAudio`` (known format, undecodable), ``AudioTooLarge`` or ``AudioToolMissing``.
    """
    if not data:
        raise UnsupportedAudio("không nhận được dữ liệu âm thanh", "empty audio input")
    if len(data) > max_bytes:
        raise AudioTooLarge(
            f"tệp âm thanh quá lớn (tối đa {max_bytes // (1024 * 1024)} MB)",
            f"audio is {len(data)} bytes, limit is {max_bytes}",
        )
    kind = sniff_format(data)
    if kind is None:
        raise UnsupportedAudio(
            "định dạng âm thanh không được hỗ trợ (hãy gửi tin nhắn thoại, MP3, M4A hoặc WAV)",
            "unsupported audio format (send a voice note, MP3, M4A or WAV)",
        )
    if kind == "wav":
        parsed = parse_wav(data)
        if parsed is not None:
            return _finish(parsed.pcm, parsed.rate, parsed.channels, rate, max_seconds)
    pcm = _run_ffmpeg(data, kind, rate, timeout, max_seconds)
    log.debug("decoded %s: %.2f s at %d Hz", kind, duration_seconds(pcm, rate), rate)
    return pcm


def decode_file(path: str | Path, rate: int = 16000, *, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """Convenience wrapper of :func:`decode_to_pcm` for a file on disk.

    The size is checked before reading so a huge file is not loaded into memory.
    """
    source = Path(path)
    size = source.stat().st_size
    if size > max_bytes:
        raise AudioTooLarge(
            f"tệp âm thanh quá lớn (tối đa {max_bytes // (1024 * 1024)} MB)",
            f"audio is {size} bytes, limit is {max_bytes}",
        )
    return decode_to_pcm(source.read_bytes(), rate, max_bytes=max_bytes)
