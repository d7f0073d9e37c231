"""TTS output and the text normaliser that runs before it."""

from __future__ import annotations

import asyncio

import pytest

from voice.dsp import rms_dbfs
from voice.speech_text import normalize_for_speech, spell_code, split_sentences
from voice.tts import (
    EspeakSynthesizer,
    PiperSynthesizer,
    TtsError,
    asynthesize_stream,
    synthesize,
    synthesize_stream,
)
from voice.vi_numbers import decimal_to_words, digits_to_words, number_to_words

TEXT = "Xin chào quý vị. Phản ánh của quý vị đã được chuyển tới ủy ban nhân dân phường."


@pytest.fixture(scope="module")
def engine(espeak):
    return EspeakSynthesizer()


@pytest.mark.parametrize("rate", [8000, 16000, 22050])
def test_tts_duration_is_plausible(engine, rate):
    pcm = synthesize(TEXT, rate, engine)
    seconds = len(pcm) / 2 / rate
    syllables = len(TEXT.split())
    # Vietnamese is read at ~2.5-5 syllables per second; espeak at 150 wpm sits inside.
    assert syllables / 5.5 < seconds < syllables / 2.0
    assert rms_dbfs(pcm) > -35


def test_phone_and_device_rates_give_the_same_duration(engine):
    phone = synthesize(TEXT, 8000, engine)
    device = synthesize(TEXT, 16000, engine)
    assert len(phone) / 8000 == pytest.approx(len(device) / 16000, abs=0.01)


def test_stream_yields_one_chunk_per_sentence(engine):
    chunks = list(synthesize_stream("Một. Hai ba! Bốn năm sáu?", 8000, engine))
    assert len(chunks) == 3
    assert all(len(c) > 1600 for c in chunks)
    assert b"".join(chunks) == synthesize("Một. Hai ba! Bốn năm sáu?", 8000, engine)


def test_async_stream_delivers_first_sentence_before_the_rest(engine):
    async def run() -> list[bytes]:
        return [c async for c in asynthesize_stream("Câu đầu. Câu thứ hai dài hơn.", 8000, engine)]

    chunks = asyncio.run(run())
    assert len(chunks) == 2


def test_numbers_are_spoken_not_spelled(engine):
    spoken = synthesize("ngõ 300", 8000, engine)
    words = synthesize("ngõ ba trăm", 8000, engine)
    assert len(spoken) == len(words)


def test_piper_is_honest_when_not_installed(tmp_path):
    with pytest.raises(TtsError, match="not found"):
        PiperSynthesizer(tmp_path / "vi_VN-voice.onnx")
    voice = tmp_path / "vi_VN-voice.onnx"
    voice.write_bytes(b"not a model")
    try:
        import piper  # noqa: F401
    except ImportError:
        with pytest.raises(TtsError, match="piper-tts"):
            PiperSynthesizer(voice)


# ---- normalisation --------------------------------------------------------------------

NORMALISED = [
    ("Nhà ở ngõ 300 Kim Mã", "Nhà ở ngõ ba trăm Kim Mã"),
    ("P. Ngọc Khánh, Q. Ba Đình, TP. Hà Nội", "phường Ngọc Khánh, quận Ba Đình, thành phố Hà Nội"),
    ("UBND phường", "ủy ban nhân dân phường"),
    ("HĐND và UBND", "hội đồng nhân dân và ủy ban nhân dân"),
    ("Mang CCCD và SĐT", "Mang căn cước công dân và số điện thoại"),
    ("lúc 8h30", "lúc tám giờ ba mươi phút"),
    ("lúc 14:05", "lúc mười bốn giờ năm phút"),
    ("từ 8h", "từ tám giờ"),
    ("ngày 12/3/2024", "ngày mười hai tháng ba năm hai nghìn không trăm hai mươi tư"),
    ("hạn 05/4", "hạn ngày năm tháng tư"),
    ("Ngày 1-5-2025", "Ngày một tháng năm năm hai nghìn không trăm hai mươi lăm"),
    ("tháng 4/2025", "tháng tư năm hai nghìn không trăm hai mươi lăm"),
    ("phí 15.000đ", "phí mười lăm nghìn đồng"),
    ("1.000.000 VNĐ", "một triệu đồng"),
    ("dài 2,5 km", "dài hai phẩy năm ki lô mét"),
    ("đạt 30%", "đạt ba mươi phần trăm"),
    ("rộng 120m2", "rộng một trăm hai mươi mét vuông"),
    ("8-17h", "tám đến mười bảy giờ"),
    ("gọi 0912345678", "gọi không chín một hai, ba bốn năm, sáu bảy tám"),
    ("gọi +84 912 345 678", "gọi cộng tám tư chín một hai, ba bốn năm, sáu bảy tám"),
    ("đường dây nóng 1022", "đường dây nóng một không hai hai"),
    ("gọi 113", "gọi một một ba"),
    ("hãy gọi ngay 114 (Cứu hỏa)", "hãy gọi ngay một một bốn (Cứu hỏa)"),  # the emergency reply
    ("gọi ngay số 115", "gọi ngay số một một năm"),
    ("ngõ 114 Kim Mã", "ngõ một trăm mười bốn Kim Mã"),  # an address is a number, not a dial
    ("số 12/34 phố Huế", "số mười hai trên ba mươi tư phố Huế"),
    ("Sở TN&MT", "Sở tài nguyên và môi trường"),
    ("mở 24/7", "mở hai mươi bốn trên bảy"),
]


@pytest.mark.parametrize(("written", "spoken"), NORMALISED)
def test_normalize_for_speech(written, spoken):
    assert normalize_for_speech(written) == spoken


def test_ticket_code_read_character_by_character():
    assert normalize_for_speech("Mã phiếu HN-2611-4F7K.") == (
        "Mã phiếu hát en nờ, gạch ngang, hai sáu một một, gạch ngang, bốn ép bảy ca."
    )
    assert spell_code("B12") == "bê một hai"


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "không"), (5, "năm"), (10, "mười"), (11, "mười một"), (15, "mười lăm"),
        (21, "hai mươi mốt"), (24, "hai mươi tư"), (25, "hai mươi lăm"), (100, "một trăm"),
        (105, "một trăm linh năm"), (110, "một trăm mười"), (114, "một trăm mười bốn"),
        (300, "ba trăm"), (1005, "một nghìn không trăm linh năm"),
        (2611, "hai nghìn sáu trăm mười một"), (15000, "mười lăm nghìn"),
        (1_000_005, "một triệu không trăm linh năm"), (2_500_000_000, "hai tỷ năm trăm triệu"),
        (-3, "âm ba"),
    ],
)  # fmt: skip
def test_number_to_words(n, words):
    assert number_to_words(n) == words


def test_digits_and_decimals():
    assert digits_to_words("0912") == "không chín một hai"
    assert decimal_to_words("0", "05") == "không phẩy không năm"
    assert decimal_to_words("3", "14") == "ba phẩy mười bốn"


def test_split_sentences_keeps_order_and_cuts_long_ones():
    text = "Câu một. Câu hai! " + ", ".join(["một đoạn dài"] * 30) + "."
    parts = split_sentences(text)
    assert parts[:2] == ["Câu một.", "Câu hai!"]
    assert all(len(p) <= 180 for p in parts)
    assert " ".join(parts).replace(" ,", ",").count("một đoạn dài") == 30


def test_chat_markup_is_not_read_aloud():
    assert normalize_for_speech("*Lưu ý*: xem dichvucong.hanoi.gov.vn") == (
        "Lưu ý: xem dichvucong chấm hanoi chấm gov chấm vn"
    )
