"""Real Chromium against the real stack (issue 16): an English visitor switches the page to English,
reports a broken street light entirely in English (sharing their location), follows the link to
the public status page, and finds the report approximately on the public map. Map tiles are
blocked (no outside network in tests); the marker is Leaflet's, from static/vendor."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser import chromium_page, needs_chromium
from tests.conftest import Stack
from tests.test_e2e_conversation import tickets

pytestmark = needs_chromium
CODE = re.compile(r"HN-\d{4}-[0-9A-Z]{4}")
SPOT = {"latitude": 21.0219, "longitude": 105.8530}  # in front of 25 Hàng Bài


@pytest.fixture
def page() -> Iterator:  # type: ignore[type-arg]
    with chromium_page(viewport={"width": 390, "height": 844}, timeout_ms=60000,
                       geolocation=SPOT, permissions=["geolocation"], locale="en-GB") as pg:
        pg.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())  # no tiles, no CDN
        yield pg


def _bot_count(page) -> int:  # type: ignore[no-untyped-def]
    return page.locator("#log .msg--bot").count()


def _wait_reply(page, before: int) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function("n => document.querySelectorAll('#log .msg--bot').length > n", arg=before)
    page.wait_for_selector("#typing", state="hidden")


def _say(page, text: str) -> None:  # type: ignore[no-untyped-def]
    before = _bot_count(page)
    page.fill("#text", text)
    page.click("#send")
    _wait_reply(page, before)


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_english_visitor_reports_in_english_and_finds_it_on_the_public_map(stack: Stack, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(stack.web_url)
    greeting = page.locator("#log .msg--bot").first
    assert "Xin chào" in greeting.inner_text()
    assert page.locator("#quick button", has_text="Tra cứu mã").count() == 1  # starters on first open

    page.click("#lang")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.inner_text("h1") == "Hanoi Assistant"
    assert page.get_attribute("#text", "placeholder") == "Type a message…"
    assert page.inner_text("#send") == "Send"
    assert "How can I help" in page.locator("#log .msg--bot").first.inner_text()
    assert page.locator("#quick button", has_text="Report a problem").count() == 1

    _say(page, "The street light in front of 25 Hang Bai street is broken")
    asked = page.locator("#log .msg--bot").last.inner_text()
    assert "Which ward" in asked or "Where is it" in asked, asked

    before = _bot_count(page)
    page.click("#loc")
    _wait_reply(page, before)
    yes = page.locator("#quick button", has_text="Yes, send")
    yes.wait_for()
    assert page.locator("#quick button", has_text="No, cancel").count() == 1
    assert "Please confirm your report" in page.inner_text("#log")
    before = _bot_count(page)
    yes.click()
    _wait_reply(page, before)
    page.wait_for_function("() => /HN-\\d{4}-[0-9A-Z]{4}/.test(document.getElementById('log').innerText)")
    log_text = page.inner_text("#log")
    code = CODE.search(log_text)
    assert code, log_text
    assert "Your report has been received" in log_text and "Hanoi time" in log_text
    assert "Đã tiếp nhận" not in log_text and "Đúng, gửi đi" not in log_text

    track = page.locator("#log a", has_text="Track this report")
    assert track.count() >= 1, page.inner_html("#log")[-2000:]
    href = track.first.get_attribute("href")
    assert href and href.endswith(f"/status/{code.group(0)}")
    page.goto(href.replace(code.group(0), code.group(0).lower()))  # lower-case codes work too
    page.wait_for_selector("#map .leaflet-marker-icon")
    assert page.locator("#map .leaflet-marker-icon").count() == 1
    assert "Street lighting" in page.inner_text("#category") or "lighting" in page.inner_text("#category").lower()
    assert page.locator("#timeline li").count() >= 1
    assert page.locator("#back-to-chat").get_attribute("href") == "/"

    page.goto(f"{stack.web_url}/reports?category=street_lighting")
    page.wait_for_selector("#map .leaflet-marker-icon")
    marker = page.locator("#map .leaflet-marker-icon").first
    assert marker.get_attribute("title") == code.group(0)
    assert code.group(0) in page.inner_text("#reports")
    (ticket,) = [t for t in tickets(stack.database_url) if t.code == code.group(0)]
    shown = page.evaluate("() => JSON.parse(document.getElementById('map').dataset.points)[0]")
    assert shown["latitude"] == round(ticket.latitude, 3) and shown["latitude"] != ticket.latitude  # approximate
    assert "25 " not in (shown["place"] or "")  # no house number on the public map
