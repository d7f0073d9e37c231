"""The language a conversation is held in, kept in the `lang` slot.

A tourist who starts in English answers the report form with "25 Hang Bai" or "Hàng Bài ward",
which carry no language of their own; detecting per message would switch them to Vietnamese
mid-dialogue. So the language is chosen once (the page's EN/VI switch, sent as metadata.lang)
or detected from words, and then kept until the visitor clearly writes the other language.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from tourism.search import language_evidence

LANG_SLOT = "lang"
LANGUAGES = ("vi", "en")


def chosen_language(tracker: Tracker) -> str:
    """'vi' or 'en' for this turn's replies: an explicit page choice, else the words, else the slot."""
    latest = tracker.latest_message or {}
    picked = (latest.get("metadata") or {}).get("lang")
    if picked in LANGUAGES:
        return str(picked)
    current = tracker.get_slot(LANG_SLOT)
    text = str(latest.get("text") or "")
    evidence = None if text.startswith("/") else language_evidence(text, keep_marked_names=current == "en")
    return evidence or (current if current in LANGUAGES else "vi")


def pick(lang: str, vi: str, en: str) -> str:
    """One sentence in the conversation's language."""
    return en if lang == "en" else vi


def language_events(tracker: Tracker) -> list[dict[str, Any]]:
    """The `lang` slot's update for this turn (none when it stays): part of
    bot.turn_slots.ActionExtractTurn, the custom mapping run on every user message."""
    lang = chosen_language(tracker)
    return [] if tracker.get_slot(LANG_SLOT) == lang else [SlotSet(LANG_SLOT, lang)]
