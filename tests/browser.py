"""One way to open a page in Debian's Chromium for every browser test.

Playwright's own browser download cannot work here (closed network), so every test
launches /usr/bin/chromium with the flags this machine needs; keeping them in one
place means a new flag is added once.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
needs_chromium = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="apt-get install chromium")


@contextmanager
def chromium_page(viewport: dict[str, int] | None = None, timeout_ms: int = 15000) -> Iterator[Any]:
    """A fresh headless page; the browser is closed however the test ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=viewport) if viewport else browser.new_page()
            page.set_default_timeout(timeout_ms)
            yield page
        finally:
            browser.close()
