"""Rasa actions for booking a turn at a desk: book, cancel, move (issue 8).

The dialogue is one form, ``booking_form`` (procedure → desk → chosen slot). Its slots are
filled from the raw text of the answer (``from_text`` while the form asks), because a caller on
the hotline answers "9 giờ" or "cái đầu tiên" and there are no buttons to press. The first
message ("mai tôi muốn làm căn cước ở phường Láng") pre-fills what it already says. Business
rules stay in feedback_router.booking.service / booking_offer; these actions only read and phrase.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, time
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from feedback_router.booking import conversation
from feedback_router.booking import service as booking
from feedback_router.booking.dates import When, parse_when, pick_option
from feedback_router.booking.offer import (
    PART_VI,
    RECEPTION,
    choose_desk,
    is_reception_request,
    match_procedure,
    needs_ward,
    procedure_name,
)
from feedback_router.core.codes import ALPHABET
from feedback_router.core.db import get_engine
from feedback_router.booking.desks import desk_data
from nlu import clock
from nlu.text import collapse_whitespace, fold, nfc

log = logging.getLogger(__name__)

CODE_RE = re.compile(r"\bLH-\d{4}-[" + ALPHABET + r"]{4}\b", re.IGNORECASE)
_MOVE_RE = re.compile(r"\b(?:doi|chuyen|lui|hoan|reschedule|move)\b")
_STOP_RE = re.compile(r"^(?:thoi|khong)\b|\b(?:huy|dung lai|bo qua|khong dat nua|cancel|stop)\b")
STOPPED = "stopped"
FORM_SLOTS = ("booking_procedure", "booking_desk", "booking_choice")


def _now() -> datetime:
    return clock.now()


def _text(tracker: Tracker) -> str:
    return collapse_whitespace(nfc((tracker.latest_message or {}).get("text") or ""))[:500]


def _intent(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def _ward_span(text: str) -> tuple[str | None, str]:
    """The ward named in ``text`` and the text without it ("phường Bạch Mai" is not "mai")."""
    try:
        from nlu import gazetteer
    except ImportError:  # pragma: no cover
        return None, text
    found = gazetteer.find_ward_span(text)
    if found is None:
        return None, text
    ward, start, end = found
    return ward.unit_id, f"{text[:start]} {text[end:]}"


def _encode_when(when: When) -> str | None:
    if not when:
        return None
    return "|".join([when.day.isoformat() if when.day else "", when.part or "",
                     when.at.strftime("%H:%M") if when.at else ""])


def _decode_when(raw: str | None) -> When:
    if not raw:
        return When()
    day, part, at = (raw.split("|") + ["", "", ""])[:3]
    return When(day=date.fromisoformat(day) if day else None, part=part or None,
                at=time.fromisoformat(at) if at else None)


def _when_from(text: str, previous: str | None = None) -> str | None:
    """The moment asked in ``text``, completed by what was asked before: "9 giờ" after
    "chiều mai" means 9:00 tomorrow."""
    _, rest = _ward_span(text)
    when = parse_when(rest, _now())
    if not when:
        return previous
    before = _decode_when(previous)
    part = when.part if (when.part or when.at) else before.part
    return _encode_when(When(day=when.day or before.day, part=part, at=when.at))


# Words of the request itself (booking, moving, days, times, "I", "please"): left out before
# matching a procedure, or "đổi sang chiều mai" would match "cấp đổi thẻ căn cước". Typed
# without diacritics some are also parts of procedure names ("chieu": chiều / hộ chiếu, "so":
# số / sổ đỏ, "can": cần / căn cước), so those stay in plain text.
_REQUEST_WORDS = frozenset(
    "đặt lịch hẹn cuộc đổi dời sang chuyển lùi hoãn tôi muốn mình em anh chị cho giúp với được không ko nhé ạ ơi "
    "mai nay hôm ngày kia mốt chiều trưa sáng tối thứ tuần sau giờ h phút rưỡi lúc vào ở tại đến qua phường xã "
    "cái số book slot lượt trước online xếp lấy cần làm thủ tục nộp hồ sơ đi hai ba tư năm bảy sáu chủ nhật cn "
    "gặp tự".split())
_AMBIGUOUS_PLAIN = frozenset({"chieu", "so", "can", "cuoc", "ho", "do", "sang", "tu"})
_REQUEST_WORDS_PLAIN = frozenset(fold(w) for w in _REQUEST_WORDS) - _AMBIGUOUS_PLAIN
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def _is_request_word(word: str) -> bool:
    lower = word.lower()
    return lower in _REQUEST_WORDS if not lower.isascii() else lower in _REQUEST_WORDS_PLAIN


def _procedure_from(text: str) -> str | None:
    if is_reception_request(fold(text)):
        return RECEPTION
    _, rest = _ward_span(text)
    words = [w for w in _TOKEN_RE.findall(rest) if not _is_request_word(w) and not w.isdigit()]
    if not words:
        return None
    proc = match_procedure(" ".join(words))
    return proc.id if proc else None


def _stop(dispatcher: CollectingDispatcher, text: str) -> dict[str, Any]:
    dispatcher.utter_message(text=text)
    return {"booking_procedure": STOPPED, "booking_desk": STOPPED, "booking_choice": STOPPED}


class ActionBookingStart(Action):
    """First message of a booking (or of a move: "đổi lịch sang chiều mai")."""

    def name(self) -> str:
        return "action_booking_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        text = _text(tracker)
        folded = fold(text)
        reset = [SlotSet(s, None) for s in (*FORM_SLOTS, "booking_offer", "booking_move", "booking_ward")]
        events: list[dict[str, Any]] = [*reset, SlotSet("booking_when", _when_from(text))]
        if _MOVE_RE.search(folded):
            mine = conversation.my_bookings(tracker.sender_id, _now())
            asked = {c.upper() for c in CODE_RE.findall(text)}
            named = [b for b in mine if b.code in asked]
            if asked and not named:
                dispatcher.utter_message(text=f"Bạn không có lịch hẹn {', '.join(sorted(asked))} đang chờ.")
                return [*events, *[SlotSet(s, STOPPED) for s in FORM_SLOTS]]
            target = named[0] if named else (mine[0] if len(mine) == 1 else None)
            if target is not None:
                b = target
                proc = match_procedure(b.procedure)
                pid = RECEPTION if b.procedure == procedure_name(RECEPTION) else (proc.id if proc else None)
                return [*events, SlotSet("booking_move", b.code), SlotSet("booking_procedure", pid or "other"),
                        SlotSet("booking_desk", b.desk_id)]
            if len(mine) > 1:
                codes = ", ".join(f"{b.code} ({b.label})" for b in mine)
                dispatcher.utter_message(text=f"Bạn có {len(mine)} lịch hẹn: {codes}. "
                                              "Bạn nhắn \"đổi lịch <mã> sang …\" giúp tôi nhé.")
                return [*events, *[SlotSet(s, STOPPED) for s in FORM_SLOTS]]
            if not mine:
                dispatcher.utter_message(text="Bạn chưa có lịch hẹn nào để đổi; tôi đặt lịch mới cho bạn nhé.")
        ward, _ = _ward_span(text)
        pid = _procedure_from(text)
        events += [SlotSet("booking_ward", ward)]
        if pid is not None or ward is not None:
            events += self._desk_events(dispatcher, pid, ward)
        return events

    @staticmethod
    def _desk_events(dispatcher: CollectingDispatcher, pid: str | None, ward: str | None) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        if pid is not None:
            events.append(SlotSet("booking_procedure", pid))
        if pid is None and ward is not None:
            return events  # the desk depends on the procedure (ward office or ward police)
        choice = choose_desk(pid, ward)
        if choice.desk is not None:
            events.append(SlotSet("booking_desk", choice.desk.id))
        elif choice.reason:
            dispatcher.utter_message(text=choice.reason)
            events += [SlotSet(s, STOPPED) for s in FORM_SLOTS]
        return events


class ValidateBookingForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        return list(FORM_SLOTS)

    def _common(self, tracker: Tracker) -> dict[str, Any]:
        """Any answer may also say a day ("phường Láng, chiều mai")."""
        when = _when_from(_text(tracker), tracker.get_slot("booking_when"))
        return {"booking_when": when} if when != tracker.get_slot("booking_when") else {}

    @staticmethod
    def _asked(tracker: Tracker, slot: str) -> bool:
        """Only the answer to the question asked is read; values set by action_booking_start
        (or its resets) arrive here too when the form starts, and are kept as they are."""
        return tracker.get_slot("requested_slot") == slot

    def _stopping(self, tracker: Tracker) -> bool:
        return _intent(tracker) in ("cancel_appointment", "deny") or \
            bool(_STOP_RE.search(fold(_text(tracker))) and len(_text(tracker)) < 40)

    def validate_booking_procedure(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value == STOPPED or not self._asked(tracker, "booking_procedure"):
            return {}
        text = _text(tracker)
        if self._stopping(tracker):
            return _stop(dispatcher, "Tôi đã dừng việc đặt lịch.")
        pid = _procedure_from(text) or "other"
        out: dict[str, Any] = {"booking_procedure": pid, **self._common(tracker)}
        ward = tracker.get_slot("booking_ward") or _ward_span(text)[0]
        if ward is not None or not needs_ward(pid):
            choice = choose_desk(pid, ward)
            if choice.desk is not None:
                out["booking_desk"] = choice.desk.id
            elif choice.reason:
                return {**out, **_stop(dispatcher, choice.reason)}
        return out

    def validate_booking_desk(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value == STOPPED or not self._asked(tracker, "booking_desk"):
            return {}
        if self._stopping(tracker):
            return _stop(dispatcher, "Tôi đã dừng việc đặt lịch.")
        ward, _ = _ward_span(_text(tracker))
        if ward is None and (pid := _procedure_from(_text(tracker))) is not None:
            return {"booking_desk": None, "booking_procedure": pid}  # named the procedure instead: ask again
        if ward is None:
            dispatcher.utter_message(text="Tôi chưa nhận ra phường/xã. Bạn nói rõ tên, ví dụ \"phường Láng\" "
                                          "hoặc \"xã Bát Tràng\".")
            return {"booking_desk": None}
        choice = choose_desk(tracker.get_slot("booking_procedure"), ward)
        if choice.desk is None:
            return _stop(dispatcher, choice.reason or "Phường/xã này chưa nhận lịch hẹn trực tuyến.")
        return {"booking_desk": choice.desk.id, "booking_ward": ward, **self._common(tracker)}

    def validate_booking_choice(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value == STOPPED or not self._asked(tracker, "booking_choice"):
            return {}
        text = _text(tracker)
        offered = [int(x) for x in (tracker.get_slot("booking_offer") or []) if str(x).isdigit()]
        if self._stopping(tracker):
            move_code = tracker.get_slot("booking_move")
            if move_code and _intent(tracker) == "cancel_appointment":
                # "huỷ lịch hẹn" while choosing a new time cancels the booking being moved.
                cancel_booking(dispatcher, tracker.sender_id, move_code)
                return {"booking_procedure": STOPPED, "booking_desk": STOPPED, "booking_choice": STOPPED}
            if move_code:
                return _stop(dispatcher, f"Tôi đã dừng việc đổi lịch; lịch hẹn {move_code} vẫn giữ nguyên.")
            return _stop(dispatcher, "Tôi đã dừng, chưa đặt lịch nào.")
        starts = conversation.slot_starts(offered)
        index = pick_option(text, starts)
        if index is None:
            common = self._common(tracker)
            if not common:
                dispatcher.utter_message(text="Bạn chọn một giờ trong danh sách (ví dụ \"số 1\" hoặc \"9 giờ\"), "
                                              "hoặc nói ngày khác (ví dụ \"chiều mai\").")
            return {"booking_choice": None, **common}  # a new day: the question offers again
        slot_id = offered[index]
        pid = tracker.get_slot("booking_procedure")
        pid = None if pid in (None, "other", STOPPED) else pid
        move_code = tracker.get_slot("booking_move")
        try:
            if move_code:
                done = booking.move(get_engine(), move_code, tracker.sender_id, slot_id)
            else:
                done = booking.book(get_engine(), slot_id=slot_id, sender_id=tracker.sender_id,
                                    procedure=procedure_name(pid))
        except booking.BookingError as exc:
            dispatcher.utter_message(text=str(exc))
            return {"booking_choice": None}
        log.info("booking %s %s desk=%s", "moved" if move_code else "made", done.code, done.slot.desk_id)
        return {"booking_choice": done.code, "booking_code": done.code}


class ActionAskBookingProcedure(Action):
    def name(self) -> str:
        return "action_ask_booking_procedure"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(text="Bạn cần đặt lịch cho thủ tục gì? Ví dụ: đăng ký khai sinh, làm căn cước, "
                                      "chứng thực bản sao, phiếu lý lịch tư pháp, hoặc tiếp công dân.")
        return []


class ActionAskBookingDesk(Action):
    def name(self) -> str:
        return "action_ask_booking_desk"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(text="Bạn muốn đến làm ở phường/xã nào?")
        return []


class ActionAskBookingChoice(Action):
    """Offer the nearest free slots for the day asked, as buttons and as a numbered list."""

    def name(self) -> str:
        return "action_ask_booking_choice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        desk = desk_data().desks.get(tracker.get_slot("booking_desk") or "")
        if desk is None:
            dispatcher.utter_message(text="Bạn muốn đến làm ở phường/xã nào?")
            return [SlotSet("booking_desk", None)]
        when = _decode_when(tracker.get_slot("booking_when"))
        found = conversation.offer_for(desk.id, when, _now())
        labels = found.slots
        notice = f"{found.notice}\n" if found.notice else ""
        if not labels:
            dispatcher.utter_message(text=f"{notice}{desk.name} không còn chỗ trống trong những ngày tới. "
                                          "Bạn thử ngày khác (ví dụ \"thứ hai tuần sau\").")
            return [SlotSet("booking_offer", [])]
        lines = "\n".join(f"{i + 1}. {label}" for i, (_, label) in enumerate(labels))
        part = f"{PART_VI[found.part]} " if found.part else ""
        dispatcher.utter_message(
            text=f"{notice}{desk.name} còn các giờ trống {part}gần nhất:\n{lines}\nBạn chọn giờ nào (ví dụ \"số 1\")?",
            buttons=[{"title": label, "payload": f"{i + 1}. {label}"} for i, (_, label) in enumerate(labels)],
        )
        return [SlotSet("booking_offer", [str(i) for i, _ in labels])]


class ActionBookingDone(Action):
    def name(self) -> str:
        return "action_booking_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        code = tracker.get_slot("booking_choice")
        reset = [SlotSet(s, None) for s in (*FORM_SLOTS, "booking_offer", "booking_move", "booking_when",
                                            "booking_ward")]
        if not code or code == STOPPED:
            return reset
        pid = tracker.get_slot("booking_procedure")
        found = conversation.confirm(code, None if pid in (None, "other") else pid,
                                     moved=bool(tracker.get_slot("booking_move")),
                                     hotline=tracker.sender_id.startswith("hotline:"))
        if found is None:
            return reset
        dispatcher.utter_message(text=found.text, json_message={"booking": {
            "code": code, "desk_id": found.desk_id, "starts_at": found.starts_at.isoformat()}})
        return [*reset, SlotSet("booking_code", code)]


def cancel_booking(dispatcher: CollectingDispatcher, sender_id: str, text: str) -> None:
    """Cancel the booking named in `text`, or the citizen's only one; otherwise say why not."""
    codes = [c.upper() for c in CODE_RE.findall(text)]
    listing = [(b.code, b.label) for b in conversation.my_bookings(sender_id, _now())]
    if not codes:
        if not listing:
            dispatcher.utter_message(text="Bạn không có lịch hẹn nào đang chờ.")
            return
        if len(listing) > 1:
            items = ", ".join(f"{c} ({label})" for c, label in listing)
            dispatcher.utter_message(text=f"Bạn có {len(listing)} lịch hẹn: {items}. "
                                          "Bạn nhắn \"huỷ lịch <mã>\" để huỷ lịch muốn huỷ.")
            return
        codes = [listing[0][0]]
    try:
        done = booking.cancel(get_engine(), codes[0], sender_id)
    except booking.BookingError as exc:
        dispatcher.utter_message(text=f"{exc} ({codes[0]})")
        return
    dispatcher.utter_message(text=f"Đã huỷ lịch hẹn {done.code}. Bạn có thể đặt lại bất cứ lúc nào.",
                             json_message={"booking": {"code": done.code, "status": "cancelled"}})


class ActionBookingCancel(Action):
    def name(self) -> str:
        return "action_booking_cancel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        cancel_booking(dispatcher, tracker.sender_id, _text(tracker))
        return [SlotSet("booking_code", None)]
