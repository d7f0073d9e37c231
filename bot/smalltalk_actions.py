"""Small talk answered in the language it was asked in.

Tourists write English ("Hello", "thanks!", "what's the weather?"); the responses live in
domain.yml as `utter_x` (Vietnamese) and `utter_x_en`, and these actions pick one by the
conversation's language (bot.conversation_language), so "ok, thanks" after an English dialogue
stays English.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.conversation_language import chosen_language


class _LocalisedUtter(Action, ABC):
    @property
    @abstractmethod
    def response(self) -> str:
        """The Vietnamese response's name in domain.yml; `<name>_en` is its English twin."""

    def name(self) -> str:
        return "action_" + self.response.removeprefix("utter_")

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        suffix = "_en" if chosen_language(tracker) == "en" else ""
        dispatcher.utter_message(response=self.response + suffix)
        return []


class ActionGreet(_LocalisedUtter):
    response = "utter_greet"


class ActionGoodbye(_LocalisedUtter):
    response = "utter_goodbye"


class ActionThank(_LocalisedUtter):
    response = "utter_thank"


class ActionIamabot(_LocalisedUtter):
    response = "utter_iamabot"


class ActionOutOfScope(_LocalisedUtter):
    response = "utter_out_of_scope"


class ActionDefault(_LocalisedUtter):
    response = "utter_default"
