"""Rasa custom actions: thin wrappers over feedback_router services.

They run in the app venv under rasa_sdk (bot.action_server) and never hold
business rules of their own beyond reading slots and phrasing replies.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import duplicate_actions as duplicates
from bot import photo_actions
from bot import place_hints
from bot import report_wording as wording
from bot.conversation_language import chosen_language
from bot.police_desk import asks_police_desk, police_desk_answer
from feedback_router.core.catalog import catalog
from feedback_router.public.deadlines import ticket_deadlines
from feedback_router.tickets.service import create_ticket, find_ticket
from nlu import gazetteer
from nlu.entities import address_text, extract, ward_unit_for
from nlu.safety import emergency_number
from nlu.selection import selected_category
from nlu.text import collapse_whitespace, fold, nfc

log = logging.getLogger(__name__)

STATUS_VI = {
    "received": "đã tiếp nhận",
    "assigned": "đã chuyển đơn vị xử lý",
    "in_progress": "đang xử lý",
    "resolved": "đã xử lý xong",
    "rejected": "bị từ chối",
    "merged": "đã gộp với phản ánh trùng",
}


def caller_phone(sender_id: str) -> str | None:
    """A hotline caller's number becomes the ticket's contact phone."""
    channel, _, ident = sender_id.partition(":")
    digits = ident.lstrip("+")
    return ident if channel == "hotline" and digits.isdigit() and 8 <= len(digits) <= 15 else None


def turn_message_id(tracker: Tracker) -> str | None:
    """The channel's id of the message this turn answers (bot.gateway sends it in Rasa's message
    metadata): a replay of the turn carries the same one, so create_ticket files once."""
    value = ((tracker.latest_message or {}).get("metadata") or {}).get("message_id")
    return str(value) if value else None


def _has_ward(entities: list[Any]) -> bool:
    return any(e.entity in ("ward",) for e in entities)


class ActionClassifyReport(Action):
    """Start of a report: remember its category and any address already typed."""

    def name(self) -> str:
        return "action_classify_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        text = nfc((tracker.latest_message or {}).get("text") or "")
        if asks_police_desk(text):  # lost property: the ward police answer it, no form to fill
            dispatcher.utter_message(text=police_desk_answer(wording.ward_unit_of(text), chosen_language(tracker)))
            return [FollowupAction("action_listen")]
        photo_actions.acknowledge(dispatcher, tracker)  # a photo whose caption starts the report
        category, confidence = selected_category(tracker.latest_message or {}, "report_issue")
        if category not in catalog().categories:
            category, confidence = "other", 0.0
        entities = extract(text)
        hint = place_hints.address_hint(text, address_text(entities))  # keeps "số 18" of "số 18 phố Huế"
        device = ((tracker.latest_message or {}).get("metadata") or {}).get("device") or {}
        if device.get("address") and not hint:
            # A household device reports from its registered home: never ask "where?".
            gps = device.get("location") or {}
            return [SlotSet("category", category), SlotSet("category_confidence", confidence),
                    SlotSet("address_hint", None), SlotSet("confirmed", None), SlotSet("ticket_code", None),
                    SlotSet("location", nfc(str(device["address"]))),
                    SlotSet("latitude", gps.get("latitude")), SlotSet("longitude", gps.get("longitude"))]
        events: list[dict[str, Any]] = [
            SlotSet("category", category),
            SlotSet("category_confidence", confidence),
            SlotSet("address_hint", hint),
            SlotSet("confirmed", None),
            SlotSet("latitude", None),
            SlotSet("longitude", None),
            SlotSet("ticket_code", None),
            SlotSet("location", hint if hint and _has_ward(entities) else None),
        ]
        return events


class ActionExtractLocation(Action):
    """Custom slot mapping: fill `location` only when the form asked for it."""

    def name(self) -> str:
        return "action_extract_location"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        if tracker.active_loop_name != "report_form" or tracker.get_slot("requested_slot") != "location":
            return []
        latest = tracker.latest_message or {}
        hint = tracker.get_slot("address_hint")
        if (latest.get("intent") or {}).get("name") == "share_location":
            lat, lon = tracker.get_slot("latitude"), tracker.get_slot("longitude")
            coords = {e["entity"]: e["value"] for e in latest.get("entities", [])}
            lat = coords.get("latitude", lat)
            lon = coords.get("longitude", lon)
            if lat is None or lon is None:
                return []
            where = place_hints.shared_point(hint, float(lat), float(lon), duplicates.language(tracker))
            return [SlotSet("location", where), SlotSet("latitude", float(lat)),
                    SlotSet("longitude", float(lon))]
        text = collapse_whitespace(nfc(latest.get("text") or ""))
        if not text or text.startswith("/"):
            return []
        return [SlotSet("location", place_hints.location_answer(hint, text))]


def typed_edit_request(tracker: Tracker) -> str | None:
    """The field a typed or spoken "sửa nội dung" / "change the place" asks to edit, if any."""
    text = str((tracker.latest_message or {}).get("text") or "")
    return None if text.startswith("/") else wording.edit_request(fold(nfc(text)))


class ActionExtractReportEdit(Action):
    """Custom slot mapping while the summary waits: "sửa địa điểm" typed or spoken does what the
    "Sửa địa điểm" button does (the `confirmed` slot takes the field's name)."""

    def name(self) -> str:
        return "action_extract_report_edit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        field = typed_edit_request(tracker)
        return [SlotSet("confirmed", field)] if field else []


class ValidateReportForm(FormValidationAction):
    def name(self) -> str:
        return "validate_report_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        return duplicates.required_slots(domain_slots, tracker)

    def validate_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                           tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        # "cho tôi sửa nội dung" is an edit whatever intent the model gave it: an NLU that reads
        # it as "affirm" must not file the report the citizen asked to change
        value = typed_edit_request(tracker) or value
        if value in wording.EDITABLE_FIELDS:  # "Sửa địa điểm" / "Sửa nội dung": ask that one again
            return {"confirmed": None, **wording.edit_slots(str(value))}
        return duplicates.confirmed_slots(value, tracker)

    def validate_description(self, value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = collapse_whitespace(str(value or ""))
        if text.startswith("/"):  # a button ("Phản ánh" → /report_issue) is not a description
            return {"description": None}
        if len(text) < 5:
            dispatcher.utter_message(text=wording.description_too_short(chosen_language(tracker)))
            return {"description": None}
        return {"description": text}

    def validate_location(self, value: Any, dispatcher: CollectingDispatcher,
                          tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = collapse_whitespace(str(value or ""))
        if len(text) < 3:
            dispatcher.utter_message(text=wording.location_unclear(chosen_language(tracker)))
            return {"location": None}
        return {"location": text[:500]}


class ActionAskLocation(Action):
    def name(self) -> str:
        return "action_ask_location"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        text = wording.ask_location(chosen_language(tracker), tracker.get_slot("address_hint"))
        dispatcher.utter_message(text=text, json_message={"ask": "location"})
        return []


class ActionAskDescription(Action):
    def name(self) -> str:
        return "action_ask_description"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=wording.ask_description(chosen_language(tracker)))
        return []


def _current_ward_name(location: str) -> str | None:
    """Name the ward in force since 1 July 2025 that the address resolved to, so the
    citizen sees (and can correct) where the report will go: people often type an old
    ward ("p. Hang Dao") or no diacritics."""
    unit_id = wording.ward_unit_of(location)
    ward = gazetteer.ward_by_unit_id(unit_id) if unit_id else None
    return ward.full_name if ward else None


class ActionAskConfirmed(Action):
    def name(self) -> str:
        return "action_ask_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        lang = chosen_language(tracker)
        location = tracker.get_slot("location") or ""
        dispatcher.utter_message(
            text=wording.summary(lang, category=tracker.get_slot("category"),
                                 description=tracker.get_slot("description") or "", location=location,
                                 ward_full_name=_current_ward_name(location)),
            buttons=wording.confirm_buttons(lang),
        )
        return []


class ActionSubmitReport(Action):
    def name(self) -> str:
        return "action_submit_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        reset = [SlotSet(s, None) for s in ("description", "location", "confirmed", "address_hint",
                                            "latitude", "longitude", "category", "category_confidence",
                                            "duplicate_code", "same_issue", "photos")]
        lang = chosen_language(tracker)
        if tracker.get_slot("confirmed") is not True:
            dispatcher.utter_message(response=wording.cancelled_response(lang))
            return reset
        location = tracker.get_slot("location")
        receipt = create_ticket(
            category=tracker.get_slot("category") or "other",
            description=tracker.get_slot("description") or "",
            sender_id=tracker.sender_id,
            location_text=location,
            ward_unit_id=wording.ward_unit_of(location),
            latitude=tracker.get_slot("latitude"),
            longitude=tracker.get_slot("longitude"),
            phone=caller_phone(tracker.sender_id),
            join_code=duplicates.join_code(tracker),
            detect_duplicates=not duplicates.asks_before_joining(tracker.sender_id),
            attachments=photo_actions.kept(tracker),
            message_id=turn_message_id(tracker),
        )
        log.info("ticket created code=%s category=%s unit=%s", receipt.code, receipt.category, receipt.unit_id)
        if receipt.merged:  # one message, one code: "N người đã phản ánh việc này; bạn được thêm vào HN-…"
            dispatcher.utter_message(
                text=duplicates.joined_text(receipt, duplicates.language(tracker)),
                json_message=duplicates.joined_json(receipt))
            return [*reset, SlotSet("ticket_code", receipt.code)]
        ack_due, sla_due = ticket_deadlines(receipt.code)
        dispatcher.utter_message(
            text=wording.receipt(lang, code=receipt.code,
                                 unit=wording.unit_display_name(receipt.unit_id, receipt.unit_name, lang),
                                 ack_due=ack_due, sla_due=sla_due),
            json_message={"ticket": {"code": receipt.code, "unit_id": receipt.unit_id,
                                     "unit_name": receipt.unit_name, "status": receipt.status,
                                     "status_url": f"/status/{receipt.code}"}},
        )
        return [*reset, SlotSet("ticket_code", receipt.code)]


class ActionEmergency(Action):
    """Life at risk: say the hotline first, then file a flagged ticket."""

    def name(self) -> str:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        category, _ = selected_category(tracker.latest_message or {}, "emergency")
        cats = catalog().categories
        hotline = emergency_number(category)  # nlu.safety: the type's number, 112 when no type is named
        name_vi = cats[category].name_vi if category in cats else "khẩn cấp"
        if category not in cats:
            category = "rescue" if "rescue" in cats else "other"
        dispatcher.utter_message(
            text=(f"KHẨN CẤP: hãy gọi ngay {hotline} ({name_vi}). "
                  "Giữ an toàn cho bản thân; tôi đã chuyển thông tin tới đơn vị trực."),
            json_message={"emergency": {"hotline": hotline, "category": category}},
        )
        try:  # the number is out first; a failure here must not take it back (issue 14)
            text = nfc((tracker.latest_message or {}).get("text") or "")
            location = address_text(extract(text))
            receipt = create_ticket(category=category, description=text, sender_id=tracker.sender_id,
                                    location_text=location, ward_unit_id=ward_unit_for(location),
                                    phone=caller_phone(tracker.sender_id), message_id=turn_message_id(tracker))
        except Exception:
            log.exception("emergency ticket not created (category=%s)", category)
            dispatcher.utter_message(text=f"Hệ thống chưa lưu được phản ánh; hãy gọi ngay {hotline}.")
            return []
        dispatcher.utter_message(text=f"Mã phản ánh khẩn cấp: {receipt.code}.")
        return [SlotSet("ticket_code", receipt.code)]


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        codes = [e["value"] for e in (tracker.latest_message or {}).get("entities", [])
                 if e.get("entity") == "ticket_code"]
        code = codes[0] if codes else tracker.get_slot("ticket_code")
        lang = chosen_language(tracker)
        if not code:
            dispatcher.utter_message(text=wording.ask_code(lang))
            return []
        receipt = find_ticket(code)
        if receipt is None:
            dispatcher.utter_message(text=wording.unknown_code(lang, code))
            return []
        dispatcher.utter_message(text=wording.status_reply(lang, code=receipt.code, status=receipt.status,
                                                           unit_id=receipt.unit_id, unit=receipt.unit_name))
        return []


__all__ = ["ActiveLoop"]
