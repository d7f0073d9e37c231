"""Issue 16 in a real phone browser: a complaint with a photo and a shared location in the web
chat (390×844, real Chromium, real stack) becomes a ticket whose staff page shows the photo and
the shared point as a map pin (tiles never fetched: only 127.0.0.1 is reachable from the page).
The place is shown to the citizen as a ward, not raw GPS."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.staff.auth import create_user
from feedback_router.core.db import make_engine, session_scope
from feedback_router.core.models import Ticket
from tests.browser import png, chromium_page, needs_chromium
from tests.conftest import Stack

pytestmark = needs_chromium
CODE = re.compile(r"HN-\d{4}-[0-9A-Z]{4}")
PASSWORD = "mat-khau-thu-nghiem"
POINT = {"latitude": 21.0186, "longitude": 105.8093}  # phường Láng (nearest ward centre)


@pytest.fixture
def phone() -> Iterator:  # type: ignore[type-arg]
    with chromium_page(viewport={"width": 390, "height": 844}, timeout_ms=60000, geolocation=POINT,
                       permissions=["geolocation"]) as page:
        page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())  # map tiles
        yield page


def _wait_bot(page, before: int) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function("n => document.querySelectorAll('#log .msg--bot').length > n", arg=before)
    page.wait_for_selector("#typing", state="hidden")


def _bots(page) -> int:  # type: ignore[no-untyped-def]
    return page.locator("#log .msg--bot").count()


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_photo_and_location_from_a_phone_reach_the_staff_page(stack: Stack, phone, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = phone
    page.goto(stack.web_url)
    before = _bots(page)
    page.fill("#text", "Rác thải chất đống ở đầu ngõ cả tuần, bốc mùi")
    page.click("#send")
    _wait_bot(page, before)

    photo = tmp_path / "rac.png"
    photo.write_bytes(png(12, 9))
    before = _bots(page)
    page.set_input_files("#photo", str(photo))
    _wait_bot(page, before)
    page.wait_for_function("() => document.getElementById('log').innerText.includes('Đã nhận ảnh (tổng cộng 1)')")

    before = _bots(page)
    page.click("#loc")
    _wait_bot(page, before)
    page.wait_for_function("() => document.getElementById('log').innerText.includes('phường Láng')")
    log = page.inner_text("#log")
    assert "GPS 21.0" not in log and "tâm phường" in log, log

    confirm = page.locator("#quick button", has_text="Đúng, gửi đi")
    confirm.wait_for()
    confirm.click()
    page.wait_for_function("() => /HN-\\d{4}-[0-9A-Z]{4}/.test(document.getElementById('log').innerText)")
    code = CODE.search(page.inner_text("#log")).group(0)  # type: ignore[union-attr]

    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as s:
            ticket = s.scalar(select(Ticket).where(Ticket.code == code))
            assert (ticket.latitude, ticket.longitude) == (21.0186, 105.8093)
            unit_id = ticket.unit_id
        with session_scope(engine) as s:
            create_user(s, "op_photo", PASSWORD, "operator", unit_id)
    finally:
        engine.dispose()

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{stack.web_url}/dashboard/login")
    page.fill("#username", "op_photo")
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_selector("#queue")
    page.goto(f"{stack.web_url}/dashboard/t/{code}")
    page.wait_for_selector("#ticket-files img")
    page.wait_for_function("document.querySelector('#ticket-files img').complete")
    assert page.evaluate("document.querySelector('#ticket-files img').naturalWidth") == 12
    # the shared point is the ticket's pin on the staff map
    page.wait_for_selector("#ticket-map .leaflet-marker-icon.pin-self")
    pin = page.evaluate("JSON.parse(document.getElementById('map-data').textContent).self")
    assert (round(pin["lat"], 4), round(pin["lon"], 4)) == (21.0186, 105.8093), pin
