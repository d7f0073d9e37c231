"""Safety-first language understanding through the real stack (issue 18): a phone-transcript
emergency gets its number in the first reply, an accusation against a ward team goes to the
inspectorate and never to that ward, figurative "cháy túi" opens no form, and a bare call
for help gets one question before the number."""

from __future__ import annotations

import re

import pytest

from feedback_router.civic.models import Denunciation
from feedback_router.core.models import Ticket
from nlu import gazetteer
from tests.chat import joined, rows, say
from tests.civic.conftest import INSPECTORATE
from tests.conftest import Stack


def test_transcript_emergencies_get_their_number_first(denounce_key: str, stack: Stack) -> None:
    calls = (("hotline:0912000111", "alo dạ ờ chỗ em ở ngõ mười lăm chùa bộc có cái nhà đang cháy lửa to lắm khói đen",
              "114"),
             ("hotline:0912000222", "dạ thì là thang máy tòa nhà em nó dừng giữa tầng có bà cụ kẹt trong đó nãy giờ",
              "114"),
             ("hotline:0912000333", "alo ờ ông hàng xóm đang cầm gậy đánh con ông ấy ghê lắm em nghe tiếng khóc",
              "113"))
    for caller, transcript, number in calls:
        replies = say(stack, caller, transcript)
        assert f"gọi ngay {number}" in replies[0]["text"], joined(replies)
    categories = sorted(t.category for t in rows(stack.database_url, Ticket))
    assert categories == ["crime", "fire", "rescue"]


def test_accusation_against_a_ward_team_never_reaches_that_ward(denounce_key: str, stack: Stack) -> None:
    ward = gazetteer.find_ward("phường Khương Đình")
    assert ward is not None
    sender = "web:safety-accuse"
    first = joined(say(stack, sender, "đội trật tự đô thị phường Khương Đình tháng nào cũng đi thu tiền các quán nước "
                                     "vỉa hè phố Khương Trung, ai nộp thì được bày bán, không có biên lai"))
    assert "Luật Tố cáo" in first and "Thanh tra" in first, first
    assert "Xác nhận tố cáo" in joined(say(stack, sender, "ẩn danh"))
    done = joined(say(stack, sender, "đồng ý"))
    assert re.search(r"TC-\d{4}-[A-Z0-9]{4}", done), done
    [item] = rows(stack.database_url, Denunciation)
    assert item.handler_unit_id == INSPECTORATE and item.subject_unit_id == ward.unit_id
    assert all(t.unit_id != ward.unit_id for t in rows(stack.database_url, Ticket))


def test_chay_tui_opens_no_form(denounce_key: str, stack: Stack) -> None:
    replies = say(stack, "web:safety-slang", "cháy túi rồi")
    assert not any((r.get("custom") or {}).get("ask") for r in replies), replies
    assert not any((r.get("custom") or {}).get("emergency") for r in replies), replies
    assert "114" not in joined(replies)
    assert rows(stack.database_url, Ticket) == []


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_bare_call_for_help_gets_one_question(denounce_key: str, stack: Stack) -> None:
    # "cứu em với" alone is already an emergency (112 at once); these name no danger at all.
    asked = say(stack, "web:safety-help", "khẩn cấp lắm, có ai trực không")
    assert "Có ai đang gặp nguy hiểm ngay lúc này không?" in joined(asked), joined(asked)
    assert "112" in joined(asked), joined(asked)  # the general number is in the first reply
    assert [b["payload"] for b in asked[-1]["buttons"]] == ["/affirm", "/deny"]
    answer = say(stack, "web:safety-help", "có")
    assert "gọi ngay 112" in answer[0]["text"], joined(answer)
    [ticket] = rows(stack.database_url, Ticket)
    assert ticket.urgency.value == "emergency"
    asked_en = say(stack, "web:safety-help-en", "help!")
    assert "Is anyone in danger right now?" in joined(asked_en) and "call 112" in joined(asked_en), joined(asked_en)
    cleared = say(stack, "web:safety-help-en", "no")
    assert "what happened" in joined(cleared), joined(cleared)
    assert len(rows(stack.database_url, Ticket)) == 1
