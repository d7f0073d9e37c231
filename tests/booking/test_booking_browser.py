"""Desk staff in a real browser (Debian's Chromium): log in, open the day's list from the
header link, mark an arrival with the button."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine

from feedback_router.booking.service import BookingStatus
from tests.booking.test_booking_dashboard import DAY, _bookings, _status, app, engine  # noqa: F401
from tests.browser import chromium_page, needs_chromium, served_app
from tests.lifecycle.conftest import PASSWORD

pytestmark = needs_chromium


@pytest.fixture
def served(app: Flask) -> Iterator[str]:  # noqa: F811
    with served_app(app) as url:
        yield url


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_staff_marks_an_arrival_in_the_browser(served: str, engine: Engine) -> None:  # noqa: F811
    codes = _bookings(engine)
    with chromium_page(viewport={"width": 1100, "height": 700}) as page:
        page.goto(f"{served}/dashboard/desks/")
        assert "/dashboard/login" in page.url
        page.fill("#username", "lang")
        page.fill("#password", PASSWORD)
        page.click("#login")
        page.click("text=Lịch hẹn")
        page.click("text=Bộ phận một cửa UBND phường Láng")
        page.fill("input[name=day]", DAY.isoformat())
        page.click("text=Xem ngày")
        page.wait_for_selector(f"#b-{codes['a']}")
        assert codes["cancelled"] not in page.content()
        page.click(f"#b-{codes['a']} button.arrive")
        page.wait_for_selector(f"#b-{codes['a']} td.status:has-text('đã đến')")
        assert page.locator(f"#b-{codes['b']} button.arrive").is_visible()
    assert _status(engine, codes["a"]) == (BookingStatus.arrived, 1)
