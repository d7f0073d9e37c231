"""Dashboard flows in real headless Chromium (Playwright) against waitress."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from feedback_router.core.models import Ticket
from feedback_router.messaging.models import Outbox
from feedback_router.tickets.service import create_ticket

from tests.browser import chromium_page, needs_chromium, served_app

from .conftest import PASSWORD, Units

pytestmark = needs_chromium


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    with served_app(app) as url:
        yield url


@pytest.fixture
def page() -> Iterator:  # type: ignore[type-arg]
    with chromium_page() as pg:
        yield pg


def test_operator_answers_in_browser(served: str, page, engine: Engine, units: Units) -> None:  # type: ignore[no-untyped-def]
    mine = create_ticket(category="waste", description='Rác <script>window.pwned=1</script> chất đống',
                         sender_id="telegram:5", ward_unit_id=units.a, engine=engine)
    theirs = create_ticket(category="waste", description="khác", sender_id="telegram:6", ward_unit_id=units.b,
                           engine=engine)
    page.goto(f"{served}/dashboard/")
    assert "/dashboard/login" in page.url
    page.fill("#username", "op_a")
    page.fill("#password", "wrong-password")
    page.click("#login")
    assert page.locator("#login-error").is_visible()
    page.fill("#username", "op_a")
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_selector("#queue")
    assert mine.code in page.content() and theirs.code not in page.content()
    page.click(f"text={mine.code}")
    page.wait_for_selector("#description")
    assert "<script>" in page.inner_text("#description")  # shown as text, not run
    assert page.evaluate("window.pwned === undefined")
    page.select_option("#status-select", "in_progress")
    page.click("#status-send")
    page.wait_for_selector("text=Đã lưu.")
    assert page.inner_text("#status") == "Đang xử lý"
    page.fill("#reply-text", "Đội vệ sinh sẽ thu gom trong hôm nay.")
    page.click("#reply-send")
    page.wait_for_selector("#public-reply")
    page.fill("#note-text", "Ghi chú nội bộ: gọi tổ trưởng")
    page.click("#note-send")
    page.wait_for_selector("text=Ghi chú nội bộ: gọi tổ trưởng")
    resp = page.goto(f"{served}/dashboard/t/{theirs.code}")
    assert resp is not None and resp.status == 404
    page.goto(f"{served}/status/{mine.code}")
    assert page.inner_text("#reply") == "Đội vệ sinh sẽ thu gom trong hôm nay."
    assert "gọi tổ trưởng" not in page.content() and "telegram" not in page.content()
    with Session(engine) as s:
        t = s.scalar(select(Ticket).where(Ticket.code == mine.code))
        assert t.status.value == "in_progress"
        assert len(list(s.scalars(select(Outbox).where(Outbox.ticket_id == t.id)))) == 2


def test_supervisor_stats_and_filters_in_browser(served: str, page, engine: Engine, units: Units) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        create_ticket(category="waste", description=f"r{i}", sender_id=f"web:{i}", ward_unit_id=units.a, engine=engine)
    create_ticket(category="road_damage", description="ổ gà", sender_id="web:9", engine=engine)
    page.goto(f"{served}/dashboard/login")
    page.fill("#username", "sup")
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_selector("#queue")
    assert page.locator("#queue tbody tr").count() == 4
    page.select_option("select[name=category]", "road_damage")
    page.click("#filters button")
    page.wait_for_url("**category=road_damage**")
    assert page.locator("#queue tbody tr").count() == 1
    page.goto(f"{served}/dashboard/stats")
    assert page.inner_text("#total") == "4"
    page.wait_for_function("() => window.dashboardCharts && window.dashboardCharts['chart-trend']")
    assert sum(page.evaluate("window.dashboardCharts['chart-trend'].data.datasets[0].data")) == 4
