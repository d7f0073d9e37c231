"""The confirm-before-joining wording and slot logic (bot/duplicate_actions.py), without Rasa."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot import duplicate_actions as d
from feedback_router.tickets.service import DuplicateOffer, TicketReceipt

DOMAIN_SLOTS = ["description", "location", "confirmed", "same_issue"]


def tracker(sender: str = "web:abc", **slots: object) -> Tracker:
    return Tracker(sender, dict(slots), {"text": "đúng rồi", "metadata": {}}, [], False, None, {}, "action_listen")


def test_same_issue_is_asked_only_when_a_duplicate_was_found() -> None:
    assert d.required_slots(DOMAIN_SLOTS, tracker()) == DOMAIN_SLOTS[:3]
    assert d.required_slots(DOMAIN_SLOTS, tracker(duplicate_code="HN-0412-AB12")) == DOMAIN_SLOTS
    assert d.join_code(tracker(duplicate_code="HN-0412-AB12", same_issue=True)) == "HN-0412-AB12"
    assert d.join_code(tracker(duplicate_code="HN-0412-AB12", same_issue=False)) is None
    assert d.confirmed_slots(False, tracker()) == {"confirmed": False, "duplicate_code": None, "same_issue": None}


def test_the_hotline_never_gets_the_question_and_joins_by_the_strict_rule() -> None:
    assert not d.asks_before_joining("hotline:0912345678") and d.asks_before_joining("telegram:42")
    assert d.confirmed_slots(True, tracker("hotline:0912345678", category="waste", location="ngõ 12 Láng Hạ")) == \
        {"confirmed": True, "duplicate_code": None, "same_issue": None}  # no database lookup at all


def test_question_and_joined_message_carry_one_code() -> None:
    offer = DuplicateOffer("HN-0412-AB12", "waste", "ngõ 77, Láng Hạ, phường Láng", 1)
    assert d.question(offer, "vi").startswith(
        "Có phải việc này không? HN-0412-AB12 — Rác thải, vệ sinh môi trường ở ngõ 77, Láng Hạ, phường Láng, "
        "1 người đã phản ánh.")
    assert "reported by 1 person" in d.question(offer, "en")
    assert [b["payload"] for b in d.buttons("vi")] == ["/affirm", "/deny"]
    receipt = TicketReceipt("HN-0412-AB12", "waste", "ubnd-phuong-lang", "UBND phường Láng", "normal", None,
                            "received", merged=True, report_count=3)
    text = d.joined_text(receipt, "vi")
    assert text.startswith("3 người đã phản ánh việc này; bạn được thêm vào HN-0412-AB12.")
    assert text.count("HN-") == 1
