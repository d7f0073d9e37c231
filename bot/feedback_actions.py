"""The citizen's answer after a unit resolved a report: a rating (1–5) or a reopen.

Both come as button payloads sent with the resolution notice on the channel the report came
from (/rate_ticket{"ticket_code": …, "rating": …}, /reopen_ticket{"ticket_code": …}). Only a
reporter of that ticket (its contact or a follower) may use them: a typed payload with someone
else's code changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.conversation_language import chosen_language, pick
from feedback_router.public.feedback import FeedbackRefused, rate_ticket, reopen_ticket


def payload_values(tracker: Tracker) -> dict[str, Any]:
    """Entities of the button payload; the raw JSON when the NLU dropped an unknown entity."""
    latest = tracker.latest_message or {}
    values = {e.get("entity"): e.get("value") for e in latest.get("entities") or []}
    text = str(latest.get("text") or "")
    if "{" in text:
        try:
            raw = json.loads(text[text.index("{"):])
        except ValueError:
            raw = {}
        if isinstance(raw, dict):
            values = {**raw, **{k: v for k, v in values.items() if v is not None}}
    return values


class ActionRateTicket(Action):
    def name(self) -> str:
        return "action_rate_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        lang = chosen_language(tracker)
        values = payload_values(tracker)
        try:
            rating = int(str(values.get("rating", "")).strip())
            rate_ticket(str(values.get("ticket_code") or ""), rating, sender_id=tracker.sender_id)
        except (ValueError, FeedbackRefused) as exc:
            dispatcher.utter_message(text=pick(lang, f"Chưa ghi nhận được đánh giá: {exc}",
                                               f"Your rating was not recorded: {exc}"))
            return []
        dispatcher.utter_message(text=pick(lang, f"Cảm ơn bạn đã đánh giá {rating}/5.",
                                           f"Thank you for rating it {rating}/5."))
        return []


class ActionReopenTicket(Action):
    def name(self) -> str:
        return "action_reopen_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        lang = chosen_language(tracker)
        code = str(payload_values(tracker).get("ticket_code") or "")
        try:
            code = reopen_ticket(code, sender_id=tracker.sender_id)
        except FeedbackRefused as exc:
            dispatcher.utter_message(text=pick(lang, f"Không mở lại được: {exc}", f"Could not reopen it: {exc}"))
            return []
        dispatcher.utter_message(text=pick(
            lang, f"Đã mở lại phản ánh {code}; đơn vị xử lý sẽ tiếp tục giải quyết và trả lời bạn tại đây.",
            f"Report {code} is open again; the unit will keep working on it and answer you here."))
        return []
