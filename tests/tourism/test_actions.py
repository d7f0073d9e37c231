"""The Rasa actions in bot/knowledge_actions.py, run with rasa_sdk's real Tracker and dispatcher.

These cover the dialogue logic around tourism/ (follow-ups that keep the place or procedure in
context, shared location → nearest N, festivals of a month, language); the same behaviour
through the trained model and the HTTP stack is in test_rasa_knowledge.py.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge_actions import ActionAnswerProcedure, ActionAnswerTourism
from nlu import clock
from tourism.procedures import get_procedure
from tourism.search import festivals_in_month, haversine_km
from tourism.sites import get_place

HOAN_KIEM = {"latitude": 21.0285, "longitude": 105.8525}


def run(action: Action, text: str, slots: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    tracker = Tracker("tester", slots or {}, {"text": text, "metadata": metadata or {}, "intent": {}},
                      [], False, None, {}, "")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    text_out = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    return text_out, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_follow_up_keeps_the_place() -> None:
    first, slots = run(ActionAnswerTourism(), "Văn Miếu mở cửa mấy giờ")
    van_mieu = get_place("van-mieu-quoc-tu-giam")
    assert van_mieu.opening_hours in first and slots == {"place_id": van_mieu.id}
    price, slots = run(ActionAnswerTourism(), "còn giá vé?", slots)
    assert van_mieu.ticket_price in price and "google.com/maps" in price
    bus, _ = run(ActionAnswerTourism(), "thế còn xe buýt?", {"place_id": "bat-trang"})
    assert "47A" in bus and "Bát Tràng" in bus
    en, _ = run(ActionAnswerTourism(), "how much is the ticket?", {"place_id": "nha-tu-hoa-lo"})
    assert "Ticket price at Hoa Lo" in en and get_place("nha-tu-hoa-lo").ticket_price_en in en and "đồng" not in en


def test_a_new_name_replaces_the_place_in_context() -> None:
    _, slots = run(ActionAnswerTourism(), "giá vé chùa Hương", {"place_id": "van-mieu-quoc-tu-giam"})
    assert slots == {"place_id": "chua-huong"}


def test_shared_location_gives_nearest_n_of_a_type_with_distances() -> None:
    text, slots = run(ActionAnswerTourism(), "3 chùa gần tôi nhất", metadata={"location": HOAN_KIEM})
    rows = [ln for ln in text.splitlines() if ln.startswith("• ")]
    assert len(rows) == 3
    km = [float(re.search(r"— ([\d.]+) km", r).group(1)) for r in rows]
    assert km == sorted(km)
    first = get_place(slots["place_id"])
    assert first.type == "pagoda" and first.name_vi in rows[0]
    assert abs(km[0] - haversine_km(21.0285, 105.8525, first.lat, first.lon)) < 0.06
    assert first.maps_url in text


def test_device_gps_and_english() -> None:
    text, _ = run(ActionAnswerTourism(), "what is near me", metadata={"device_location": {"latitude": 21.0285,
                                                                                          "longitude": 105.8355}})
    assert text.startswith("Closest to you:") and "Temple of Literature" in text.splitlines()[1]


def test_near_me_without_location_asks_for_it() -> None:
    tracker = Tracker("t", {}, {"text": "gần đây có gì chơi", "metadata": {}, "intent": {}}, [], False, None, {}, "")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAnswerTourism().run(dispatcher, tracker, {}))
    assert dispatcher.messages[0]["custom"] == {"ask": "location"}


def test_festivals_of_a_month_and_what_comes_next() -> None:
    feb, _ = run(ActionAnswerTourism(), "tháng 2 có lễ hội gì")
    year = clock.hanoi_today().year
    expected = festivals_in_month(2, year)
    assert expected and expected[0].festival.name_vi in feb
    empty = [m for m in range(1, 13) if not festivals_in_month(m, year)]
    if empty:  # a month without festivals still gets an answer that points ahead
        text, _ = run(ActionAnswerTourism(), f"tháng {empty[0]} có lễ hội gì")
        assert "chưa có lễ hội" in text and "Sắp tới:" in text


@pytest.mark.parametrize(("question", "aspect_text"), [
    ("cần giấy tờ gì?", "Giấy tờ cần"),
    ("lệ phí bao nhiêu?", "Lệ phí"),
    ("mất bao lâu", "Thời gian giải quyết"),
    ("có làm online được không", "Nộp trực tuyến qua"),
])
def test_procedure_follow_ups(question: str, aspect_text: str) -> None:
    first, slots = run(ActionAnswerProcedure(), "đăng ký tạm trú")
    assert slots == {"procedure_id": "dang-ky-tam-tru"}
    assert "Hỏi thêm" in first  # short answer first, offering the follow-ups
    text, slots = run(ActionAnswerProcedure(), question, slots)
    assert aspect_text in text and slots == {"procedure_id": "dang-ky-tam-tru"}
    proc = get_procedure("dang-ky-tam-tru")
    if aspect_text == "Lệ phí":
        assert proc.fee in text


def test_short_answers() -> None:
    for q in ("Văn Miếu mở cửa mấy giờ", "where can I make pottery", "làm căn cước"):
        action = ActionAnswerProcedure() if "căn cước" in q else ActionAnswerTourism()
        text, _ = run(action, q)
        assert len(text.splitlines()) <= 8 and len(text) <= 900, text


def _tracker_with_history(text: str, slots: dict[str, Any], history: list[dict[str, Any]]) -> Tracker:
    return Tracker("t", slots, {"text": text, "metadata": {}, "intent": {}}, history, False, None, {}, "")


def test_bare_follow_up_goes_to_the_last_topic_whichever_action_gets_it() -> None:
    slots = {"place_id": "nha-tu-hoa-lo", "procedure_id": "dang-ky-tam-tru"}
    place_last = [{"event": "slot", "name": "procedure_id", "value": "dang-ky-tam-tru"},
                  {"event": "slot", "name": "place_id", "value": "nha-tu-hoa-lo"}]
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswerProcedure().run(
        dispatcher, _tracker_with_history("bao nhiêu tiền?", slots, place_last), {}))
    assert get_place("nha-tu-hoa-lo").ticket_price in dispatcher.messages[0]["text"]
    assert events[0]["name"] == "place_id"
    proc_last = list(reversed(place_last))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswerTourism().run(
        dispatcher, _tracker_with_history("mất bao lâu?", slots, proc_last), {}))
    assert "Thời gian giải quyết Đăng ký tạm trú" in dispatcher.messages[0]["text"]
    assert events[0]["name"] == "procedure_id"
