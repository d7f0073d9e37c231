"""Answers read from words (typed or spoken), so no question depends on a button."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.civic_actions import ValidateDenunciationForm, has_content, is_cancel, mode_choice, yes_no
from feedback_router.civic.identity_crypto import open_text, seal_text


@pytest.mark.parametrize(("text", "expected"), [
    ("có", True), ("Có ạ", True), ("đồng ý", True), ("vâng, đồng ý", True), ("ừ", True), ("ok", True),
    ("dạ vâng", True), ("co", True), ("dong y", True), ("có, công khai đi", True), ("/affirm", True),
    ("không", False), ("Không ạ", False), ("ko", False), ("khong", False), ("dạ không", False),
    ("không, không công khai", False), ("chưa", False), ("thôi", False), ("/deny", False),
    ("hôm nay trời đẹp", None), ("", None), ("để tôi nghĩ đã", None),
])
def test_yes_no(text: str, expected: bool | None) -> None:
    assert yes_no(text) is expected


def test_intent_decides_when_the_words_do_not() -> None:
    assert yes_no("chuẩn luôn bạn ơi", "affirm") is True and yes_no("hmm", "deny") is False
    assert yes_no("dạ", "affirm") is True and yes_no("dạ", None) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("chính thức", "formal"), ("chinh thuc", "formal"), ("tôi muốn ghi tên", "formal"), ("có tên", "formal"),
    ("ẩn danh", "anonymous"), ("an danh", "anonymous"), ("tôi muốn giấu tên", "anonymous"),
    ("không để tên", "anonymous"), ("không", "anonymous"), ("số 2", "anonymous"), ("ừ", "formal"),
    ("để tôi nghĩ đã", None),
])
def test_mode_choice(text: str, expected: str | None) -> None:
    assert mode_choice(text) == expected


def test_content_and_cancel() -> None:
    assert not has_content("tôi muốn tố cáo") and not has_content("cho tôi góp ý") and not has_content("")
    assert has_content("cán bộ phường nhận hối lộ") and has_content("lắp thêm điểm dừng xe buýt")
    assert is_cancel("huỷ") and is_cancel("Thôi") and not is_cancel("thôi việc của cán bộ phường")


def _tracker(requested: str, events: list[dict]) -> Tracker:
    return Tracker("web:x", {"requested_slot": requested}, {"text": "Nguyễn Văn An", "intent": {"name": "denounce"}},
                   events, False, None, {"name": "denunciation_form"}, "action_listen")


def test_a_mid_form_answer_classified_denounce_does_not_replace_the_accusation(denounce_key: str) -> None:
    sealed = seal_text("Cán bộ địa chính nhận hối lộ để cấp sổ đỏ")
    events = [{"event": "slot", "name": "denounce_text", "value": sealed},
              {"event": "user", "text": "Nguyễn Văn An"},
              {"event": "slot", "name": "denounce_text", "value": "Nguyễn Văn An"}]
    form = ValidateDenunciationForm()
    kept = form.validate_denounce_text("Nguyễn Văn An", CollectingDispatcher(), _tracker("denouncer_name", events), {})
    assert kept == {"denounce_text": sealed}
    asked = form.validate_denounce_text("Cán bộ thuế phường Láng đòi tiền ngoài", CollectingDispatcher(),
                                        _tracker("denounce_text", events), {})
    assert open_text(asked["denounce_text"]) == "Cán bộ thuế phường Láng đòi tiền ngoài"
    assert asked["denounce_text"].startswith("sealed:")  # Rasa's tracker only ever sees ciphertext


def test_a_changed_key_mid_conversation_asks_to_start_again(denounce_key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from cryptography.fernet import Fernet

    from bot.civic_actions import ActionSubmitDenunciation

    slots = {"denounce_confirmed": True, "denounce_mode": "formal", "denounce_text": seal_text("x" * 30),
             "denouncer_name": seal_text("Nguyễn Văn An"), "denouncer_address": seal_text("Số 1 Láng"),
             "denouncer_phone": "-"}
    monkeypatch.setenv("DENOUNCE_KEY", Fernet.generate_key().decode())  # restarted with another key
    tracker = Tracker("web:x", slots, {}, [], False, None, {}, "denunciation_form")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSubmitDenunciation().run(dispatcher, tracker, {}))
    assert "gửi lại từ đầu" in dispatcher.messages[0]["text"]
    assert {e["name"] for e in events} >= {"denouncer_name", "denounce_text"}
