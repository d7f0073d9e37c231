"""Dashboard tests reuse the lifecycle fixtures (database of each kind, units of two wards,
staff op_a/op_b/sup, the web app) and add a served app and a Chromium page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.browser import chromium_page, served_app
from tests.lifecycle.conftest import PASSWORD, Units, app, login, staff, units  # noqa: F401


@pytest.fixture
def served(app: Flask) -> Iterator[str]:  # noqa: F811
    with served_app(app) as url:
        yield url


@pytest.fixture
def page() -> Iterator:  # type: ignore[type-arg]
    """A Chromium page that never reaches the internet: map tiles are answered with an
    empty 204 here, so tests check markers, not tiles."""
    with chromium_page(viewport={"width": 1280, "height": 800}) as pg:
        pg.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
                 else route.fulfill(status=204, body=""))
        yield pg


def browser_login(page, base: str, username: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/dashboard/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login")
    page.wait_for_selector("#queue")
