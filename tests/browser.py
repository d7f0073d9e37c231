"""One way to open a page in Debian's Chromium for every browser test.

Playwright's own browser download cannot work here (closed network), so every test
launches /usr/bin/chromium with the flags this machine needs; keeping them in one
place means a new flag is added once.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# the `chromium` fixture (tests/conftest.py) skips without it, or fails in CI
needs_chromium = pytest.mark.usefixtures("chromium")


@contextmanager
def chromium_page(viewport: dict[str, int] | None = None, timeout_ms: int = 15000,
                  **context: Any) -> Iterator[Any]:
    """A fresh headless page; the browser is closed however the test ends. `context` goes to
    Playwright's new_context (e.g. geolocation=…, permissions=["geolocation"], locale=…)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            if viewport:
                context["viewport"] = viewport
            page = browser.new_context(**context).new_page()
            page.set_default_timeout(timeout_ms)
            yield page
        finally:
            browser.close()


@contextmanager
def served_app(app: Any) -> Iterator[str]:
    """The Flask app behind real waitress on a free port, so the browser talks real HTTP."""
    import threading

    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    port = server.effective_port
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        thread.join(timeout=5)


def png(width: int, height: int, rgb: bytes = b"\x22\x88\x22") -> bytes:
    """A real (decodable) one-colour RGB PNG, so the browser's naturalWidth proves the image arrived."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + rgb * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
