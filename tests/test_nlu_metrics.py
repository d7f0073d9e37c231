"""bench.nlu_metrics: what counts as the right number in the first reply."""

from __future__ import annotations

from bench.nlu_metrics import safety_lines


def test_question_counts_as_112_only_for_an_untyped_emergency() -> None:
    items = [{"intent": "emergency", "category": None, "number": "112", "text": "cứu với!!!"},
             {"intent": "emergency", "category": "fire", "number": "114", "text": "nhà bên cháy"}]
    asked = {"intent": "danger_check", "category": None, "number": None}
    lines = safety_lines(items, [asked, asked])
    assert lines[0].startswith("emergency typed recall (right number): 1/2"), lines[0]
    assert "114→danger_check ×1" in lines[1], lines[1]
