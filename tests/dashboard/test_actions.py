"""Bulk actions, reply templates, split, exports and error pages through the web app
(Flask test client over the real app, SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from feedback_router.core.models import Ticket, TicketEvent, TicketFollower
from feedback_router.messaging.models import Outbox
from feedback_router.tickets.service import create_ticket

from .conftest import Units, login

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)


def _ticket(s: Session, code: str) -> Ticket:
    return s.scalars(select(Ticket).where(Ticket.code == code)).one()


def _make(engine: Engine, ward: str, n: int, tag: str) -> list[str]:
    return [create_ticket(category="waste", description=f"{tag} {i}", sender_id=f"web:{tag}{i}", ward_unit_id=ward,
                          engine=engine, now=T0 + timedelta(minutes=i), detect_duplicates=False).code
            for i in range(n)]


def test_forged_bulk_with_another_units_ticket_is_refused(app: Flask, engine: Engine, units: Units) -> None:
    mine = _make(engine, units.a, 2, "m")
    theirs = _make(engine, units.b, 1, "t")
    client = app.test_client()
    token = login(client, "op_a")
    form = {"csrf_token": token, "action": "status", "status": "in_progress", "codes": [*mine, *theirs]}
    resp = client.post("/dashboard/bulk", data=form, headers={"Accept": "text/html"})
    assert resp.status_code == 403
    assert "không thuộc đơn vị" in resp.get_data(as_text=True) and "<html" in resp.get_data(as_text=True)
    resp = client.post("/dashboard/bulk", data={**form, "codes": ["HN-0000-ZZZZ", mine[0]]})
    assert resp.status_code == 403  # a made-up code is refused the same way
    resp = client.post("/dashboard/bulk", data={**form, "csrf_token": "forged", "codes": mine})
    assert resp.status_code == 403
    with Session(engine) as s:  # nothing changed, no event, no message
        for code in (*mine, *theirs):
            t = _ticket(s, code)
            assert t.status.value == "received" and [e.kind for e in t.events] == ["status"]
        assert s.scalar(select(Outbox.id).limit(1)) is None


def test_bulk_assign_status_and_template_reply(app: Flask, engine: Engine, units: Units) -> None:
    codes = _make(engine, units.a, 3, "b")
    sup = app.test_client()
    token = login(sup, "sup")
    resp = sup.post("/dashboard/templates", data={"csrf_token": token, "category": "waste", "title": "Đã nhận",
                                                  "body": "Phản ánh {code} đã được {unit} tiếp nhận, hạn {deadline}."})
    assert resp.status_code == 302
    bad = sup.post("/dashboard/templates", data={"csrf_token": token, "title": "x",
                                                 "body": "mã {ma_so} {code.__class__}"})
    assert bad.status_code == 409
    op = app.test_client()
    token = login(op, "op_a")
    resp = op.post("/dashboard/bulk", data={"csrf_token": token, "action": "reply", "codes": codes,
                                            "text": "Phản ánh {code} đã được {unit} tiếp nhận, hạn {deadline}."})
    assert resp.status_code == 302
    resp = op.post("/dashboard/bulk", data={"csrf_token": token, "action": "status", "status": "in_progress",
                                            "codes": codes})
    assert resp.status_code == 302
    resp = op.post("/dashboard/bulk", data={"csrf_token": token, "action": "assign", "unit_id": units.b,
                                            "reason": "địa bàn phường bên cạnh", "codes": codes})
    assert resp.status_code == 302
    with Session(engine) as s:
        for code in codes:
            t = _ticket(s, code)
            assert t.unit_id == units.b and t.status.value == "assigned"
            assert [e.kind for e in t.events] == ["status", "reply", "status", "reassign"]
            assert t.public_reply is not None and t.public_reply.startswith(f"Phản ánh {code} đã được UBND")
            assert "{" not in t.public_reply
        texts = [o.text for o in s.scalars(select(Outbox).order_by(Outbox.id))]
        assert sum(1 for x in texts if x.startswith("Trả lời phản ánh")) == 3
    # now with unit B, so operator A may not touch them any more
    resp = op.post("/dashboard/bulk", data={"csrf_token": token, "action": "status", "status": "resolved",
                                            "codes": codes})
    assert resp.status_code == 403


def test_bulk_is_all_or_nothing(app: Flask, engine: Engine, units: Units) -> None:
    codes = _make(engine, units.a, 2, "n")
    op = app.test_client()
    token = login(op, "op_a")
    assert op.post("/dashboard/bulk", data={"csrf_token": token, "action": "status", "status": "resolved",
                                            "codes": codes[:1]}).status_code == 302
    resp = op.post("/dashboard/bulk", data={"csrf_token": token, "action": "status", "status": "in_progress",
                                            "codes": codes})  # resolved → in_progress is not allowed
    assert resp.status_code == 409
    with Session(engine) as s:
        assert _ticket(s, codes[1]).status.value == "received"


def test_split_a_merged_report(app: Flask, engine: Engine, units: Units) -> None:
    first = create_ticket(category="waste", description="Rác ở ngõ 12 Láng Hạ", location_text="ngõ 12 Láng Hạ",
                          sender_id="web:first", ward_unit_id=units.a, engine=engine, now=T0)
    dup = create_ticket(category="waste", description="Rác ở đầu ngõ 12 Láng Hạ, cạnh chợ",
                        location_text="ngõ 12 Láng Hạ",
                        sender_id="web:second", ward_unit_id=units.a, engine=engine, now=T0 + timedelta(minutes=5))
    assert dup.merged and dup.code == first.code
    op = app.test_client()
    token = login(op, "op_a")
    page = op.get(f"/dashboard/t/{first.code}").get_data(as_text=True)
    assert "Tách báo cáo" in page and "cạnh chợ" in page
    with Session(engine) as s:
        follower = s.scalars(select(TicketFollower).join(Ticket).where(Ticket.code == first.code)).one()
        contact_id = follower.contact_id
    resp = op.post(f"/dashboard/t/{first.code}/split", data={"csrf_token": token, "contact_id": contact_id})
    assert resp.status_code == 302
    with Session(engine) as s:
        old = _ticket(s, first.code)
        new = s.scalars(select(Ticket).where(Ticket.contact_id == contact_id)).one()
        assert new.code != old.code and old.report_count == 1 and new.description.endswith("cạnh chợ")
        assert new.unit_id == units.a and new.sla_due_at is not None
        assert any(e.kind == "split" and new.code in (e.note or "") for e in old.events)
        assert any(e.kind == "split" and old.code in (e.note or "") for e in new.events)
        told = s.scalars(select(Outbox).where(Outbox.contact_id == contact_id).order_by(Outbox.id)).all()
        assert new.code in told[-1].text
        new_code = new.code
    # later answers: the old ticket's reach only its own reporter, the new ticket's the split reporter
    op.post(f"/dashboard/t/{first.code}/reply", data={"csrf_token": token, "text": "Đã thu gom."})
    op.post(f"/dashboard/t/{new_code}/reply", data={"csrf_token": token, "text": "Sẽ thu gom chiều nay."})
    with Session(engine) as s:
        to_split = [o.text for o in s.scalars(select(Outbox).where(Outbox.contact_id == contact_id))]
        assert any("Sẽ thu gom chiều nay." in x for x in to_split)
        assert not any("Đã thu gom." in x for x in to_split)
    assert op.post(f"/dashboard/t/{first.code}/split", data={"csrf_token": token,
                                                               "contact_id": contact_id}).status_code == 409


def test_html_403_for_a_browser_json_for_an_api_client(app: Flask, engine: Engine, units: Units) -> None:
    op = app.test_client()
    login(op, "op_a")
    resp = op.get("/dashboard/outbox", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert resp.status_code == 403 and resp.mimetype == "text/html"
    body = resp.get_data(as_text=True)
    assert "Bạn không có quyền xem trang này" in body and "You are not allowed" in body
    resp = op.get("/dashboard/outbox", headers={"Accept": "application/json"})
    assert resp.status_code == 403 and resp.is_json
    resp = op.get("/dashboard/t/HN-0000-ZZZZ", headers={"Accept": "text/html"})
    assert resp.status_code == 404 and "Không tìm thấy" in resp.get_data(as_text=True)
    resp = op.get("/dashboard/templates", headers={"Accept": "text/html"})
    assert resp.status_code == 403 and resp.mimetype == "text/html"


def test_export_has_analyst_fields_and_is_unit_scoped(app: Flask, engine: Engine, units: Units) -> None:
    mine = create_ticket(category="waste", description="=HYPERLINK(\"x\") rác", location_text="ngõ 5 Chùa Láng",
                         sender_id="web:e1", ward_unit_id=units.a, latitude=21.0231, longitude=105.8011,
                         engine=engine, now=T0)
    theirs = create_ticket(category="waste", description="khác", sender_id="web:e2", ward_unit_id=units.b,
                           engine=engine, now=T0)
    op = app.test_client()
    login(op, "op_a")
    resp = op.get("/dashboard/export.csv")
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["code"] for r in rows] == [mine.code]
    row = rows[0]
    assert row["description"].startswith("'=HYPERLINK")  # no formula injection
    assert row["location_text"] == "ngõ 5 Chùa Láng" and row["latitude"] == "21.0231" and row["longitude"] == "105.8011"
    assert row["category_vi"] == "Rác thải, vệ sinh môi trường" and row["created_at"].endswith("+07:00")
    assert theirs.code not in resp.get_data(as_text=True)
    stats = op.get("/dashboard/stats.csv?table=trend&days=7")
    lines = stats.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "ngay,so_phan_anh" and len(lines) == 8
    assert op.get("/dashboard/stats.csv?table=nope").status_code == 400


def test_history_in_vietnamese(app: Flask, engine: Engine, units: Units) -> None:
    t = create_ticket(category="water_supply", description="mất nước", sender_id="web:h1", ward_unit_id=units.a,
                      engine=engine, now=T0)
    sup = app.test_client()
    login(sup, "sup")
    page = sup.get(f"/dashboard/t/{t.code}").get_data(as_text=True)
    assert "routed to" not in page and "Chuyển đến" in page and "Trợ lý ảo" in page
    assert "Mức độ:</strong> <span id=\"urgency\">" in page and ">normal<" not in page
    with Session(engine) as s:
        assert s.scalar(select(TicketEvent.note).where(TicketEvent.ticket_id == _ticket(s, t.code).id)).startswith(
            "routed to")  # the stored audit trail is not rewritten


def test_stats_times_and_on_time_rates(engine: Engine, units: Units) -> None:
    from feedback_router.tickets import lifecycle
    from feedback_router.dashboard import stats_data
    from feedback_router.core.models import DashboardUser

    codes = _make(engine, units.a, 3, "st")
    with Session(engine) as s:
        for i, code in enumerate(codes):  # acknowledged after 1, 2, 3 h; resolved after 10, 20, 30 h
            t = _ticket(s, code)
            start = t.created_at.replace(tzinfo=timezone.utc)
            lifecycle.change_status(s, t, "in_progress", actor="staff:op_a", now=start + timedelta(hours=i + 1))
            lifecycle.change_status(s, t, "resolved", actor="staff:op_a", now=start + timedelta(hours=10 * (i + 1)))
        s.commit()
    sup = DashboardUser(username="sup", role="supervisor")
    with Session(engine) as s:
        d = stats_data.compute(s, sup, days=7, now=T0 + timedelta(days=3))
    assert d["ack"] == {"median": 2.0, "p90": 2.8, "n": 3}
    assert d["resolve"] == {"median": 20.0, "p90": 28.0, "n": 3}
    assert d["total"] == 3 and d["closed"] == 3
    # deadlines: 5 working days from Monday 09:00 → all three resolved in time
    assert d["on_time"] == 3 and d["ontime"]["unit"][0][:5] == (units.a, "UBND phường Láng", 3, 3, 100.0)
    assert sum(n for _, n in d["trend"]) == 3 and len(d["trend"]) == 7
