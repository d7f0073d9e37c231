"""nlu.safety: the cue rules on their own (standard library; the numbers on held-out
messages come from `make nlu-eval`)."""

from __future__ import annotations

import pytest

from nlu import safety


def _decided(intent: str, report: str = "other", emergency: str = "rescue") -> dict:
    ranking = [(intent, 0.6), ("report_issue" if intent != "report_issue" else "ask_procedure", 0.3)]
    return {"intent": intent, "intent_ranking": ranking, "categories": [],
            "report_categories": [(report, 0.7)], "emergency_categories": [(emergency, 0.5)]}


@pytest.mark.parametrize(("category", "number"), [
    ("fire", "114"), ("rescue", "114"), ("crime", "113"), ("medical", "115"), (None, "112"), ("unclear", "112")])
def test_emergency_numbers(category: str | None, number: str) -> None:
    assert safety.emergency_number(category) == number


@pytest.mark.parametrize(("text", "kind"), [
    ("alo nhà bên cạnh đang cháy lửa bốc lên mái rồi", "fire"),
    ("nha ben canh dang boc chay, khoi den lam", "fire"),
    ("có người bị kẹt trong thang máy từ nãy", "rescue"),
    ("thằng bé ngã xuống ao đang chìm", "rescue"),
    ("có đứa cầm dao đang đuổi đánh người ở chợ", "crime"),
    ("bà cụ ngã ra bất tỉnh không thở", "medical"),
    ("my father collapsed and is not breathing", "medical"),
    ("the roof just collapsed and people are trapped", "rescue"),
])
def test_present_danger_is_typed(text: str, kind: str) -> None:
    assert safety.signals(text).kinds[:1] == (kind,), text


@pytest.mark.parametrize("text", [
    "xe đang chạy trên cầu thì bị thủng lốp",  # "chạy" (run) folds like "cháy" (fire)
    "công trình không che chắn, bụi bay khắp ngõ",  # "không che" folds like "khống chế"
    "tắc đường ở ngã tư Sở cả buổi sáng",  # "ngã tư" folds like "ngã từ"
    "tư vấn mua bất động sản",
    "muốn mua lụa tơ tằm làm quà",
])
def test_harmless_words_are_not_danger(text: str) -> None:
    assert safety.signals(text).kinds == ()


def test_past_and_hazard_only_stay_reports() -> None:
    for text in ("đêm qua nhà tôi bị trộm lấy mất xe", "cây bàng nghiêng sắp đổ ra đường"):
        decided = safety.refine(text, _decided("emergency"))
        assert decided["intent"] != "emergency", text
    now = safety.refine("cây đổ đè người đi đường, anh ấy đang bị kẹt", _decided("report_issue", "trees_parks"))
    assert now["intent"] == "emergency" and now["categories"][0][0] == "rescue"


def test_figurative_words_are_out_of_scope() -> None:
    for text in ("cháy túi rồi", "shop ơi mẫu này cháy hàng chưa", "cách nấu canh cua không bị tanh"):
        assert safety.refine(text, _decided("report_issue"))["intent"] == "out_of_scope", text


def test_accusation_against_an_official_is_a_denunciation() -> None:
    text = "cán bộ một cửa bảo phải bồi dưỡng thì mới nhận hồ sơ"
    assert safety.signals(text).accusation
    assert safety.refine(text, _decided("report_issue", "admin_procedure"))["intent"] == "denounce"
    assert not safety.signals("nhóm xã hội đen bảo kê bãi xe ven sông").accusation
    assert not safety.signals("cán bộ một cửa hẹn ba lần chưa trả kết quả").accusation


def test_untyped_emergency_gets_112_and_a_bare_call_for_help_a_question() -> None:
    untyped = safety.refine("SOS có chuyện rồi mọi người ơi", _decided("emergency"))
    assert untyped["intent"] == "emergency" and untyped["categories"][0][0] == safety.UNCLEAR
    asked = safety.refine("cứu tôi với", _decided("nlu_fallback"))
    assert asked["intent"] == safety.ASK_INTENT
