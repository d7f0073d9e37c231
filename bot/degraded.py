"""Sentences for when the assistant cannot answer now: Rasa down, the action server or the
database down, or Rasa answering nothing. The citizen always gets one, in Vietnamese or in
English if they wrote English, and it always carries the emergency numbers: they come from
the static table below, not from the database, so nothing that can fail stands before them.
"""

from __future__ import annotations

from tourism.search import detect_language

# The national emergency lines every holding sentence names (a test checks they cover the
# hotlines of data/categories.yaml): number, short Vietnamese label, short English label.
EMERGENCY_LINES: tuple[tuple[str, str, str], ...] = (
    ("114", "cháy, cứu nạn", "fire, rescue"),
    ("113", "công an", "police"),
    ("115", "cấp cứu", "ambulance"),
    ("112", "trợ giúp khẩn cấp", "emergency help"),
)


def _numbers(lang: str) -> str:
    return ", ".join(f"{num} ({vi if lang == 'vi' else en})" for num, vi, en in EMERGENCY_LINES)


def _say(text: str, vi: str, en: str) -> str:
    if detect_language(text or "") == "en":
        return f"{en} In an emergency call {_numbers('en')}."
    return f"{vi} Nếu khẩn cấp, hãy gọi {_numbers('vi')}."


def queued_sentence(text: str) -> str:
    """The message is stored and will be answered later (Rasa or the actions are down)."""
    return _say(text, "Tôi đã nhận tin nhắn của bạn. Hệ thống đang bận, tôi sẽ trả lời tại đây ngay khi có thể.",
                "I have received your message. The assistant is busy right now and will answer here "
                "as soon as it can.")


def gave_up_sentence(text: str) -> str:
    """Rasa answered nothing even after retries: say so instead of staying silent."""
    return _say(text, "Xin lỗi, tôi chưa trả lời được tin nhắn này. Bạn vui lòng gửi lại sau ít phút.",
                "Sorry, I could not answer that message. Please send it again in a few minutes.")
