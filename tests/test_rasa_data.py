"""`rasa data validate` finds nothing unexplained in the training data (scripts/rasa_data_validate.py),
and the strict reading of its output catches what Rasa 3.6's exit status lets through."""

from __future__ import annotations

import pytest

from scripts import rasa_data_validate as validate
from tests.components import require

RASA_WARNING = "/v/.venv-rasa/lib/python3.10/site-packages/rasa/shared/utils/io.py:100: UserWarning: {}"
CLEAN_END = "2026-12-03 09:00:00 INFO     rasa.validator  - No story structure conflicts found."


def test_rasa_data_validate_is_clean() -> None:
    require("rasa-venv", validate.RASA.exists(), f"{validate.RASA} missing (make venvs)")
    result = validate.check()
    print(result.report().splitlines()[0])
    assert result.ok, result.report()


@pytest.mark.parametrize("message", [
    "The intent 'inform' is not used in any story or rule.",
    "The utterance 'utter_nobody_says_this' is not used in any story or rule.",
    "The utterance 'utter_ask_booking_desk' is not used in any story or rule.",  # action_ask_booking_desk asks
    "The intent 'teleport' is listed in the domain file, but is not found in the NLU training data.",
    "The following duplicated intents have been found across multiple domain files: greet",
    "The action 'utter_x' is used in the stories, but is not a valid utterance action.",
])
def test_an_unexplained_warning_is_a_finding(message: str) -> None:
    accepted, findings = validate.classify("\n".join([RASA_WARNING.format(message), CLEAN_END]))
    assert (accepted, findings) == ([], [message])


@pytest.mark.parametrize("message", [
    "The utterance 'utter_ask_denouncer_name' is not used in any story or rule.",  # the form asks with it
    "The utterance 'utter_greet_en' is not used in any story or rule.",  # bot/smalltalk_actions.py
    "The utterance 'utter_report_issue' is not used in any story or rule.",  # action_classify_report
    "The intent 'share_photo' is listed in the domain file, but is not found in the NLU training data.",
    "The following duplicated intents have been found across multiple domain files: emergency, report_issue",
])
def test_a_warning_right_by_construction_is_explained(message: str) -> None:
    accepted, findings = validate.classify("\n".join([RASA_WARNING.format(message), CLEAN_END]))
    assert findings == [] and [text for text, _ in accepted] == [message]


def test_a_story_conflict_or_a_missing_structure_check_is_a_finding() -> None:
    conflict = ("2026-12-03 09:00:00 WARNING  rasa.validator  - Story structure conflict after intent 'greet':\n"
                "  action_greet predicted in 'a'\n  utter_greet predicted in 'b'\n")
    _, findings = validate.classify(conflict)
    assert findings[0].startswith("WARNING rasa.validator: Story structure conflict after intent 'greet'")
    assert "No story structure conflicts found" in findings[1]


def test_library_warnings_are_not_about_our_data() -> None:
    noise = ("/v/site-packages/rasa/core/tracker_store.py:1044: MovedIn20Warning: Deprecated API features\n"
             "/v/site-packages/pkg_resources/__init__.py:3117: DeprecationWarning: Deprecated call\n"
             "Implementing implicit namespace packages\n  declare_namespace(pkg)\n")
    assert validate.classify(noise + CLEAN_END) == ([], [])
