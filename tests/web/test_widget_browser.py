"""The chat widget in real headless Chromium (Playwright) against the real stack:
a Vietnamese complaint becomes a ticket, the conversation survives a reload, and the
page fits a phone screen (390×844) without horizontal scrolling."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser import chromium_page, needs_chromium
from tests.conftest import Stack

pytestmark = needs_chromium
CODE = re.compile(r"HN-\d{4}-[0-9A-Z]{4}")


@pytest.fixture
def phone() -> Iterator:  # type: ignore[type-arg]
    with chromium_page(viewport={"width": 390, "height": 844}, timeout_ms=60000) as page:
        yield page


def _say(page, text: str) -> None:  # type: ignore[no-untyped-def]
    before = page.locator("#log .msg--bot").count()
    page.fill("#text", text)
    page.click("#send")
    page.wait_for_function("n => document.querySelectorAll('#log .msg--bot').length > n", arg=before)
    page.wait_for_selector("#typing", state="hidden")


def _no_horizontal_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
        " && document.body.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_complaint_in_the_widget_on_a_phone(stack: Stack, phone) -> None:  # type: ignore[no-untyped-def]
    page = phone
    page.goto(stack.web_url)
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("#photo-btn").is_visible() and page.locator("#loc").is_visible()
    assert _no_horizontal_scroll(page)

    _say(page, "Xin chào")
    assert "Xin chào" in page.locator("#log .msg--bot").last.inner_text()

    _say(page, "Ở ngõ 12 Láng Hạ rác thải ba ngày không ai thu gom")
    assert "ngõ 12" in page.inner_text("#log")
    _say(page, "phường Láng")
    confirm = page.locator("#quick button", has_text="Đúng, gửi đi")
    confirm.wait_for()
    before = page.locator("#log .msg--bot").count()
    confirm.click()
    page.wait_for_function("n => document.querySelectorAll('#log .msg--bot').length > n", arg=before)
    page.wait_for_function("() => /HN-\\d{4}-[0-9A-Z]{4}/.test(document.getElementById('log').innerText)")
    log_text = page.inner_text("#log")
    match = CODE.search(log_text)
    assert match, log_text
    assert page.locator("#log .msg--user", has_text="Đúng, gửi đi").count() == 1
    assert _no_horizontal_scroll(page)

    page.reload()
    page.wait_for_selector("#log .msg")
    after = page.inner_text("#log")
    assert match.group(0) in after and "Xin chào" in after and "phường Láng" in after
    assert _no_horizontal_scroll(page)
    page.wait_for_load_state("networkidle")
    assert not page.locator("#log .msg--error").count()   # inbox polling worked quietly
