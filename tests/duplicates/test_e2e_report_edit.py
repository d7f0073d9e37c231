"""The report summary lets the citizen correct one answer (issue 16: the summary offered only
"Không, huỷ", which discarded everything). "Sửa địa điểm" / "Sửa nội dung" ("Change place" /
"Change description" in English) ask that answer again and come back to the summary; the
ticket gets the corrected answer and keeps the other one. Web chat → real Rasa → real actions
→ database (SQLite and PostgreSQL).

On the code before this change the summary had two buttons and no way back to one field."""

from __future__ import annotations

import uuid

from bot.report_wording import edit_request
from nlu.text import fold
from tests.conftest import Stack
from tests.duplicates.test_e2e_duplicates import _ticket, only_code
from tests.test_e2e_conversation import joined, say


def _button(replies: list[dict], title: str) -> str:
    for reply in replies:
        for button in reply.get("buttons") or []:
            if button["title"] == title:
                return str(button["payload"])
    raise AssertionError(f"no button {title!r} in {replies}")


def test_typed_or_spoken_change_requests() -> None:
    said = {"Sửa địa điểm": "location", "đổi lại địa chỉ giúp tôi": "location", "Change the place": "location",
            "cho tôi sửa nội dung": "description", "edit the description": "description",
            "Sửa nội dung và địa điểm": None, "đúng rồi": None, "không, huỷ": None, "sửa": None}
    assert {text: edit_request(fold(text)) for text in said} == said


def test_change_place_then_description_comes_back_to_the_summary(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    say(stack, sender, "Ở ngõ 12 Láng Hạ rác thải ba ngày không ai thu gom")
    summary = say(stack, sender, "phường Láng")
    assert "Xác nhận phản ánh" in joined(summary) and "Láng Hạ" in joined(summary), joined(summary)

    asked = say(stack, sender, _button(summary, "Sửa địa điểm"))
    assert "Sự việc ở đâu?" in joined(asked) and "Xác nhận" not in joined(asked), joined(asked)
    assert any((r.get("custom") or {}).get("ask") == "location" for r in asked)  # the location keyboard again

    summary = say(stack, sender, "số 5 phố Huế, phường Hai Bà Trưng")
    text = joined(summary)
    assert "Xác nhận phản ánh" in text and "• Địa điểm: số 5 phố Huế" in text, text
    assert "Láng Hạ" not in text.split("• Địa điểm:")[1], text  # the old place is not mixed in
    assert "rác thải ba ngày không ai thu gom" in text, text  # the description is kept

    assert _button(summary, "Sửa nội dung")
    asked = joined(say(stack, sender, "cho tôi sửa nội dung"))  # typed as on Zalo, or said on the hotline
    assert "Bạn mô tả giúp tôi" in asked and "Xác nhận" not in asked, asked
    summary = say(stack, sender, "Rác đổ trộm chắn lối đi trước cửa số 5 phố Huế")
    text = joined(summary)
    assert "• Nội dung: Rác đổ trộm chắn lối đi" in text and "• Địa điểm: số 5 phố Huế" in text, text

    done = joined(say(stack, sender, "/affirm"))
    ticket = _ticket(stack.database_url, only_code(done))
    assert ticket.description.startswith("Rác đổ trộm chắn lối đi"), ticket.description
    assert "phố Huế" in (ticket.location_text or "") and "Láng" not in (ticket.location_text or "")
    assert ticket.ward_unit_id == "ubnd-phuong-hai-ba-trung", ticket.ward_unit_id


def test_english_visitor_changes_the_place_in_english(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    say(stack, sender, "The street light in front of 25 Hang Bai street is broken")
    summary = say(stack, sender, "Hang Bai ward")
    assert "Please confirm your report" in joined(summary), joined(summary)

    asked = joined(say(stack, sender, _button(summary, "Change place")))
    assert "Where is it?" in asked and "Sự việc" not in asked, asked
    summary = say(stack, sender, "10 Trang Tien street, Hang Bai ward")
    text = joined(summary)
    assert "Please confirm your report" in text and "• Place: 10 Trang Tien" in text, text
    assert "street light" in text, text
    assert [b["title"] for b in summary[-1]["buttons"]] == ["Yes, send", "Change place", "Change description",
                                                            "No, cancel"]

    done = joined(say(stack, sender, "/affirm"))
    assert "Your report has been received" in done, done
    ticket = _ticket(stack.database_url, only_code(done))
    assert "Trang Tien" in (ticket.location_text or ""), ticket.location_text
