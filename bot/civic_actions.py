"""Rasa actions for suggestions (góp ý) and denunciations (tố cáo).

Thin on purpose: they read and check slots and call feedback_router.civic.suggestions /
feedback_router.civic.denunciations. Every question can be answered by typing or speaking
("có", "không", "đồng ý", "ẩn danh"…): buttons are a shortcut, never the only way, because
the hotline goes through this same dialogue. Nothing here logs a denouncer's details.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import safety_actions  # noqa: F401  (registers the "is anyone in danger?" actions)
from bot.actions import caller_phone
from feedback_router.civic.data import civic
from feedback_router.civic.denunciations import DenunciationError, file_denunciation
from feedback_router.civic.identity_crypto import Identity, IdentityUnreadable, open_text, seal_text
from feedback_router.civic.suggestions import SuggestionError, create_suggestion
from nlu.entities import ward_unit_for
from nlu.text import collapse_whitespace, fold, nfc

log = logging.getLogger(__name__)

SKIP = "-"  # an optional answer the citizen chose not to give (the phone number)
CANCEL_WORDS = {"huy", "huy bo", "thoi", "thoi khong", "dung lai", "bo qua het", "cancel"}
NO_WORDS = ("khong", "ko", "k", "khg", "hong", "chua", "thoi", "huy", "sai", "no", "nope", "deny")
# "dạ" and "rồi" are left out: folded they read "da"/"roi", as "đã" (already) does ("để tôi nghĩ đã");
# a bare "dạ" is left to the intent classifier (affirm).
YES_WORDS = ("co", "dong y", "dung", "vang", "u", "uh", "um", "ok", "oke", "okay", "duoc", "yes", "gui",
             "chac chan", "cong khai", "chuan", "affirm")
ANON_WORDS = ("an danh", "giau ten", "khong ten", "nac danh", "khong can ten", "khong de ten", "hai", "2",
              "anonymous")
FORMAL_WORDS = ("chinh thuc", "co ten", "ghi ten", "de ten", "dung ten", "mot", "1", "formal", "cong khai")
FILLER = {"toi", "minh", "em", "anh", "chi", "muon", "xin", "cho", "duoc", "gop", "y", "kien", "to", "cao", "de",
          "xuat", "nghi", "sang", "co", "mot", "ve", "a", "oi", "bot", "tro", "ly", "can", "gui", "phan", "nay",
          "chut", "viec", "lam", "sao", "the", "nao", "nhu", "vay", "voi", "ban", "dang", "ky", "noi", "chuyen",
          "i", "want", "make", "suggestion", "report", "denounce", "idea", "tip"}

SUGGESTION_SLOTS = ("suggestion_text", "suggestion_publish", "suggestion_confirmed")
DENOUNCE_SLOTS = ("denounce_mode", "denounce_text", "denouncer_name", "denouncer_address", "denouncer_phone",
                  "denounce_confirmed")
IDENTITY_SLOTS = ("denouncer_name", "denouncer_address", "denouncer_phone")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9/]+", fold(text))


def _has_phrase(folded_words: list[str], phrase: str) -> bool:
    target = phrase.split()
    n = len(target)
    return any(folded_words[i:i + n] == target for i in range(len(folded_words) - n + 1))


def yes_no(text: object, intent: str | None = None) -> bool | None:
    """Read a yes/no answer from typed or spoken words ("có", "đồng ý", "không ạ", "/affirm")."""
    words = _words(str(text or ""))
    if words[:1] in (["/affirm"],) or intent == "affirm" and not words:
        return True
    if words[:1] in (["/deny"],):
        return False
    if any(_has_phrase(words, w) for w in NO_WORDS):
        return False
    if any(_has_phrase(words, w) for w in YES_WORDS):
        return True
    if intent in ("affirm", "deny"):
        return intent == "affirm"
    return None


def mode_choice(text: object) -> str | None:
    words = _words(str(text or ""))
    if any(_has_phrase(words, w) for w in ANON_WORDS):
        return "anonymous"
    if any(_has_phrase(words, w) for w in FORMAL_WORDS):
        return "formal"
    answer = yes_no(text)
    return None if answer is None else ("formal" if answer else "anonymous")


def is_cancel(text: object) -> bool:
    return " ".join(_words(str(text or ""))) in CANCEL_WORDS


def has_content(text: str) -> bool:
    """False for "tôi muốn góp ý" / "tôi muốn tố cáo": the intent without the matter."""
    return len([w for w in _words(text) if w not in FILLER]) >= 2


def _intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def _clean(value: Any, limit: int = 5000) -> str:
    return collapse_whitespace(nfc(str(value or "")))[:limit]


def _previous_value(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message (its intent mapping may have
    overwritten it with an answer to another question)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def _answering_other_question(tracker: Tracker, slot: str) -> bool:
    requested = tracker.get_slot("requested_slot")
    return requested is not None and requested != slot


def _cancelled(slots: tuple[str, ...], confirm_slot: str) -> dict[str, Any]:
    """Fill every slot so the form ends; the submit action sees 'not confirmed' and cancels."""
    return {**{s: SKIP for s in slots}, confirm_slot: False}


class ActionStartSuggestion(Action):
    def name(self) -> str:
        return "action_start_suggestion"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        text = _clean(tracker.get_slot("suggestion_text"))
        events: list[dict[str, Any]] = [SlotSet("suggestion_publish", None), SlotSet("suggestion_confirmed", None)]
        if not has_content(text):
            events.append(SlotSet("suggestion_text", None))
        dispatcher.utter_message(text="Cảm ơn bạn muốn góp ý cho thành phố. "
                                      "Tôi sẽ ghi nhận và chuyển tới đơn vị phụ trách.")
        return events


class ValidateSuggestionForm(FormValidationAction):
    def name(self) -> str:
        return "validate_suggestion_form"

    def validate_suggestion_text(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if _answering_other_question(tracker, "suggestion_text"):
            return {"suggestion_text": _previous_value(tracker, "suggestion_text")}  # "suggest" intent mid-form
        if tracker.get_slot("requested_slot") == "suggestion_text" and is_cancel(value):
            return _cancelled(SUGGESTION_SLOTS, "suggestion_confirmed")
        text = _clean(value)
        if not has_content(text) or len(text) < 10:
            if tracker.get_slot("requested_slot") == "suggestion_text":
                dispatcher.utter_message(text="Bạn viết rõ hơn ý tưởng giúp tôi: đề xuất gì, ở đâu?")
            return {"suggestion_text": None}
        return {"suggestion_text": text}

    def validate_suggestion_publish(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        answer = yes_no(value, _intent(tracker))
        if answer is None:
            dispatcher.utter_message(text="Bạn trả lời “có” để công khai góp ý, hoặc “không” để chỉ gửi cho đơn vị.")
        return {"suggestion_publish": answer}

    def validate_suggestion_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        answer = yes_no(value, _intent(tracker))
        if answer is None:
            dispatcher.utter_message(text="Bạn trả lời “có” để gửi góp ý, hoặc “không” để huỷ.")
        return {"suggestion_confirmed": answer}


class ActionAskSuggestionConfirmed(Action):
    def name(self) -> str:
        return "action_ask_suggestion_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        public = "có, người khác có thể xem và ủng hộ" if tracker.get_slot("suggestion_publish") else "không"
        dispatcher.utter_message(
            text=(f"Xác nhận góp ý:\n• Nội dung: {tracker.get_slot('suggestion_text')}\n• Công khai: {public}\n"
                  "Bạn đồng ý gửi chứ? (trả lời “có” hoặc “không”)"),
            buttons=[{"title": "Có, gửi đi", "payload": "có"}, {"title": "Không, huỷ", "payload": "không"}])
        return []


class ActionSubmitSuggestion(Action):
    def name(self) -> str:
        return "action_submit_suggestion"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        reset = [SlotSet(s, None) for s in SUGGESTION_SLOTS]
        if tracker.get_slot("suggestion_confirmed") is not True:
            dispatcher.utter_message(text="Tôi đã huỷ góp ý này. Bạn có thể gửi góp ý mới bất cứ lúc nào.")
            return reset
        text = _clean(tracker.get_slot("suggestion_text"))
        try:
            receipt = create_suggestion(text=text, sender_id=tracker.sender_id,
                                        publish=tracker.get_slot("suggestion_publish") is True,
                                        ward_unit_id=ward_unit_for(text), phone=caller_phone(tracker.sender_id))
        except SuggestionError as exc:
            dispatcher.utter_message(text=str(exc))
            return reset
        log.info("suggestion created code=%s unit=%s published=%s", receipt.code, receipt.unit_id, receipt.published)
        public = (f" Góp ý được công khai tại trang /suggestions/{receipt.code} để mọi người cùng ủng hộ."
                  if receipt.published else "")
        dispatcher.utter_message(
            text=(f"Đã tiếp nhận góp ý của bạn. Mã góp ý: {receipt.code}.\n"
                  f"Đơn vị tiếp nhận: {receipt.unit_name}.{public}\n"
                  f"{answer_route(tracker.sender_id, receipt.code)}"),
            json_message={"suggestion": {"code": receipt.code, "unit_id": receipt.unit_id,
                                         "unit_name": receipt.unit_name, "published": receipt.published}})
        return reset


def answer_route(sender_id: str, code: str) -> str:
    """How the unit's answer reaches the author: a phone line cannot receive a message, so
    the unit calls back (dashboard "Cần gọi lại") and the caller can ask with the code."""
    if caller_phone(sender_id):
        return (f"Khi có trả lời, cán bộ của đơn vị sẽ gọi lại cho bạn theo số điện thoại này. "
                f"Bạn cũng có thể gọi tổng đài và đọc mã {code} để hỏi kết quả.")
    return "Trả lời của đơn vị sẽ được gửi tới bạn tại đây."


class ActionStartDenunciation(Action):
    """Say what the law requires before any detail is taken, then let the citizen choose."""

    def name(self) -> str:
        return "action_start_denunciation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = [SlotSet(s, None) for s in DENOUNCE_SLOTS if s != "denounce_text"]
        text = _clean(open_text(tracker.get_slot("denounce_text")))
        events.append(SlotSet("denounce_text", seal_text(text) if has_content(text) else None))
        phone = caller_phone(tracker.sender_id)
        if phone:
            events.append(SlotSet("denouncer_phone", seal_text(phone)))  # the hotline knows the caller's number
        dispatcher.utter_message(text=civic().notice_vi)
        return events


class ActionAskDenounceMode(Action):
    def name(self) -> str:
        return "action_ask_denounce_mode"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=civic().choice_vi,
                                 buttons=[{"title": "Chính thức (có họ tên)", "payload": "chính thức"},
                                          {"title": "Ẩn danh", "payload": "ẩn danh"}])
        return []


class ValidateDenunciationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_denunciation_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        if tracker.get_slot("denounce_mode") == "anonymous":
            return [s for s in domain_slots if s not in IDENTITY_SLOTS]
        return domain_slots

    def _cancel_if_asked(self, slot: str, value: Any, tracker: Tracker) -> dict[str, Any] | None:
        if tracker.get_slot("requested_slot") == slot and is_cancel(value):
            return _cancelled(DENOUNCE_SLOTS, "denounce_confirmed")
        return None

    def validate_denounce_mode(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if (cancel := self._cancel_if_asked("denounce_mode", value, tracker)) is not None:
            return cancel
        mode = mode_choice(value)
        if mode is None:
            dispatcher.utter_message(text="Bạn nói “chính thức” (có họ tên, địa chỉ) hoặc “ẩn danh” giúp tôi.")
        return {"denounce_mode": mode}

    def validate_denounce_text(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if _answering_other_question(tracker, "denounce_text"):
            return {"denounce_text": _previous_value(tracker, "denounce_text")}  # "denounce" intent mid-form
        if (cancel := self._cancel_if_asked("denounce_text", value, tracker)) is not None:
            return cancel
        text = _clean(open_text(value))
        if not has_content(text) or len(text) < 15:
            if tracker.get_slot("requested_slot") == "denounce_text":
                dispatcher.utter_message(text="Bạn mô tả rõ hơn: ai (cán bộ, đơn vị nào), làm gì, ở đâu, khi nào, "
                                              "có tài liệu, chứng cứ gì?")
            return {"denounce_text": None}
        return {"denounce_text": seal_text(text)}

    def validate_denouncer_name(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if (cancel := self._cancel_if_asked("denouncer_name", value, tracker)) is not None:
            return cancel
        name = _clean(open_text(value), 200)
        if len(re.findall(r"[^\W\d_]", name)) < 2 or re.search(r"\d", name):
            dispatcher.utter_message(text="Bạn cho tôi họ và tên đầy đủ của người tố cáo.")
            return {"denouncer_name": None}
        return {"denouncer_name": seal_text(name)}

    def validate_denouncer_address(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if (cancel := self._cancel_if_asked("denouncer_address", value, tracker)) is not None:
            return cancel
        address = _clean(open_text(value), 500)
        if len(address) < 5:
            dispatcher.utter_message(text="Địa chỉ chưa rõ: bạn ghi số nhà, đường, phường/xã nơi bạn ở.")
            return {"denouncer_address": None}
        return {"denouncer_address": seal_text(address)}

    def validate_denouncer_phone(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if (cancel := self._cancel_if_asked("denouncer_phone", value, tracker)) is not None:
            return cancel
        text = open_text(value) or ""
        digits = re.sub(r"[^\d+]", "", text)
        if 8 <= len(digits.lstrip("+")) <= 15:
            return {"denouncer_phone": seal_text(digits)}
        if yes_no(text) is False:
            return {"denouncer_phone": SKIP}
        dispatcher.utter_message(text="Số điện thoại chưa đúng. Bạn nhập lại số (ví dụ 0912345678), "
                                      "hoặc nói “không” nếu không muốn để lại số.")
        return {"denouncer_phone": None}

    def validate_denounce_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        answer = yes_no(value, _intent(tracker))
        if answer is None:
            dispatcher.utter_message(text="Bạn trả lời “có” để gửi tố cáo, hoặc “không” để huỷ.")
        return {"denounce_confirmed": answer}


class ActionAskDenounceConfirmed(Action):
    def name(self) -> str:
        return "action_ask_denounce_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        if tracker.get_slot("denounce_mode") == "anonymous":
            who = "ẩn danh (xử lý như thông tin, không có trả lời kết quả)"
        else:
            who = "chính thức (họ tên, địa chỉ, liên hệ của bạn đã ghi nhận và được giữ bí mật)"
        content = open_text(tracker.get_slot("denounce_text"))
        dispatcher.utter_message(
            text=(f"Xác nhận tố cáo gửi Thanh tra thành phố:\n• Nội dung: {content}\n"
                  f"• Hình thức: {who}\nBạn đồng ý gửi chứ? (trả lời “có” hoặc “không”)"),
            buttons=[{"title": "Có, gửi đi", "payload": "có"}, {"title": "Không, huỷ", "payload": "không"}])
        return []


class ActionSubmitDenunciation(Action):
    def name(self) -> str:
        return "action_submit_denunciation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        reset = [SlotSet(s, None) for s in DENOUNCE_SLOTS]
        if tracker.get_slot("denounce_confirmed") is not True:
            dispatcher.utter_message(text="Tôi đã huỷ, không gửi tố cáo này. Thông tin bạn nhập không được lưu.")
            return reset
        try:
            return self._submit(dispatcher, tracker, reset)
        except IdentityUnreadable:  # DENOUNCE_KEY changed mid-conversation: the sealed answers are lost
            dispatcher.utter_message(text="Xin lỗi, phiên tố cáo đã hết hiệu lực. Bạn vui lòng gửi lại từ đầu.")
            return reset

    def _submit(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                reset: list[dict[str, Any]]) -> list[dict[str, Any]]:
        anonymous = tracker.get_slot("denounce_mode") == "anonymous"
        identity = None
        if not anonymous:
            phone = open_text(tracker.get_slot("denouncer_phone"))
            identity = Identity(name=open_text(tracker.get_slot("denouncer_name")) or "",
                                phone=None if phone in (None, SKIP) else phone,
                                address=open_text(tracker.get_slot("denouncer_address")) or "",
                                sender_id=tracker.sender_id)
        try:
            receipt = file_denunciation(text=open_text(tracker.get_slot("denounce_text")) or "", anonymous=anonymous,
                                        identity=identity)
        except DenunciationError as exc:
            dispatcher.utter_message(text=f"Chưa gửi được tố cáo: {exc}")
            return reset
        if anonymous:
            tail = ("Tố cáo ẩn danh được xử lý như thông tin: nếu nội dung rõ ràng, có chứng cứ, cơ quan có thẩm "
                    "quyền sẽ thanh tra, kiểm tra; bạn sẽ không nhận được thông báo kết quả.")
        else:
            tail = ("Thông tin của bạn được mã hoá và chỉ cán bộ thanh tra được xem. Cán bộ có thể liên hệ để "
                    "bạn ký đơn hoặc trình bày trực tiếp theo Luật Tố cáo.")
        dispatcher.utter_message(
            text=f"Đã chuyển tố cáo tới {receipt.handler_unit_name}. Mã tố cáo: {receipt.code}.\n{tail}",
            json_message={"denunciation": {"code": receipt.code, "anonymous": receipt.anonymous,
                                           "handler_unit_id": receipt.handler_unit_id}})
        return reset
