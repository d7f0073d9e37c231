"""A tourist reports a problem in English and is answered in English to the ticket code
(issue 16: "The street light in front of 25 Hang Bai street is broken" got "Sự việc ở đâu?"
and "Đúng, gửi đi / Không, huỷ"). Real Rasa, real actions, real database."""

from __future__ import annotations

import re
import uuid

import requests

from scripts.procs import API_HEADERS
from tests.conftest import Stack
from tests.test_e2e_conversation import joined, say, tickets
from tourism.search import language_evidence

CODE = re.compile(r"HN-\d{4}-[0-9A-Z]{4}")
VIETNAMESE_MARKS = re.compile("[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]", re.IGNORECASE)


def _vietnamese_outside_names(text: str, *names: str) -> list[str]:
    """Marked words left in an English reply, once the place names the visitor gave are removed."""
    for name in names:
        text = text.replace(name, "")
    return [w for w in text.split() if VIETNAMESE_MARKS.search(w)]


def test_language_evidence_keeps_place_names_neutral() -> None:
    assert language_evidence("The street light in front of 25 Hang Bai street is broken") == "en"
    assert language_evidence("25 Hang Bai") is None
    assert language_evidence("Hàng Bài ward", keep_marked_names=True) is None
    assert language_evidence("Hàng Bài ward") == "vi"
    assert language_evidence("ở phường Hàng Bài", keep_marked_names=True) == "vi"


def test_english_report_stays_english_to_the_ticket_code(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    ask = say(stack, sender, "The street light in front of 25 Hang Bai street is broken")
    ask_text = joined(ask)
    assert "ward" in ask_text and "Sự việc" not in ask_text, ask_text
    assert not _vietnamese_outside_names(ask_text, "Hàng Bài", "Hang Bai"), ask_text

    confirm = say(stack, sender, "Hang Bai ward")
    confirm_text = joined(confirm)
    assert "Please confirm your report" in confirm_text, confirm_text
    assert [b["title"] for b in confirm[-1]["buttons"]] == ["Yes, send", "Change place", "Change description",
                                                             "No, cancel"]
    assert [b["payload"] for b in confirm[-1]["buttons"]] == [
        "/affirm", '/edit_report{"report_field":"location"}', '/edit_report{"report_field":"description"}', "/deny"]

    done = joined(say(stack, sender, "/affirm"))
    match = CODE.search(done)
    assert match, done
    assert "Your report has been received" in done and "Handled by" in done, done
    assert "(Hanoi time)" in done and "To be resolved by" in done, done
    assert not _vietnamese_outside_names(done, "Hàng Bài", "Hang Bai"), done
    (ticket,) = [t for t in tickets(stack.database_url) if t.code == match.group(0)]
    assert ticket.category == "street_lighting"
    assert ticket.ward_unit_id == "ubnd-phuong-hoan-kiem" or ticket.ward_unit_id, ticket.ward_unit_id

    # the conversation stays English afterwards: the status lookup and small talk
    status = joined(say(stack, sender, f"what is the status of {match.group(0)}?"))
    assert f"Report {match.group(0)}: Received" in status and f"/status/{match.group(0)}" in status, status
    assert "welcome" in joined(say(stack, sender, "thanks"))


def test_the_page_language_switch_wins(stack: Stack) -> None:
    """A visitor who picked EN on the page gets English even for a Vietnamese-looking answer."""
    sender = uuid.uuid4().hex
    text = joined(say(stack, sender, "Ở ngõ 12 Láng Hạ rác thải ba ngày không ai thu gom", lang="en"))
    assert "Which ward or commune" in text, text
    bad = requests.post(f"{stack.web_url}/api/v1/messages", json={"sender_id": sender, "text": "hi", "lang": "fr"},
                        headers=API_HEADERS,
                        timeout=60)
    assert bad.status_code == 400 and "lang" in bad.json()["error"]
