"""The one question asked when a message may be an emergency but names no danger
clearly ("khẩn cấp lắm, có ai trực không", "help!"): "Có ai đang gặp nguy hiểm ngay lúc
này không?", after the general number 112 so that the first reply already carries it.

nlu.safety gives such a message the intent `danger_check` instead of a fallback; a
"yes" gets the emergency number at once (typed from the first message when it names
a type, else 112) and a flagged ticket; a "no" gets an invitation to describe the
matter. Registered through bot.civic_actions (imported there).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import turn_message_id
from feedback_router.tickets.service import create_ticket
from feedback_router.contacts import hotline_number
from nlu import safety
from nlu.entities import address_text, extract, ward_unit_for
from nlu.text import nfc
from tourism.search import detect_language

log = logging.getLogger(__name__)

QUESTION = {"vi": "Có ai đang gặp nguy hiểm ngay lúc này không?", "en": "Is anyone in danger right now?"}
# The question carries the general emergency number, so that a real emergency of no stated
# type ("cứu với!!!", LABELLING.md: 112) has its number in the first reply while we ask.
MEANWHILE = {"vi": "Nếu có người đang gặp nguy hiểm, hãy gọi ngay 112.",
             "en": "If someone is in danger, call 112 now."}
NUMBER_NAMES = {
    "114": ("cứu hoả, cứu nạn", "fire and rescue"),
    "113": ("công an", "police"),
    "115": ("cấp cứu", "ambulance"),
    "112": ("cứu nạn khẩn cấp", "emergency"),
}


def _language(text: str) -> str:
    return "en" if detect_language(text) == "en" else "vi"


class ActionAskDanger(Action):
    def name(self) -> str:
        return "action_ask_danger"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        text = nfc((tracker.latest_message or {}).get("text") or "")
        lang = _language(text)
        yes, no = ("Có", "Không") if lang == "vi" else ("Yes", "No")
        dispatcher.utter_message(
            text=f"{MEANWHILE[lang]} {QUESTION[lang]}",
            json_message={"ask": "danger", "hotline": safety.UNCLEAR_NUMBER},
            buttons=[{"title": yes, "payload": "/affirm"}, {"title": no, "payload": "/deny"}],
        )
        return [SlotSet("danger_text", text[:2000])]


class ActionDangerConfirmed(Action):
    """Someone is in danger: the number first, then a flagged ticket with the first message."""

    def name(self) -> str:
        return "action_danger_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        text = tracker.get_slot("danger_text") or nfc((tracker.latest_message or {}).get("text") or "")
        kinds = safety.signals(text).kinds
        category = kinds[0] if kinds else None
        number = safety.emergency_number(category)
        vi, en = NUMBER_NAMES[number]
        if _language(text) == "en":
            reply = f"EMERGENCY: call {number} ({en}) now. Keep yourself safe; I have passed this on to the duty unit."
        else:
            reply = (f"KHẨN CẤP: hãy gọi ngay {number} ({vi}). "
                     "Giữ an toàn cho bản thân; tôi đã chuyển thông tin tới đơn vị trực.")
        dispatcher.utter_message(text=reply, json_message={"emergency": {"hotline": number, "category": category}})
        location = address_text(extract(text))
        try:
            receipt = create_ticket(
                category=category or "rescue",
                description=text,
                sender_id=tracker.sender_id,
                location_text=location,
                ward_unit_id=ward_unit_for(location),
                phone=hotline_number(tracker.sender_id),
                message_id=turn_message_id(tracker),
            )
        except Exception:  # the number is already said; a storage failure must not hide it
            log.exception("emergency ticket not created after the danger question")
            return [SlotSet("danger_text", None)]
        dispatcher.utter_message(text=f"Mã phản ánh khẩn cấp: {receipt.code}.")
        return [SlotSet("danger_text", None), SlotSet("ticket_code", receipt.code)]


class ActionDangerCleared(Action):
    def name(self) -> str:
        return "action_danger_cleared"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        text = tracker.get_slot("danger_text") or ""
        if _language(text) == "en":
            reply = "Good. Tell me what happened and where, and I will pass it on to the unit in charge."
        else:
            reply = "May quá. Bạn cho tôi biết sự việc và địa điểm, tôi sẽ chuyển tới đơn vị phụ trách."
        dispatcher.utter_message(text=reply)
        return [SlotSet("danger_text", None)]
