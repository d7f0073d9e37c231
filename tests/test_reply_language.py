"""Small talk is answered in English only when the message is English."""

from __future__ import annotations

import pytest

from bot.reply_language import reply_language


@pytest.mark.parametrize("text", ["Hello", "hi there", "thanks a lot", "thank you so much!", "good bye",
                                  "what is the weather today", "are you a bot?", "Is it open today?"])
def test_english(text: str) -> None:
    assert reply_language(text) == "en"


@pytest.mark.parametrize("text", ["xin chao", "cam on", "cam on ban nhieu", "chào bạn", "tam biet",
                                  "ban la ai", "ok", "alo", "ko hieu", "/greet", "", None,
                                  "hello ad ơi"])  # Vietnamese marks win
def test_vietnamese_by_default(text: str | None) -> None:
    assert reply_language(text) == "vi"
