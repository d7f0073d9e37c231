"""Confirm before joining (FixMyStreet): "Có phải việc này không?".

When the citizen confirms a report's summary, the report form looks for an open ticket
that is likely the same problem (feedback_router.tickets.service.likely_duplicate: same category,
unit and ward, same address or GPS within tens of metres, never two named streets). If there
is one, the form asks one more slot, ``same_issue``, showing the ticket's code, category,
place and how many people reported it; "Đúng" joins it, "Không" files a new ticket.

On the hotline there is no such question: a caller cannot see a code, so the call files
the report and only the strict same-address rule joins it (as for Open311 requests, which
have no dialogue either). See docs/duplicates.md.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from feedback_router.core.catalog import catalog
from feedback_router.tickets.service import DuplicateOffer, TicketReceipt, likely_duplicate
from feedback_router.contacts import channel_of
from nlu.entities import ward_unit_for

SLOT = "same_issue"
CODE_SLOT = "duplicate_code"
NO_DIALOGUE_CHANNELS = frozenset({"hotline"})


def language(tracker: Tracker) -> str:
    return "en" if tracker.get_slot("lang") == "en" else "vi"


def _t(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def asks_before_joining(sender_id: str) -> bool:
    """Whether this channel shows a likely duplicate to the citizen before joining it."""
    return channel_of(sender_id) not in NO_DIALOGUE_CHANNELS


def offer_for(tracker: Tracker) -> DuplicateOffer | None:
    """The open ticket this report (the form's slots) likely repeats, if any."""
    if not asks_before_joining(tracker.sender_id):
        return None
    location = tracker.get_slot("location")
    return likely_duplicate(category=tracker.get_slot("category") or "other", location_text=location,
                            ward_unit_id=ward_unit_for(location), latitude=tracker.get_slot("latitude"),
                            longitude=tracker.get_slot("longitude"))


def confirmed_slots(value: Any, tracker: Tracker) -> dict[str, Any]:
    """Validation of the summary's answer: on yes, remember the likely duplicate (or None)
    and forget an answer about an earlier one."""
    if value is not True:
        return {"confirmed": value, CODE_SLOT: None, SLOT: None}
    offer = offer_for(tracker)
    return {"confirmed": True, CODE_SLOT: offer.code if offer else None, SLOT: None}


def required_slots(domain_slots: list[str], tracker: Tracker) -> list[str]:
    """``same_issue`` is asked only when a likely duplicate was found."""
    if tracker.get_slot(CODE_SLOT):
        return domain_slots
    return [s for s in domain_slots if s != SLOT]


def join_code(tracker: Tracker) -> str | None:
    """The ticket the citizen said "Đúng" to, if any."""
    return tracker.get_slot(CODE_SLOT) if tracker.get_slot(SLOT) is True else None


def category_name(category: str, lang: str) -> str:
    info = catalog().categories.get(category)
    if info is None:
        return _t(lang, "Phản ánh", "Report")
    return (getattr(info, "name_en", None) or info.name_vi) if lang == "en" else info.name_vi


def question(offer: DuplicateOffer, lang: str) -> str:
    place = offer.location_text or _t(lang, "gần vị trí bạn gửi", "near the location you shared")
    name = category_name(offer.category, lang)
    return _t(lang,
              f"Có phải việc này không? {offer.code} — {name} ở {place}, {offer.report_count} người đã phản ánh.\n"
              "Nếu đúng, bạn được thêm vào phản ánh này và nhận cùng cập nhật; nếu không, tôi gửi phản ánh mới.",
              f"Is it this one? {offer.code} — {name} at {place}, reported by {offer.report_count} "
              f"{'person' if offer.report_count == 1 else 'people'}.\n"
              "If yes, you are added to it and get its updates; if not, I file a new report.")


def buttons(lang: str) -> list[dict[str, str]]:
    return [{"title": _t(lang, "Đúng", "Yes, that one"), "payload": "/affirm"},
            {"title": _t(lang, "Không", "No, a new report"), "payload": "/deny"}]


def joined_text(receipt: TicketReceipt, lang: str) -> str:
    """One message, one code: the citizen joined an existing ticket."""
    return _t(lang,
              f"{receipt.report_count} người đã phản ánh việc này; bạn được thêm vào {receipt.code}.\n"
              f"Đơn vị xử lý: {receipt.unit_name}. Bạn sẽ nhận cập nhật của phản ánh này tại đây; "
              "có thể nhắn mã này để tra cứu tiến độ.",
              f"{receipt.report_count} people have reported this; you have been added to {receipt.code}.\n"
              f"Handled by: {receipt.unit_name}. You will get its updates here; send the code to check progress.")


class ActionAskSameIssue(Action):
    """The form's question for ``same_issue``: the likely duplicate, with Đúng / Không."""

    def name(self) -> str:
        return "action_ask_same_issue"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        lang = language(tracker)
        code = tracker.get_slot(CODE_SLOT) or ""
        # Asked again now so the count is fresh (others may have joined since the summary);
        # should the ticket have closed meanwhile, create_ticket files a new one on "Đúng".
        offer = offer_for(tracker)
        if offer is None or offer.code != code:
            offer = DuplicateOffer(code, tracker.get_slot("category") or "other", None, 1)
        dispatcher.utter_message(text=question(offer, lang), buttons=buttons(lang),
                                 json_message={"duplicate": {"code": offer.code, "reports": offer.report_count}})
        return []


def joined_json(receipt: TicketReceipt) -> dict[str, Any]:
    """The structured part of the joined message (web chat: link to the ticket's status)."""
    return {"ticket": {"code": receipt.code, "unit_id": receipt.unit_id, "unit_name": receipt.unit_name,
                       "status": receipt.status, "merged": True, "reports": receipt.report_count}}
