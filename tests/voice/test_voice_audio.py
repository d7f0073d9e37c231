"""Audio conversion: every input users send becomes 16-bit mono PCM at the asked rate."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

from voice.audio import (
    AudioError,
    AudioTooLarge,
    CorruptAudio,
    UnsupportedAudio,
    decode_file,
    decode_to_pcm,
    sniff_format,
)
from voice.dsp import as_int16, resample_pcm, rms_dbfs, to_mono
from voice.wav import parse_wav, read_wav, wav_bytes, write_wav


def _encode(ffmpeg: str, src: Path, dst: Path, *args: str) -> bytes:
    subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-i", str(src), *args,
                    str(dst)], check=True, timeout=60)  # fmt: skip
    return dst.read_bytes()


# (suffix, ffmpeg options, sniffed kind): what Telegram, Zalo, browsers and phones send.
FORMATS = [
    ("ogg", ["-ac", "1", "-c:a", "libopus", "-b:a", "24k"], "ogg-opus"),  # Telegram voice
    ("m4a", ["-c:a", "aac", "-b:a", "64k"], "mp4"),  # Zalo voice / iPhone memo
    ("aac", ["-c:a", "aac", "-b:a", "64k", "-f", "adts"], "aac"),  # raw ADTS
    ("mp3", ["-c:a", "libmp3lame", "-b:a", "64k"], "mp3"),
    ("webm", ["-c:a", "libopus", "-b:a", "24k"], "webm"),  # web chat MediaRecorder
    ("flac", ["-c:a", "flac"], "flac"),
    ("wav", ["-ar", "44100", "-ac", "2"], "wav"),  # 44.1 kHz stereo WAV
    ("wav", ["-ar", "44100", "-ac", "2", "-c:a", "pcm_f32le"], "wav"),  # float WAV -> ffmpeg
]


@pytest.mark.parametrize(("suffix", "options", "kind"), FORMATS)
@pytest.mark.parametrize("rate", [16000, 8000])
def test_converts_each_input_type(tmp_path, ffmpeg, speech, suffix, options, kind, rate):
    src = speech("news_02")
    original, src_rate = read_wav(src)
    data = _encode(ffmpeg, src, tmp_path / f"in.{suffix}", *options)
    assert sniff_format(data) == kind
    pcm = decode_to_pcm(data, rate)
    seconds = len(pcm) / 2 / rate
    assert seconds == pytest.approx(len(original) / 2 / src_rate, abs=0.12)  # codec padding
    assert rms_dbfs(pcm) > -40  # real speech survived, not silence


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("in_rate", [8000, 16000, 44100])
@pytest.mark.parametrize("out_rate", [8000, 16000])
def test_wav_at_each_rate_mono_or_stereo(tmp_path, ffmpeg, speech, in_rate, channels, out_rate):
    """WAV 8/16/44.1 kHz, mono or stereo -> 16-bit mono at the model's rate, same speech."""
    src = speech("call_8k_02")  # real phone speech: band-limited, so every rate keeps all of it
    data = _encode(ffmpeg, src, tmp_path / "in.wav", "-ar", str(in_rate), "-ac", str(channels))
    assert sniff_format(data) == "wav"
    pcm = decode_to_pcm(data, out_rate)
    original, rate = read_wav(src)
    expected = as_int16(resample_pcm(original, rate, out_rate)).astype(float)
    got = as_int16(pcm).astype(float)
    assert abs(len(got) - len(expected)) <= out_rate * 0.02
    n = min(len(got), len(expected))
    assert np.corrcoef(got[:n], expected[:n])[0, 1] > 0.95  # the same words, not just some sound


@pytest.mark.parametrize(("suffix", "options"), [
    ("m4a", ["-c:a", "aac", "-b:a", "64k"]),  # Zalo voice message cut off in transfer
    ("aac", ["-c:a", "aac", "-b:a", "64k", "-f", "adts"]),
    ("ogg", ["-ac", "1", "-c:a", "libopus", "-b:a", "24k"]),  # Telegram
])  # fmt: skip
def test_truncated_uploads_are_corrupt_or_short_never_a_crash(tmp_path, ffmpeg, speech, suffix, options):
    data = _encode(ffmpeg, speech("news_02"), tmp_path / f"in.{suffix}", *options)
    outcomes: list[str] = []
    for cut in (len(data) // 3, 200):
        try:
            pcm = decode_to_pcm(data[:cut], 16000)
        except CorruptAudio as err:
            assert err.message_vi and err.message_en
            outcomes.append("corrupt")
        else:  # a stream format may decode its first part: then it must be shorter, not garbage
            assert 0 < len(pcm) / 2 / 16000 < 6.6
            outcomes.append("short")
    if suffix == "m4a":  # MP4 keeps its index at the end: a cut file cannot be decoded at all
        assert outcomes == ["corrupt", "corrupt"]


def test_phone_fixture_upsampled_to_16k_keeps_speech(speech):
    pcm = decode_file(speech("call_8k_01"), 16000)
    original, rate = read_wav(speech("call_8k_01"))
    assert rate == 8000
    assert len(pcm) == 2 * len(original)
    assert abs(rms_dbfs(pcm) - rms_dbfs(original)) < 1.0


def test_telegram_voice_note_is_recognised(tmp_path, ffmpeg, speech, vietasr_recognizer):
    data = _encode(ffmpeg, speech("news_02"), tmp_path / "voice.ogg",
                   "-ac", "1", "-c:a", "libopus", "-b:a", "16k")  # fmt: skip
    text = vietasr_recognizer.transcribe(decode_to_pcm(data, 16000), 16000).text
    assert "việt nam" in text or "nguyễn ái quốc" in text


def test_stereo_44k_wav_in_process_matches_ffmpeg(tmp_path, ffmpeg, speech):
    data = _encode(ffmpeg, speech("read_16k_01"), tmp_path / "s.wav", "-ar", "44100", "-ac", "2")
    fast = as_int16(decode_to_pcm(data, 16000)).astype(float)
    ref = np.frombuffer(
        subprocess.run([ffmpeg, "-loglevel", "error", "-i", str(tmp_path / "s.wav"), "-ac", "1",
                        "-ar", "16000", "-f", "s16le", "-"], capture_output=True,
                       check=True).stdout, dtype="<i2",
    ).astype(float)  # fmt: skip
    n = min(len(fast), len(ref))
    corr = np.corrcoef(fast[:n], ref[:n])[0, 1]
    assert corr > 0.98


# ---- refusals, with a message a citizen can read -------------------------------------


def test_empty_input_is_unsupported():
    with pytest.raises(UnsupportedAudio) as err:
        decode_to_pcm(b"")
    assert err.value.message_vi and err.value.message_en


def test_image_is_unsupported():
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    with pytest.raises(UnsupportedAudio) as err:
        decode_to_pcm(png)
    assert "không được hỗ trợ" in str(err.value)
    assert "unsupported audio format" in str(err.value)


def test_text_pretending_to_be_audio_is_unsupported():
    with pytest.raises(UnsupportedAudio):
        decode_to_pcm("Xin chào, đây không phải âm thanh".encode())


def test_truncated_opus_is_corrupt(tmp_path, ffmpeg, speech):
    data = _encode(ffmpeg, speech("news_01"), tmp_path / "v.ogg", "-c:a", "libopus")
    broken = data[:60] + bytes(np.random.default_rng(1).integers(0, 256, 3000, dtype=np.uint8))
    with pytest.raises(CorruptAudio) as err:
        decode_to_pcm(broken)
    assert "bị hỏng" in err.value.message_vi
    assert err.value.detail  # ffmpeg's own words kept for the logs


def test_garbage_after_mp4_magic_is_corrupt():
    fake = struct.pack(">I", 24) + b"ftypM4A " + bytes(5000)
    with pytest.raises(CorruptAudio):
        decode_to_pcm(fake)


def test_video_without_audio_track_is_unsupported(tmp_path, ffmpeg):
    video = tmp_path / "v.mp4"
    subprocess.run([ffmpeg, "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc=size=64x64:rate=5:duration=1", "-c:v", "mpeg4", str(video)],
                   check=True, timeout=60)  # fmt: skip
    with pytest.raises(UnsupportedAudio) as err:
        decode_to_pcm(video.read_bytes())
    assert "không chứa âm thanh" in err.value.message_vi


def test_broken_wav_header_is_corrupt():
    with pytest.raises(CorruptAudio):
        decode_to_pcm(b"RIFF\x10\x00\x00\x00WAVEdata\x04\x00\x00\x00abcd")


def test_size_limit_is_checked_before_decoding():
    with pytest.raises(AudioTooLarge):
        decode_to_pcm(b"OggS" + bytes(2048), max_bytes=1024)


def test_all_errors_share_a_base_class():
    for cls in (UnsupportedAudio, CorruptAudio, AudioTooLarge):
        assert issubclass(cls, AudioError)


def test_duration_is_capped(tmp_path, ffmpeg, speech):
    data = _encode(ffmpeg, speech("news_01"), tmp_path / "v.mp3", "-c:a", "libmp3lame")
    pcm = decode_to_pcm(data, 8000, max_seconds=1.0)
    assert len(pcm) / 2 / 8000 == pytest.approx(1.0, abs=0.05)


# ---- WAV helpers and DSP ----------------------------------------------------------------


def test_wav_round_trip(tmp_path):
    pcm = (np.sin(np.arange(8000) / 5) * 8000).astype("<i2").tobytes()
    path = write_wav(tmp_path / "a" / "t.wav", pcm, 8000)
    assert read_wav(path) == (pcm, 8000)


def test_streaming_wav_header_is_read_to_the_end():
    pcm = bytes(range(256)) * 10
    data = bytearray(wav_bytes(pcm, 22050))
    data[40:44] = struct.pack("<I", 0xFFFFFFFF)  # as espeak-ng --stdout writes it
    parsed = parse_wav(bytes(data))
    assert parsed is not None and parsed.pcm == pcm


def test_extensible_pcm_wav_is_read_in_process():
    pcm = bytes(400)
    fmt = struct.pack("<HHIIHH", 0xFFFE, 1, 16000, 32000, 2, 16)
    ext = struct.pack("<HHI", 22, 16, 4) + struct.pack("<H", 1) + bytes(14)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 40) + fmt + ext + b"data" + struct.pack(
        "<I", len(pcm)) + pcm  # fmt: skip
    parsed = parse_wav(b"RIFF" + struct.pack("<I", len(body)) + body)
    assert parsed is not None and parsed.rate == 16000 and parsed.pcm == pcm


def test_stereo_mixdown_averages():
    stereo = np.array([[1000, 3000], [-2000, 0]], dtype="<i2").tobytes()
    assert as_int16(to_mono(stereo, 2)).tolist() == [2000, -1000]


def test_resampler_removes_content_above_new_nyquist():
    sr = 22050
    t = np.arange(sr) / sr
    keep = (np.sin(2 * np.pi * 1000 * t) * 10000).astype("<i2").tobytes()
    drop = (np.sin(2 * np.pi * 6000 * t) * 10000).astype("<i2").tobytes()
    assert rms_dbfs(resample_pcm(keep, sr, 8000)) > rms_dbfs(keep) - 0.5
    assert rms_dbfs(resample_pcm(drop, sr, 8000)) < rms_dbfs(drop) - 40
    assert len(resample_pcm(keep, sr, 8000)) == 2 * 8000
