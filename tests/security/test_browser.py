"""In a real browser (Chromium) under the Content-Security-Policy: the suggestion page's inline
script runs with its nonce and supports with the server-issued identity cookie (one per
browser), and the chat page keeps no identity the script could leak (HttpOnly)."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import Engine

from feedback_router.civic import suggestions as sg
from tests.browser import chromium_page, needs_chromium, served_app

pytestmark = needs_chromium


def test_support_button_under_csp_counts_once_per_browser(app: Flask, engine: Engine) -> None:
    code = sg.create_suggestion(text="Nên lắp thêm đèn ở ngõ 5 Kim Mã", sender_id="web:author-2", publish=True,
                                engine=engine).code
    with served_app(app) as url:
        with chromium_page() as page:
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{url}/suggestions/{code}")
            page.click("#support")
            expect(page.locator("#supports")).to_have_text("1")  # (no eval: the CSP forbids it)
            page.click("#support")
            expect(page.locator("#support-msg")).to_contain_text("rồi")
            assert page.text_content("#supports") == "1"
            assert page.evaluate("document.cookie") == ""  # the identity is HttpOnly: no script reads it
            assert not [e for e in errors if "Content Security Policy" in e], errors
        with chromium_page() as other:  # another browser, another identity
            other.goto(f"{url}/suggestions/{code}")
            other.click("#support")
            expect(other.locator("#supports")).to_have_text("2")
