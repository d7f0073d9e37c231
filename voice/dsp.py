"""Small in-process PCM helpers: mix-down, resampling, level.

Why in-process: the hotline plays TTS sentence by sentence and must not pay an ffmpeg
process start (~30 ms) per sentence; a windowed-sinc resampler in numpy is fast enough
(well under 1 % of a core for 8 kHz output) and has a proper anti-alias low-pass, which
the naive linear interpolation would not (espeak's 22.05 kHz -> 8 kHz phone line would
alias audibly).
"""

from __future__ import annotations

from functools import lru_cache
from math import gcd

import numpy as np

SAMPLE_WIDTH = 2  # bytes per sample: everything here is 16-bit signed little-endian


def as_int16(pcm: bytes) -> np.ndarray:
    """View little-endian 16-bit PCM bytes as an int16 array (odd trailing byte dropped)."""
    usable = len(pcm) - (len(pcm) % SAMPLE_WIDTH)
    return np.frombuffer(pcm[:usable], dtype="<i2")


def to_mono(pcm: bytes, channels: int) -> bytes:
    """Average interleaved channels into one; averaging avoids clipping that summing causes."""
    if channels == 1:
        return pcm
    samples = as_int16(pcm)
    frames = len(samples) // channels
    stacked = samples[: frames * channels].reshape(frames, channels).astype(np.int32)
    return stacked.mean(axis=1).round().astype("<i2").tobytes()


def interleave(left: bytes, right: bytes) -> bytes:
    """Make stereo PCM from two mono streams, padding the shorter one with silence."""
    a, b = as_int16(left), as_int16(right)
    n = max(len(a), len(b))
    out = np.zeros((n, 2), dtype="<i2")
    out[: len(a), 0] = a
    out[: len(b), 1] = b
    return out.tobytes()


def _kaiser(x: np.ndarray, beta: float) -> np.ndarray:
    """Kaiser window evaluated at x in [-1, 1] (0 outside)."""
    inside = np.clip(1.0 - x * x, 0.0, None)
    return np.where(np.abs(x) <= 1.0, np.i0(beta * np.sqrt(inside)) / np.i0(beta), 0.0)


@lru_cache(maxsize=32)
def _polyphase_table(up: int, down: int, zero_crossings: int) -> tuple[np.ndarray, int]:
    """Filter taps for every output phase of an up/down resampler (cached per rate pair).

    Why a table: evaluating the Bessel-based window per output sample is ~20x slower than
    gathering precomputed taps, and the phone path resamples every TTS sentence.
    """
    cutoff = min(1.0, up / down) * 0.94  # fraction of the input Nyquist
    half = int(np.ceil(zero_crossings / cutoff))
    offsets = np.arange(-half + 1, half + 1)
    frac = np.arange(up) / up  # fractional input position of each phase
    dist = frac[:, None] - offsets[None, :]
    table = cutoff * np.sinc(cutoff * dist) * _kaiser(dist / (half + 1), 8.0)
    return table.astype(np.float32), half


def resample_pcm(pcm: bytes, src_rate: int, dst_rate: int, zero_crossings: int = 12) -> bytes:
    """Resample mono 16-bit PCM with a Kaiser-windowed sinc (polyphase) filter.

    The cut-off follows the lower of the two Nyquist frequencies, so downsampling is
    band-limited first. Work is done in blocks so memory stays bounded for long input.
    """
    if src_rate <= 0 or dst_rate <= 0:
        raise ValueError("sample rates must be positive")
    if src_rate == dst_rate or not pcm:
        return pcm
    g = gcd(src_rate, dst_rate)
    up, down = dst_rate // g, src_rate // g
    table, half = _polyphase_table(up, down, zero_crossings)
    x = as_int16(pcm).astype(np.float32)
    n_out = len(x) * up // down
    if n_out == 0:
        return b""
    padded = np.concatenate([np.zeros(half, np.float32), x, np.zeros(half + 1, np.float32)])
    offsets = np.arange(-half + 1, half + 1) + half
    out = np.empty(n_out, dtype=np.float32)
    block = 8192
    for start in range(0, n_out, block):
        k = np.arange(start, min(start + block, n_out), dtype=np.int64)
        pos = k * down
        base, phase = pos // up, pos % up
        frames = padded[base[:, None] + offsets[None, :]]
        out[start : start + len(k)] = np.einsum("ij,ij->i", frames, table[phase])
    return np.clip(np.round(out), -32768, 32767).astype("<i2").tobytes()


def rms_dbfs(pcm: bytes) -> float:
    """Level in dBFS (0 = full scale); -120 for silence, so callers can compare thresholds."""
    samples = as_int16(pcm)
    if len(samples) == 0:
        return -120.0
    mean_sq = float(np.mean(samples.astype(np.float64) ** 2))
    if mean_sq <= 0:
        return -120.0
    return max(-120.0, 10 * np.log10(mean_sq / 32768.0**2))


def duration_seconds(pcm: bytes, rate: int, channels: int = 1) -> float:
    """Duration of 16-bit PCM."""
    return len(pcm) / (SAMPLE_WIDTH * channels * rate)
