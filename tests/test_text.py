"""Pure-Python normalisation used at every entry point."""

from __future__ import annotations

import unicodedata

import pytest

from nlu.text import TextError, fold, normalize, squeeze_repeats, validate_user_text


def test_fold_strips_diacritics_and_d() -> None:
    assert fold("Đường Láng Hạ") == "duong lang ha"
    assert fold(unicodedata.normalize("NFD", "Nguyễn Trãi")) == "nguyen trai"


@pytest.mark.parametrize(("raw", "expected"), [
    ("quáaaaa", "quá"), ("nhiềuuuu", "nhiều"), ("xoong", "xoong"), ("ngậppp!!!", "ngập!"), ("ok", "ok"),
    ("quáa", "quá"),
    # ư + u are two letters, not a repeat: street and ward names keep them.
    ("Kim Ngưu", "Kim Ngưu"), ("phường Tây Tựu", "phường Tây Tựu"), ("bưu điện", "bưu điện"), ("hươu", "hươu"),
])
def test_squeeze_repeats(raw: str, expected: str) -> None:
    assert squeeze_repeats(raw) == expected


def test_normalize_is_nfc_and_collapses_space() -> None:
    out = normalize(unicodedata.normalize("NFD", "  Rác   thải  "))
    assert out == "Rác thải"
    assert unicodedata.is_normalized("NFC", out)


def test_normalize_keeps_case_for_names() -> None:
    assert "Nguyễn Trãi" in normalize("đường Nguyễn Trãi")


@pytest.mark.parametrize("bad", ["", "   ", "a" * 5001, 12, None, "x\x00y"])
def test_validate_user_text_rejects(bad: object) -> None:
    with pytest.raises(TextError):
        validate_user_text(bad)
