"""Photos on a ticket (feedback_router.tickets.files, dashboard/files.py): kept with the report,
joined or new, served only to staff who may see the ticket, shown as thumbnails."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from feedback_router.tickets import files as ticket_files
from feedback_router.core.models import Ticket
from feedback_router.tickets.service import create_ticket

from .conftest import Units, login

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "uploads"
    (root / "web").mkdir(parents=True)
    monkeypatch.setenv("UPLOAD_DIR", str(root))
    return root


def _photo(root: Path, name: str) -> dict:
    path = root / "web" / name
    path.write_bytes(PNG)
    return {"kind": "image", "path": str(path), "mime": "image/png", "size": len(PNG)}


def test_photos_stay_with_the_report_new_or_joined(engine: Engine, units: Units, uploads: Path) -> None:
    first = create_ticket(category="waste", description="Rác ở ngõ 12", sender_id="web:p1", ward_unit_id=units.a,
                          location_text="ngõ 12 Láng Hạ, phường Láng", engine=engine,
                          attachments=[_photo(uploads, "a.png"), {"kind": "image", "path": ""}])
    joined = create_ticket(category="waste", description="Rác vẫn còn", sender_id="web:p2", ward_unit_id=units.a,
                           location_text="ngõ 12 Láng Hạ, phường Láng", engine=engine,
                           attachments=[_photo(uploads, "b.png")])
    assert joined.merged and joined.code == first.code
    with Session(engine) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.code == first.code))
        files = ticket_files.files_of(ticket)
        assert [Path(f.path).name for f in files] == ["a.png", "b.png"] and all(f.is_image for f in files)
        assert all(not e.public for e in ticket.events if e.kind == "attachment")


def test_only_staff_of_the_unit_get_the_file(app: Flask, engine: Engine, units: Units, uploads: Path,
                                             tmp_path: Path) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes(PNG)
    receipt = create_ticket(category="waste", description="Rác", sender_id="web:p3", ward_unit_id=units.a,
                            engine=engine, attachments=[_photo(uploads, "c.png"),
                                                        {"kind": "image", "path": str(outside), "mime": "image/png"}])
    with Session(engine) as s:
        ids = [f.event_id for f in ticket_files.files_of(s.scalar(select(Ticket).where(Ticket.code == receipt.code)))]
    url = f"/dashboard/t/{receipt.code}/files/{ids[0]}"
    anonymous = app.test_client()
    assert anonymous.get(url).status_code == 302  # to the login page
    other = app.test_client()
    login(other, "op_b")
    assert other.get(url).status_code == 404  # another unit's ticket: not even confirmed
    mine = app.test_client()
    login(mine, "op_a")
    resp = mine.get(url)
    assert resp.status_code == 200 and resp.data == PNG and resp.mimetype == "image/png"
    assert "no-store" in resp.headers["Cache-Control"]
    assert mine.get(f"/dashboard/t/{receipt.code}/files/{ids[1]}").status_code == 404  # outside UPLOAD_DIR
    assert mine.get(f"/dashboard/t/{receipt.code}/files/999999").status_code == 404
    page = mine.get(f"/dashboard/t/{receipt.code}").get_data(as_text=True)
    assert f'src="{url}"' in page and 'id="ticket-files"' in page
