"""The staff ticket page shows the citizen's photo as a thumbnail, loaded through the
access-controlled file route, in real headless Chromium against waitress."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine

from feedback_router.tickets.service import create_ticket
from tests.browser import png, chromium_page, needs_chromium, served_app

from .conftest import PASSWORD, Units

pytestmark = needs_chromium


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    with served_app(app) as url:
        yield url


def test_operator_sees_the_photo_thumbnail(served: str, engine: Engine, units: Units, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "uploads"
    (root / "web").mkdir(parents=True)
    monkeypatch.setenv("UPLOAD_DIR", str(root))
    photo = root / "web" / "cong-tac.png"
    photo.write_bytes(png(8, 6, b"\xcc\x33\x00"))
    receipt = create_ticket(category="waste", description="Rác chất đống trước số 18", sender_id="web:b1",
                            ward_unit_id=units.a, location_text="số 18 Láng Hạ, phường Láng", latitude=21.0186,
                            longitude=105.8093, engine=engine,
                            attachments=[{"kind": "image", "path": str(photo), "mime": "image/png", "size": 1}])
    with chromium_page(viewport={"width": 1280, "height": 800}) as page:
        page.goto(f"{served}/dashboard/login")
        page.fill("#username", "op_a")
        page.fill("#password", PASSWORD)
        page.click("#login")
        page.wait_for_selector("#queue")
        page.goto(f"{served}/dashboard/t/{receipt.code}")
        img = page.wait_for_selector("#ticket-files img")
        page.wait_for_function("document.querySelector('#ticket-files img').complete")
        assert page.evaluate("document.querySelector('#ticket-files img').naturalWidth") == 8
        assert img.bounding_box()["width"] <= 160  # type: ignore[index]
