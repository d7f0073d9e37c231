"""The loop back on the real stack: a report filed in the chat is resolved by its unit, the
resolution notice waiting for the citizen carries rate/reopen buttons, and pressing them in the
same conversation records the rating or reopens the report (issue 16)."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.tickets import lifecycle
from feedback_router.core.db import make_engine
from feedback_router.core.models import Ticket
from feedback_router.messaging.models import Outbox
from tests.conftest import Stack
from tests.test_e2e_conversation import joined, say

CODE = re.compile(r"HN-\d{4}-[0-9A-Z]{4}")


def _file_and_resolve(stack: Stack, sender: str) -> tuple[str, list[dict]]:
    say(stack, sender, "Ở ngõ 12 Láng Hạ rác thải ba ngày không ai thu gom")
    say(stack, sender, "phường Láng")
    code = CODE.search(joined(say(stack, sender, "/affirm")))
    assert code
    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as s:
            ticket = s.scalars(select(Ticket).where(Ticket.code == code.group(0))).one()
            lifecycle.change_status(s, ticket, "resolved", actor="staff:op", note="Đã thu gom.")
            s.commit()
            notice = s.scalars(select(Outbox).where(Outbox.ticket_id == ticket.id)).all()[-1]
            assert notice.recipient == f"web:{sender}"
            return code.group(0), notice.payload["reply"]["buttons"]
    finally:
        engine.dispose()


def _ticket(stack: Stack, code: str) -> Ticket:
    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as s:
            ticket = s.scalars(select(Ticket).where(Ticket.code == code)).one()
            _ = [e.kind for e in ticket.events]
            return ticket
    finally:
        engine.dispose()


def test_rate_and_reopen_buttons_work_in_the_conversation(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    code, buttons = _file_and_resolve(stack, sender)
    four = next(b for b in buttons if b["title"] == "⭐⭐⭐⭐")
    assert "4/5" in joined(say(stack, sender, four["payload"]))
    assert _ticket(stack, code).rating == 4

    stranger = uuid.uuid4().hex  # someone else typing the same payload changes nothing
    assert "không tìm thấy" in joined(say(stack, stranger, four["payload"].replace('"4"', '"1"')))
    assert _ticket(stack, code).rating == 4

    reopen = next(b for b in buttons if "Reopen" in b["title"])
    assert "mở lại" in joined(say(stack, sender, reopen["payload"])).lower()
    ticket = _ticket(stack, code)
    assert ticket.status.value == "in_progress" and ticket.events[-1].kind == "reopen"
