"""No route gives a denouncer's identity to anyone but an inspector.

The denunciation names UBND phường Láng; its operator, an ordinary operator of the
inspectorate, a supervisor and an admin try every route (dashboard pages, dashboard JSON
API, CSV export, Open311, public pages) and a dump of every column of every table. The
inspector's successful reading is the positive control: the same search finds the name
when it is really there, so the negative results mean something.
"""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, MetaData, select, text

from feedback_router.civic import denunciations as dn
from feedback_router.civic import suggestions as sg
from feedback_router.core.db import session_scope
from feedback_router.civic.identity_crypto import Identity
from feedback_router.tickets.service import create_ticket
from nlu import clock
from tests.civic.conftest import WARD, Secret, login

SECRET = Secret()
NEEDLES = (SECRET.name, SECRET.phone, SECRET.address, SECRET.sender_id, "777000111", "Bí Mật")
TEXT = "Cán bộ địa chính UBND phường Láng nhận hối lộ 20 triệu đồng để cấp sổ đỏ sai quy định"


def _leaks(body: str) -> list[str]:
    return [n for n in NEEDLES if n in body]


@pytest.fixture
def case(app: Flask, engine: Engine) -> str:
    create_ticket(category="waste", description="Rác ở ngõ 12 Láng Hạ ba ngày chưa thu gom", sender_id="web:cit",
                  location_text="ngõ 12 Láng Hạ, phường Láng", ward_unit_id=WARD, engine=engine)
    sg.create_suggestion(text="Phường Láng nên mở thêm giờ làm việc một cửa vào sáng thứ bảy", sender_id="web:cit",
                         publish=True, engine=engine)
    receipt = dn.file_denunciation(text=TEXT, anonymous=False, engine=engine,
                                   identity=Identity(SECRET.name, SECRET.phone, SECRET.address, SECRET.sender_id))
    return receipt.code


def _get_all(client: FlaskClient, code: str) -> dict[str, tuple[int, str]]:
    paths = ["/dashboard/", "/dashboard/?status=open", "/dashboard/stats", "/dashboard/export.csv",
             "/dashboard/outbox", "/dashboard/suggestions", "/dashboard/denunciations",
             f"/dashboard/denunciations/{code}", f"/dashboard/api/denunciations/{code}",
             f"/dashboard/t/{code}", f"/dashboard/api/tickets/{code}", f"/dashboard/suggestions/{code}",
             "/open311/v2/services.json", "/open311/v2/services.xml", "/open311/v2/requests.json",
             "/open311/v2/requests.xml", f"/open311/v2/requests/{code}.json", "/suggestions",
             "/api/v1/suggestions", f"/suggestions/{code}", f"/status/{code}"]
    return {p: (r.status_code, r.get_data(as_text=True)) for p in paths for r in [client.get(p)]}


@pytest.mark.parametrize("username", ["op_ward", "op_tt", "sup", "admin", None])
def test_no_route_shows_the_identity_to_anyone_but_an_inspector(app: Flask, case: str, username: str | None) -> None:
    client = app.test_client()
    token = login(client, username) if username else ""
    pages = _get_all(client, case)
    for path, (_status, body) in pages.items():
        assert not _leaks(body), f"{username} read the identity at {path}"
    for path in ("/dashboard/denunciations", f"/dashboard/denunciations/{case}",
                 f"/dashboard/api/denunciations/{case}"):
        assert pages[path][0] in ((403,) if username else (302, 401)), path
    assert 'href="/dashboard/denunciations"' not in pages["/dashboard/"][1]  # not even the menu entry
    # the text of the case is not shown to them either (only inspectors handle it)
    assert not any("nhận hối lộ 20 triệu" in body for _, body in pages.values())
    for path in (f"/dashboard/denunciations/{case}/identity", f"/dashboard/api/denunciations/{case}/identity"):
        resp = client.post(path, data={"csrf_token": token}, headers={"X-CSRF-Token": token})
        assert resp.status_code in ((403,) if username else (302, 401)) and not _leaks(resp.get_data(as_text=True))


def test_inspector_of_the_denounced_unit_sees_nothing(app: Flask, case: str) -> None:
    client = app.test_client()
    token = login(client, "insp_ward")
    assert client.get(f"/dashboard/denunciations/{case}").status_code == 404
    assert case not in client.get("/dashboard/denunciations").get_data(as_text=True)
    resp = client.post(f"/dashboard/api/denunciations/{case}/identity", headers={"X-CSRF-Token": token})
    assert resp.status_code == 404 and not _leaks(resp.get_data(as_text=True))


def test_inspector_reads_it_on_explicit_request_and_it_is_recorded(app: Flask, case: str) -> None:
    client = app.test_client()
    token = login(client, "insp")
    listing = client.get("/dashboard/denunciations").get_data(as_text=True)
    assert case in listing and not _leaks(listing) and 'href="/dashboard/denunciations"' in listing
    page = client.get(f"/dashboard/denunciations/{case}").get_data(as_text=True)
    assert "nhận hối lộ 20 triệu" in page and not _leaks(page)  # identity only after the explicit POST
    api = client.get(f"/dashboard/api/denunciations/{case}").get_json()
    assert api["handler_unit_id"] == "thanh-tra-thanh-pho" and api["subject_unit_id"] == WARD
    assert api["has_identity"] is True and not _leaks(str(api))
    assert client.post(f"/dashboard/denunciations/{case}/identity").status_code == 403  # CSRF
    shown = client.post(f"/dashboard/denunciations/{case}/identity", data={"csrf_token": token})
    assert shown.status_code == 200 and SECRET.name in shown.get_data(as_text=True)
    ident = client.post(f"/dashboard/api/denunciations/{case}/identity", headers={"X-CSRF-Token": token}).get_json()
    assert ident["identity"] == {"name": SECRET.name, "phone": SECRET.phone, "address": SECRET.address,
                                 "sender_id": SECRET.sender_id}
    events = client.get(f"/dashboard/api/denunciations/{case}").get_json()["events"]
    assert [e["kind"] for e in events].count("identity_view") == 2 and not _leaks(str(events))
    resp = client.post(f"/dashboard/denunciations/{case}/status", data={"csrf_token": token, "status": "accepted"})
    assert resp.status_code == 302
    assert client.get(f"/dashboard/api/denunciations/{case}").get_json()["status"] == "accepted"


def test_database_dump_holds_no_plaintext_identity(app: Flask, case: str, engine: Engine) -> None:
    """Every column of every table, as the database stores it (a dump, a backup)."""
    meta = MetaData()
    meta.reflect(bind=engine)
    found: list[str] = []
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(select(table)):
                for column, value in zip(table.columns.keys(), row, strict=True):
                    if value is not None and _leaks(str(value)):
                        found.append(f"{table.name}.{column}")
        raw = conn.execute(text("SELECT identity_token, text, subject_unit_id, handler_unit_id "
                                "FROM denunciations")).one()
    assert found == []
    assert raw[0] and raw[0].startswith("gAAAA")  # a Fernet token, not the name
    assert raw[2] == WARD and raw[3] == "thanh-tra-thanh-pho"
    # positive control: the same search does find the name once it is decrypted
    with session_scope(engine) as s:
        from feedback_router.civic.models import Denunciation
        from feedback_router.civic.identity_crypto import unseal

        token = s.scalar(select(Denunciation.identity_token).where(Denunciation.code == case))
        assert token is not None and _leaks(repr(unseal(token).__dict__))


def test_identity_never_reaches_the_logs(app: Flask, engine: Engine, staff: None,
                                         caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        code = dn.file_denunciation(text=TEXT, anonymous=False, engine=engine,
                                    identity=Identity(SECRET.name, SECRET.phone, SECRET.address,
                                                      SECRET.sender_id)).code
        client = app.test_client()
        token = login(client, "insp")
        client.post(f"/dashboard/api/denunciations/{code}/identity", headers={"X-CSRF-Token": token})
        logging.getLogger("test").info("identity object as logged by mistake: %s", Identity(SECRET.name, SECRET.phone))
    assert code in caplog.text  # the filing was logged, by code
    assert not _leaks(caplog.text)


def test_hotline_transcript_of_a_denunciation_is_not_attached_to_tickets(engine: Engine) -> None:
    """A caller who reports rubbish and denounces the ward in the same call: the ward's
    operator reads the call note on the ticket, so the transcript must not be there."""
    from datetime import timedelta

    from feedback_router.tickets.service import attach_call_record

    started = clock.now() - timedelta(seconds=5)
    caller = "hotline:0911222333"
    code = create_ticket(category="waste", description="Rác ở ngõ 12 Láng Hạ chưa thu gom", sender_id=caller,
                         location_text="ngõ 12 Láng Hạ, phường Láng", ward_unit_id=WARD, engine=engine).code
    transcript = (f"[1.0s] Người gọi: rác ở ngõ 12 Láng Hạ\n[9.0s] Người gọi: tôi muốn tố cáo cán bộ phường\n"
                  f"[12.0s] Tổng đài: Trước khi bạn kể chi tiết, xin nói rõ quy định của Luật Tố cáo 2018 …\n"
                  f"[20.0s] Người gọi: {SECRET.name}, {SECRET.address}")
    assert attach_call_record(sender_id=caller, started_at=started, transcript=transcript,
                              recording_path="/var/rec/c1.wav", engine=engine) == [code]
    started = clock.now()  # a second, ordinary call
    plain = create_ticket(category="waste", description="Rác ở ngõ 14 Láng Hạ chưa thu gom", sender_id=caller,
                          location_text="ngõ 14 Láng Hạ, phường Láng", ward_unit_id=WARD, engine=engine,
                          detect_duplicates=False).code
    assert attach_call_record(sender_id=caller, started_at=started, transcript="[1.0s] Người gọi: rác ngõ 14",
                              recording_path="/var/rec/c2.wav", engine=engine)
    with session_scope(engine) as s:
        from feedback_router.core.models import Ticket

        notes = {t.code: " ".join(e.note or "" for e in t.events if e.kind == "note")
                 for t in s.scalars(select(Ticket))}
    assert not _leaks(notes[code]) and "c1.wav" not in notes[code] and "tố cáo" in notes[code]
    assert "rác ngõ 14" in notes[plain] and "c2.wav" in notes[plain]  # ordinary calls keep their note
