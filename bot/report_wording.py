"""What the report form says, in Vietnamese or English.

The report actions (bot.actions) stay thin: they read slots and call these to phrase the
question, the summary and the receipt in the conversation's language (bot.conversation_language).
Deadlines are shown in Hanoi time, the only clock a citizen reads.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from feedback_router.core.catalog import catalog
from feedback_router.tickets.lifecycle import STATUS_VI
from feedback_router.public.reports import STATUS_EN
from feedback_router.core.settings import get_settings
from feedback_router.tickets.sla import TZ, as_utc
from nlu.entities import ward_unit_for
from tourism.answer import unit_name as english_unit_name

# "Hang Bai ward", "Bat Trang commune": English puts the unit word after the name
_ENGLISH_UNIT_RE = re.compile(r"([^\W\d_][\w ]*?)\s+(ward|commune)\b", re.IGNORECASE)
_UNIT_VI = {"ward": "phường", "commune": "xã"}


def ward_unit_of(location: str | None) -> str | None:
    """The ward an address is in, also when a tourist wrote it in English word order."""
    if not location:
        return None
    found = ward_unit_for(location)
    if found is None:
        vietnamese_order = _ENGLISH_UNIT_RE.sub(lambda m: f"{_UNIT_VI[m.group(2).lower()]} {m.group(1)}", location)
        if vietnamese_order != location:
            found = ward_unit_for(vietnamese_order)
    return found


def _t(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def ask_description(lang: str) -> str:
    return _t(lang, "Bạn mô tả giúp tôi sự việc cần phản ánh?",
              "What is the problem? Please describe it in a sentence.")


def description_too_short(lang: str) -> str:
    return _t(lang, "Bạn mô tả rõ hơn sự việc giúp tôi nhé.", "Please describe the problem in a few more words.")


def location_unclear(lang: str) -> str:
    return _t(lang, "Địa chỉ chưa rõ. Bạn ghi số nhà, ngõ, đường, phường/xã giúp tôi.",
              "I could not read the address. Please give the house number, street and ward.")


def ask_location(lang: str, hint: str | None) -> str:
    if hint:
        return _t(lang,
                  f"Tôi ghi nhận địa điểm: {hint}. Địa điểm này thuộc phường/xã nào? "
                  "Bạn cũng có thể bấm “Gửi vị trí” để chia sẻ vị trí chính xác.",
                  f"I noted the place: {hint}. Which ward or commune is it in? "
                  "You can also press “Share location” to send the exact spot.")
    return _t(lang,
              "Sự việc ở đâu? Bạn ghi rõ số nhà, ngõ, đường, phường/xã, "
              "hoặc bấm “Gửi vị trí” để chia sẻ vị trí.",
              "Where is it? Please give the house number, street and ward, "
              "or press “Share location” to send where you are.")


def category_name(category: str | None, lang: str) -> str:
    cat = catalog().categories.get(category or "other")
    if cat is None:
        return _t(lang, "Phản ánh khác", "Other problem")
    return cat.name_en if lang == "en" else cat.name_vi


def ward_line(ward_full_name: str | None, lang: str) -> str:
    if not ward_full_name:
        return ""
    return _t(lang, f"• Phường/xã hiện nay: {ward_full_name}\n",
              f"• Ward/commune (current): {english_unit_name(ward_full_name, 'en')}\n")


def summary(lang: str, *, category: str | None, description: str, location: str, ward_full_name: str | None) -> str:
    return _t(lang, f"Xác nhận phản ánh — {category_name(category, lang)}\n"
                    f"• Nội dung: {description}\n• Địa điểm: {location}\n",
              f"Please confirm your report — {category_name(category, lang)}\n"
              f"• Problem: {description}\n• Place: {location}\n") \
        + ward_line(ward_full_name, lang) + _t(lang, "Thông tin trên đã đúng chưa?", "Is this correct?")


# Answers of the report form the summary lets the citizen correct without starting over
EDITABLE_FIELDS = ("location", "description")


def edit_payload(field: str) -> str:
    """The button payload asking one field again (the `confirmed` slot's edit_report mapping)."""
    return "/edit_report" + json.dumps({"report_field": field}, separators=(",", ":"))


def confirm_buttons(lang: str) -> list[dict[str, str]]:
    return [{"title": _t(lang, "Đúng, gửi đi", "Yes, send"), "payload": "/affirm"},
            {"title": _t(lang, "Sửa địa điểm", "Change place"), "payload": edit_payload("location")},
            {"title": _t(lang, "Sửa nội dung", "Change description"), "payload": edit_payload("description")},
            {"title": _t(lang, "Không, huỷ", "No, cancel"), "payload": "/deny"}]


# "sửa địa điểm", "đổi lại địa chỉ", "change the place", "edit description": a verb of changing
# followed by the field (folded text, nlu.text.fold)
_CHANGE = r"\b(?:sua|doi|thay|chinh|change|edit|correct|fix)\b"
_EDIT_RES = {
    "location": re.compile(_CHANGE + r".*\b(?:dia diem|dia chi|vi tri|place|address|location)\b"),
    "description": re.compile(_CHANGE + r".*\b(?:noi dung|mo ta|su viec|description|problem|text)\b"),
}


def edit_request(folded_text: str) -> str | None:
    """The field a typed or spoken answer to the summary asks to change, if any."""
    found = [field for field, pattern in _EDIT_RES.items() if pattern.search(folded_text)]
    return found[0] if len(found) == 1 else None


def edit_slots(field: str) -> dict[str, None]:
    """What the summary's "change" button empties: the field, and for a place everything it
    came with (the hint, a shared point), so the new answer is not mixed with the old one."""
    if field == "location":
        return {"location": None, "address_hint": None, "latitude": None, "longitude": None}
    return {"description": None}


def hanoi_time(moment: datetime) -> str:
    """'17:00 05/12/2026' as a clock in Hanoi shows it."""
    return as_utc(moment).astimezone(TZ).strftime("%H:%M %d/%m/%Y")


def unit_display_name(unit_id: str, fallback: str, lang: str) -> str:
    unit = catalog().units.get(unit_id)
    return (unit.name_en or fallback) if lang == "en" and unit is not None else fallback


def receipt(lang: str, *, code: str, unit: str, ack_due: datetime | None, sla_due: datetime | None) -> str:
    lines = [_t(lang, f"Đã tiếp nhận phản ánh của bạn. Mã phản ánh: {code}.",
                f"Your report has been received. Report code: {code}."),
             _t(lang, f"Đơn vị xử lý: {unit}.", f"Handled by: {unit}.")]
    if ack_due is not None:
        lines.append(_t(lang, f"Hạn tiếp nhận, phản hồi: {hanoi_time(ack_due)}",
                        f"Acknowledged by: {hanoi_time(ack_due)} (Hanoi time)"))
    if sla_due is not None:
        lines.append(_t(lang, f"Hạn giải quyết: {hanoi_time(sla_due)} (giờ Hà Nội)",
                        f"To be resolved by: {hanoi_time(sla_due)} (Hanoi time)"))
    lines.append(_t(lang, "Bạn sẽ nhận được trả lời tại đây; có thể nhắn mã này để tra cứu tiến độ.",
                    "You will get the answer here; send this code at any time to check progress."))
    return "\n".join(lines)


def cancelled_response(lang: str) -> str:
    return "utter_report_cancelled_en" if lang == "en" else "utter_report_cancelled"


def ask_code(lang: str) -> str:
    return _t(lang, "Bạn cho tôi mã phản ánh (dạng HN-2611-4F7K) để tra cứu nhé.",
              "Please give me the report code (it looks like HN-2611-4F7K).")


def unknown_code(lang: str, code: str) -> str:
    return _t(lang, f"Không tìm thấy phản ánh mã {code}. Bạn kiểm tra lại mã giúp tôi.",
              f"I found no report with the code {code}. Please check it.")


def status_reply(lang: str, *, code: str, status: str, unit_id: str, unit: str) -> str:
    """Where a report stands, who handles it, and the public page with its timeline."""
    label = (STATUS_EN if lang == "en" else STATUS_VI).get(status, status)
    return _t(lang, f"Phản ánh {code}: {label}. Đơn vị xử lý: {unit}.\nXem diễn biến: {status_link(code)}",
              f"Report {code}: {label}. Handled by: {unit_display_name(unit_id, unit, lang)}.\n"
              f"Timeline: {status_link(code)}")


def status_link(code: str) -> str:
    """The public status page: absolute when PUBLIC_BASE_URL is set (Telegram, Zalo need it),
    else the path, which the web chat turns into a link."""
    return f"{get_settings().public_base_url.rstrip('/')}/status/{code}"
