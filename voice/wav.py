"""WAV read/write without ffmpeg for the common 16-bit PCM case.

Why our own RIFF walk instead of the stdlib ``wave`` module: ``espeak-ng --stdout`` and
other streaming writers put a 0 or 0xFFFFFFFF length in the data chunk (they do not know
it yet), which ``wave`` reports as zero frames; WAVE_FORMAT_EXTENSIBLE headers (common
from phones and Windows tools) are also refused by ``wave``. Anything that is not 16-bit
integer PCM is left to ffmpeg by returning ``None``.
"""

from __future__ import annotations

import io
import struct
import wave
from dataclasses import dataclass
from pathlib import Path

from voice.dsp import to_mono
from voice.errors import CorruptAudio

_PCM = 1
_EXTENSIBLE = 0xFFFE


@dataclass(frozen=True)
class WavData:
    """Decoded 16-bit PCM from a WAV container."""

    pcm: bytes
    rate: int
    channels: int


def parse_wav(data: bytes) -> WavData | None:
    """Parse a 16-bit PCM WAV from bytes.

    Returns ``None`` when the file is a valid WAV in another encoding (float, 8/24-bit,
    mu-law, ADPCM ...) so the caller can fall back to ffmpeg. Raises ``CorruptAudio``
    when the RIFF structure itself is broken.
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise CorruptAudio("không phải tệp WAV hợp lệ", "not a valid WAV file")
    pos = 12
    fmt: tuple[int, int, int, int] | None = None
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        (size,) = struct.unpack_from("<I", data, pos + 4)
        body = pos + 8
        if chunk_id == b"fmt ":
            if size < 16 or body + 16 > len(data):
                raise CorruptAudio("tiêu đề WAV bị hỏng", "WAV fmt chunk is truncated")
            tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", data, body)
            if tag == _EXTENSIBLE and size >= 40 and body + 26 <= len(data):
                (tag,) = struct.unpack_from("<H", data, body + 24)
            fmt = (tag, channels, rate, bits)
        elif chunk_id == b"data":
            if fmt is None:
                raise CorruptAudio("tệp WAV thiếu phần định dạng", "WAV data before fmt chunk")
            end = body + size
            if size in (0, 0xFFFFFFFF) or end > len(data):
                end = len(data)  # streaming writer did not know the length
            tag, channels, rate, bits = fmt
            if tag != _PCM or bits != 16 or channels < 1 or rate < 1:
                return None
            pcm = data[body:end]
            pcm = pcm[: len(pcm) - len(pcm) % (2 * channels)]
            return WavData(pcm=pcm, rate=rate, channels=channels)
        pos = body + size + (size & 1)
    raise CorruptAudio("tệp WAV không có dữ liệu âm thanh", "WAV file has no data chunk")


def wav_bytes(pcm: bytes, rate: int, channels: int = 1) -> bytes:
    """Wrap 16-bit PCM in a WAV container (in memory)."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()


def write_wav(path: str | Path, pcm: bytes, rate: int, channels: int = 1) -> Path:
    """Write 16-bit PCM to a WAV file, creating parent folders."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(wav_bytes(pcm, rate, channels))
    return target


def read_wav(path: str | Path) -> tuple[bytes, int]:
    """Read a 16-bit PCM WAV file as mono PCM and its rate.

    For other WAV encodings use ``voice.audio.decode_to_pcm`` (ffmpeg).
    """
    parsed = parse_wav(Path(path).read_bytes())
    if parsed is None:
        raise CorruptAudio(
            "WAV không phải PCM 16-bit, hãy dùng decode_to_pcm",
            "WAV is not 16-bit PCM; use voice.audio.decode_to_pcm",
        )
    return to_mono(parsed.pcm, parsed.channels), parsed.rate
