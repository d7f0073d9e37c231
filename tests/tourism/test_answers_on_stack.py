"""The quoted failures of issue 16, asked of the real stack (Rasa, actions, web app, database):
each answer must come from the data, with tappable follow-ups and the deadlines in Hanoi time."""

from __future__ import annotations

import re
import uuid

from tests.conftest import Stack
from tests.test_e2e_conversation import joined, say, tickets

CODE = re.compile(r"HN-\d{4}-[0-9A-Z]{4}")


def test_trip_transport_procedure_and_police_answers(stack: Stack) -> None:
    browser = uuid.uuid4().hex
    villages = joined(say(stack, browser, "Which craft villages can I visit near Hanoi in one day?"))
    assert villages.count("• ") >= 3 and "Bat Trang" in villages and "Van Phuc" in villages, villages

    bus = say(stack, browser, "How do I get to Bat Trang?")
    assert "47A" in joined(bus) and "CITR 04" in joined(bus), joined(bus)
    assert any(b["title"] for r in bus for b in r.get("buttons") or []), bus  # follow-ups are buttons

    citizen = uuid.uuid4().hex
    passport = joined(say(stack, citizen, "làm hộ chiếu cần gì?"))
    assert "200.000" in passport and "08 ngày làm việc" in passport and "dichvucong.gov.vn" in passport, passport

    wallet = say(stack, citizen, "tôi bị mất ví ở bến xe, báo công an ở đâu")
    assert "Công an phường/xã" in joined(wallet) and "113" in joined(wallet), joined(wallet)
    assert not any((r.get("custom") or {}).get("ask") == "location" for r in wallet)  # no complaint form
    assert not tickets(stack.database_url)


def test_confirmation_tells_the_deadlines_in_hanoi_time(stack: Stack) -> None:
    browser = uuid.uuid4().hex
    say(stack, browser, "Ở ngõ 12 Láng Hạ rác thải ba ngày không ai thu gom")
    say(stack, browser, "phường Láng")
    done = joined(say(stack, browser, "/affirm"))
    match = CODE.search(done)
    assert match, done
    (ticket,) = tickets(stack.database_url)
    assert ticket.sla_due_at is not None
    from bot.report_wording import hanoi_time
    assert f"Hạn giải quyết: {hanoi_time(ticket.sla_due_at)} (giờ Hà Nội)" in done, done
    assert "Hạn tiếp nhận" in done


def test_starter_buttons_lead_somewhere(stack: Stack) -> None:
    browser = uuid.uuid4().hex
    report = joined(say(stack, browser, "/report_issue"))
    assert "mô tả" in report, report
    tourism = say(stack, uuid.uuid4().hex, "/ask_tourism")
    assert any(r.get("buttons") for r in tourism), tourism
