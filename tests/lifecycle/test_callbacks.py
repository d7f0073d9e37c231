"""Answers to hotline callers (issue 8): the delivery worker turns them into call-backs, the
owning unit's operators see the caller's number under "Cần gọi lại" and record the call;
everyone else sees the number masked or not at all. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.channels import delivery
from feedback_router.tickets import lifecycle
from feedback_router.civic import suggestions
from feedback_router.civic.models import Suggestion, SuggestionEvent
from feedback_router.core.db import engine_for
from feedback_router.core.models import Ticket, TicketEvent
from feedback_router.messaging.models import Outbox
from feedback_router.tickets.service import create_ticket

from .conftest import Units, login

TICKET_PHONE, SUGGESTION_PHONE = "0912345678", "0987654321"


@pytest.fixture
def worker_db(db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", db_url)  # the delivery worker reads its database from the environment
    engine_for.cache_clear()
    yield
    engine_for(db_url).dispose()
    engine_for.cache_clear()


def _answers_to_hotline_callers(engine: Engine, units: Units) -> tuple[int, int]:
    ticket = create_ticket(category="waste", description="Rác ở ngõ 12 không ai thu gom ba ngày",
                           sender_id=f"hotline:{TICKET_PHONE}", phone=TICKET_PHONE, ward_unit_id=units.a,
                           engine=engine)
    idea = suggestions.create_suggestion(text="Đề nghị lắp thêm ghế đá ở vườn hoa đầu phường",
                                         sender_id=f"hotline:{SUGGESTION_PHONE}", publish=False,
                                         ward_unit_id=units.b, phone=SUGGESTION_PHONE, engine=engine)
    with Session(engine) as s:
        t = s.scalar(select(Ticket).where(Ticket.code == ticket.code))
        lifecycle.reply(s, t, "Đội vệ sinh sẽ thu gom trong sáng mai.", actor="op_a")
        item = suggestions.get(s, idea.code)
        assert item is not None and item.contact.phone == SUGGESTION_PHONE  # the caller's number is kept
        if item.unit_id != units.b:  # routed by topic: the ward takes it over (as triage does)
            suggestions.reassign(s, item, units.b, actor="sup", reason="việc của phường")
        suggestions.answer(s, item, "Phường sẽ đưa vào kế hoạch quý sau.", actor="op_b")
        s.commit()
        rows = {r.recipient: r.id for r in s.scalars(select(Outbox))}
    return rows[f"hotline:{TICKET_PHONE}"], rows[f"hotline:{SUGGESTION_PHONE}"]


def test_call_backs_for_the_owning_unit_only(app: Flask, engine: Engine, units: Units, worker_db: None) -> None:
    ticket_row, idea_row = _answers_to_hotline_callers(engine, units)
    d = delivery.Deliverer()
    try:
        assert delivery.run_once(d)["callback"] == 2
    finally:
        d.close()
    with Session(engine) as s:
        assert {r.status for r in s.scalars(select(Outbox))} == {"callback"}
        assert all(r.attempts == 0 for r in s.scalars(select(Outbox)))

    a = app.test_client()
    token_a = login(a, "op_a")
    page = a.get("/dashboard/callbacks").get_data(as_text=True)
    assert f'id="callback-{ticket_row}"' in page and TICKET_PHONE in page and "Đã gọi" in page
    assert f'id="callback-{idea_row}"' not in page and SUGGESTION_PHONE not in page  # another unit's
    assert "Cần gọi lại" in a.get("/dashboard/").get_data(as_text=True)  # in the menu

    sup = app.test_client()
    login(sup, "sup")
    page = sup.get("/dashboard/callbacks").get_data(as_text=True)
    assert f'id="callback-{ticket_row}"' in page and f'id="callback-{idea_row}"' in page
    assert TICKET_PHONE not in page and SUGGESTION_PHONE not in page and "09******78" in page
    assert "Đã gọi" not in page  # masked: not the one to call

    b = app.test_client()
    token_b = login(b, "op_b")
    assert b.post(f"/dashboard/callbacks/{ticket_row}/called", data={"csrf_token": token_b}).status_code == 403
    assert a.post(f"/dashboard/callbacks/{ticket_row}/called", data={}).status_code == 403  # no CSRF
    resp = a.post(f"/dashboard/callbacks/{ticket_row}/called",
                  data={"csrf_token": token_a, "note": "Người dân đã nghe, cảm ơn"})
    assert resp.status_code == 302
    assert a.post(f"/dashboard/callbacks/{ticket_row}/called", data={"csrf_token": token_a}).status_code == 404
    assert b.post(f"/dashboard/callbacks/{idea_row}/called", data={"csrf_token": token_b}).status_code == 302
    assert f'id="callback-{ticket_row}"' not in a.get("/dashboard/callbacks").get_data(as_text=True)

    with Session(engine) as s:
        rows = {r.id: r for r in s.scalars(select(Outbox))}
        assert rows[ticket_row].status == rows[idea_row].status == "called"
        assert rows[ticket_row].payload["called_by"] == "op_a"
        [event] = s.scalars(select(TicketEvent).where(TicketEvent.kind == "callback"))
        assert event.actor == "op_a" and "Người dân đã nghe" in (event.note or "") and not event.public
        [idea_event] = s.scalars(select(SuggestionEvent).where(SuggestionEvent.kind == "callback"))
        assert idea_event.actor == "op_b"
        assert s.scalar(select(Suggestion.unit_id)) == units.b
