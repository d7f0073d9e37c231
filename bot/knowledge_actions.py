"""Rasa actions answering tourism and public-service questions from tourism/.

Follow-up questions ("còn giá vé?", "lệ phí bao nhiêu?") name no place or
procedure; the last one found is kept in a slot so the answer stays in context.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.conversation_language import chosen_language
from bot.place_hints import shared_point
from nlu.text import fold, nfc
from tourism.answer import answer_place, follow_ups
from tourism.itinerary import answer_directions, answer_trip, asks_directions
from tourism.procedures import answer_procedure, find_procedure, get_procedure, procedure_follow_ups
from tourism.search import (
    FestivalOccurrence,
    detect_place_aspect,
    detect_place_type,
    detect_procedure_aspect,
    festivals_in_month,
    nearby,
    search_places,
)
from tourism.sites import get_place
from nlu import clock

_MONTH_RE = re.compile(r"\b(?:thang|month)\s*(\d{1,2})\b")
_THIS_MONTH = ("thang nay", "this month")
_NEAR_ME = ("gan day", "gan toi", "quanh day", "near me", "near here", "nearby", "around here", "closest", "nearest",
            "gan nhat", "gan minh", "xung quanh")
_COUNT_RE = re.compile(r"\b([1-9]|10)\b")
_DEFAULT_NEARBY = 5


TOURISM_STARTERS = {
    "vi": [("Làng nghề đi trong ngày", "Làng nghề nào đi được trong một ngày?"),
           ("Đi Bát Tràng bằng gì?", "Đi Bát Tràng bằng xe buýt nào?"),
           ("Văn Miếu", "Văn Miếu mở cửa mấy giờ, giá vé bao nhiêu?"),
           ("Lễ hội tháng này", "Lễ hội tháng này")],
    "en": [("Craft villages in a day", "Which craft villages can I visit near Hanoi in one day?"),
           ("Getting to Bat Trang", "How do I get to Bat Trang?"),
           ("Temple of Literature", "Opening hours of the Temple of Literature?"),
           ("Festivals this month", "Festivals this month")],
}
NEARBY_STARTERS = {
    "vi": [("Di tích gần đây", "Gần đây có di tích nào?"), ("Chùa gần đây", "Chùa nào gần đây?")],
    "en": [("Sights nearby", "What's near here?"), ("Pagodas nearby", "Which pagodas are nearby?")],
}
PROCEDURE_STARTERS = {
    "vi": [("Làm căn cước", "Làm thẻ căn cước cần gì?"), ("Hộ chiếu", "Làm hộ chiếu cần gì?"),
           ("Khai sinh", "Đăng ký khai sinh cần giấy tờ gì?"), ("Tạm trú", "Đăng ký tạm trú ở đâu?")],
    "en": [("Citizen ID card", "How do I get a citizen ID card?"), ("Passport", "How do I get a passport?"),
           ("Birth registration", "What do I need for birth registration?"),
           ("Temporary residence", "Where do I register temporary residence?")],
}


def _t(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def _buttons(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    """Tappable follow-ups: the title shown, the question sent (plain words, understood on any channel)."""
    return [{"title": title, "payload": question} for title, question in pairs]


def _latest_text(tracker: Tracker) -> str:
    return nfc((tracker.latest_message or {}).get("text") or "")


def _point_of_message(message: dict[str, Any]) -> tuple[float, float] | None:
    """The point a user message carried: a device's location in its metadata, or the
    coordinates of a shared location (/share_location{"latitude":…,"longitude":…})."""
    meta = message.get("metadata") or {}
    loc = meta.get("location") or meta.get("device_location")
    if isinstance(loc, dict) and loc.get("latitude") is not None and loc.get("longitude") is not None:
        return float(loc["latitude"]), float(loc["longitude"])
    parsed = message.get("parse_data") or message
    coords = {e.get("entity"): e.get("value") for e in parsed.get("entities") or []}
    try:
        return float(coords["latitude"]), float(coords["longitude"])
    except (KeyError, TypeError, ValueError):
        return None


def _shared_location(tracker: Tracker) -> tuple[float, float] | None:
    """Where the visitor is: this message's point, else the form's slots, else the last point
    shared in this conversation. Filing a report empties the latitude/longitude slots, but the
    visitor has not moved: "gần đây có di tích nào" later still means near that point."""
    latest = tracker.latest_message or {}
    point = _point_of_message(latest)
    if point is not None:
        return point
    lat, lon = tracker.get_slot("latitude"), tracker.get_slot("longitude")
    if lat is not None and lon is not None:
        return float(lat), float(lon)
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            point = _point_of_message(event)
            if point is not None:
                return point
    return None


def _last_topic(tracker: Tracker) -> str | None:
    """Which of place_id / procedure_id the conversation set most recently.

    A bare follow-up ("bao nhiêu tiền?", "how long?") may reach either action; it belongs to the
    topic the user was last talking about, whatever the classifier guessed.
    """
    for event in reversed(tracker.events or []):
        if event.get("event") == "slot" and event.get("name") in ("place_id", "procedure_id") and event.get("value"):
            return str(event["name"])
    return None


def _nearby_count(folded: str) -> int:
    """ "3 chùa gần nhất" → 3; numbers are small so house numbers ("số 58") rarely interfere."""
    m = _COUNT_RE.search(folded)
    return int(m.group(1)) if m else _DEFAULT_NEARBY


def _festival_line(o: FestivalOccurrence, lang: str) -> str:
    fest = o.festival.name_vi if lang == "vi" else o.festival.name_en
    place = o.place.name_vi if lang == "vi" else o.place.name_en
    when = f"{o.start:%d/%m}" + (f"–{o.end:%d/%m}" if o.end != o.start else "")
    return f"• {fest} — {place}: {when}"


def _festival_month(folded: str, today: date) -> int | None:
    if any(k in folded for k in _THIS_MONTH):
        return today.month
    m = _MONTH_RE.search(folded)
    if m and ("le hoi" in folded or "festival" in folded) and 1 <= int(m.group(1)) <= 12:
        return int(m.group(1))
    return None


class ActionAnswerTourism(Action):
    def name(self) -> str:
        return "action_answer_tourism"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        text = _latest_text(tracker)
        lang = chosen_language(tracker)
        if text.startswith("/"):  # the "Du lịch" starter button: say what can be asked
            dispatcher.utter_message(text=_t(lang, "Bạn muốn biết gì về Hà Nội? Ví dụ:", "What would you like to know? "
                                             "For example:"), buttons=_buttons(TOURISM_STARTERS[lang]))
            return []
        folded = fold(text)
        today = clock.hanoi_today()
        month = _festival_month(folded, today)
        if month is not None:
            found = festivals_in_month(month, today.year)
            if found:
                head = f"Lễ hội tháng {month}/{today.year}:" if lang == "vi" else f"Festivals in {month}/{today.year}:"
                dispatcher.utter_message(text="\n".join([head, *(_festival_line(o, lang) for o in found[:8])]))
                return []
            # nothing that month: say so, and name what comes next instead of a dead end
            later = [o for m in range(1, 13) for o in festivals_in_month((month - 1 + m) % 12 + 1,
                                                                         today.year + (month - 1 + m) // 12)]
            head = (f"Tháng {month} chưa có lễ hội nào trong dữ liệu của tôi." if lang == "vi"
                    else f"No festival in my data in month {month}.")
            if later:
                first = later[0].start
                soon = [o for o in later if o.start == first or (o.start - first).days < 7][:3]
                head += " Sắp tới:" if lang == "vi" else " Coming next:"
                dispatcher.utter_message(text="\n".join([head, *(_festival_line(o, lang) for o in soon)]))
            else:
                dispatcher.utter_message(text=head)
            return []
        location = _shared_location(tracker)
        if location and any(k in folded for k in _NEAR_ME):
            ptype = detect_place_type(text)
            results = nearby(location[0], location[1], n=_nearby_count(folded), type=ptype)
            if not results:
                results = nearby(location[0], location[1], n=_nearby_count(folded))
            head = "Gần bạn nhất:" if lang == "vi" else "Closest to you:"
            lines = [f"• {(p.name_vi if lang == 'vi' else p.name_en)} — {d:.1f} km" for p, d in results]
            maps = ("Bản đồ (gần nhất): " if lang == "vi" else "Map (closest): ") + results[0][0].maps_url
            dispatcher.utter_message(text="\n".join([head, *lines, maps]))
            return [SlotSet("place_id", results[0][0].id)]
        if any(k in folded for k in _NEAR_ME):
            dispatcher.utter_message(
                text=("Bạn bấm “Gửi vị trí” để tôi tìm địa điểm gần bạn nhé." if lang == "vi"
                      else "Please share your location so I can find places near you."),
                json_message={"ask": "location"})
            return []
        aspect = detect_place_aspect(text)
        trip = answer_trip(text, lang) if aspect in (None, "address") else None
        if trip:  # "which craft villages in one day", "pagodas near the Temple of Literature"
            dispatcher.utter_message(text=trip)
            return []
        results = search_places(text, lang=lang)
        place = results[0][0] if results else None
        if (place is None and tracker.get_slot("procedure_id") and _last_topic(tracker) == "procedure_id"
                and detect_procedure_aspect(text) and not find_procedure(text)):
            proc = get_procedure(tracker.get_slot("procedure_id"))
            if proc is not None:  # a follow-up about the procedure just discussed
                dispatcher.utter_message(text=answer_procedure(proc, detect_procedure_aspect(text), lang=lang))
                return [SlotSet("procedure_id", proc.id)]
        if place is None and tracker.get_slot("place_id"):
            place = get_place(tracker.get_slot("place_id"))
        if place is None:
            dispatcher.utter_message(
                text=("Tôi chưa tìm thấy địa điểm bạn hỏi. Bạn thử ghi tên di tích hoặc làng nghề, "
                      "ví dụ “Văn Miếu”, “Bát Tràng”." if lang == "vi" else
                      "I couldn't find that place. Try a name such as “Temple of Literature” or “Bat Trang”."))
            return []
        if asks_directions(text) and aspect in (None, "address", "bus"):
            reply = answer_directions(place, lang)
        else:
            reply = answer_place(place, aspect, lang=lang)
        dispatcher.utter_message(text=reply, buttons=_buttons(follow_ups(place, lang)))
        return [SlotSet("place_id", place.id)]


class ActionAcknowledgeLocation(Action):
    """A location shared outside a report: say where it is and what it serves, so the
    visitor knows it was kept ("gần đây…" questions use it for the rest of the conversation)."""

    def name(self) -> str:
        return "action_acknowledge_location"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        lang = chosen_language(tracker)
        point = _shared_location(tracker)
        if point is None:
            return []
        where = shared_point(None, point[0], point[1], lang)
        dispatcher.utter_message(
            text=_t(lang, f"Đã nhận vị trí: {where}. Bạn muốn tìm gì gần đây, hay phản ánh sự việc ở đây?",
                    f"Location received: {where}. Looking for something nearby, or reporting a problem here?"),
            buttons=_buttons(NEARBY_STARTERS[lang]))
        return []


class ActionAnswerProcedure(Action):
    def name(self) -> str:
        return "action_answer_procedure"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        text = _latest_text(tracker)
        lang = chosen_language(tracker)
        aspect = detect_procedure_aspect(text)
        results = find_procedure(text)
        proc = results[0][0] if results else None
        if (proc is None and tracker.get_slot("place_id") and _last_topic(tracker) == "place_id"
                and detect_place_aspect(text) and not search_places(text)):
            place = get_place(tracker.get_slot("place_id"))
            if place is not None:  # a follow-up about the place just discussed ("bao nhiêu tiền?")
                dispatcher.utter_message(text=answer_place(place, detect_place_aspect(text), lang=lang))
                return [SlotSet("place_id", place.id)]
        if proc is None and tracker.get_slot("procedure_id"):
            proc = get_procedure(tracker.get_slot("procedure_id"))
        if proc is None:
            dispatcher.utter_message(
                text=("Bạn muốn hỏi thủ tục nào? Ví dụ: đăng ký khai sinh, làm căn cước, "
                      "đăng ký tạm trú, cấp phiếu lý lịch tư pháp." if lang == "vi" else
                      "Which procedure do you mean? For example: birth registration, citizen ID card, "
                      "temporary residence registration, judicial record certificate."),
                buttons=_buttons(PROCEDURE_STARTERS[lang]))
            return []
        dispatcher.utter_message(text=answer_procedure(proc, aspect, lang=lang),
                                 buttons=_buttons(procedure_follow_ups(proc, aspect, lang)))
        return [SlotSet("procedure_id", proc.id)]
