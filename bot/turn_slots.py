"""The custom slot mapping Rasa runs after every user message, as one action.

Rasa calls each distinct custom-mapping action once per user message, before it predicts
anything. Two slots change on any turn: ``lang`` (the conversation's language,
bot.conversation_language) and ``photos`` (files the message carries, bot.photo_actions).
With one action each, every turn paid two action-server round trips (the whole tracker
serialised, sent and parsed twice) before the dialogue even started; under load that was
about a fifth of a Rasa replica's CPU (issue 15, docs/numbers.md). Both slots now map to
this one action, so a turn pays one.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.conversation_language import language_events
from bot.photo_actions import photo_events


class ActionExtractTurn(Action):
    """Custom mapping of `lang` and `photos`."""

    def name(self) -> str:
        return "action_extract_turn"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        return [*language_events(tracker), *photo_events(tracker)]
