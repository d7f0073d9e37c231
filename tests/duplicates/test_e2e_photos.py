"""A photo sent in the web chat is acknowledged in the chat and reaches the ticket (issue 16):
web app → real Rasa → real actions → database, then the staff page of the owning unit."""

from __future__ import annotations

import re
import uuid

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.tickets import files as ticket_files
from feedback_router.core.db import make_engine
from feedback_router.core.models import Ticket
from scripts.procs import API_HEADERS
from tests.conftest import Stack
from tests.test_e2e_conversation import joined, say

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 128


def upload(stack: Stack, sender: str, caption: str = "") -> str:
    resp = requests.post(f"{stack.web_url}/api/v1/uploads", data={"sender_id": sender, "text": caption},
                         files={"photo": ("o-ga.png", PNG, "image/png")}, headers=API_HEADERS, timeout=60)
    assert resp.status_code == 200, resp.text
    return joined(resp.json()["replies"])


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_photos_are_acknowledged_and_attached_to_the_ticket(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    first = upload(stack, sender)  # a photo before any words
    assert "Đã nhận ảnh (tổng cộng 1)" in first and "phản ánh việc gì" in first, first
    ask = joined(say(stack, sender, "Ở ngõ 5 Láng Hạ rác thải chất đống cả tuần"))
    assert "phường" in ask, ask
    during = upload(stack, sender)  # another one while the form asks where
    assert "Đã nhận ảnh (tổng cộng 2)" in during and "ngõ 5" in during, during  # the question comes again
    say(stack, sender, "phường Láng")
    code = re.search(r"HN-\d{4}-[0-9A-Z]{4}", joined(say(stack, sender, "đúng rồi"))).group(0)  # type: ignore[union-attr]
    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as s:
            ticket = s.scalar(select(Ticket).where(Ticket.code == code))
            files = ticket_files.files_of(ticket)
            assert len(files) == 2 and all(f.mime == "image/png" for f in files)
            assert all(ticket_files.content(f) is not None for f in files)
    finally:
        engine.dispose()
    # the next report of the same conversation does not carry the first two; a photo with a caption
    # that starts a report is acknowledged too
    captioned = upload(stack, sender, "đèn đường hỏng ở số 3 Láng Hạ, tối om cả tuần")
    assert "Đã nhận ảnh (tổng cộng 1)" in captioned and "phường" in captioned, captioned
    say(stack, sender, "phường Láng")
    later = re.search(r"HN-\d{4}-[0-9A-Z]{4}", joined(say(stack, sender, "đúng rồi"))).group(0)  # type: ignore[union-attr]
    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as s:
            assert len(ticket_files.files_of(s.scalar(select(Ticket).where(Ticket.code == later)))) == 1
    finally:
        engine.dispose()
