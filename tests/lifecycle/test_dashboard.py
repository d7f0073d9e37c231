"""Dashboard: login, RBAC, CSRF, escaping, filters, stats, CSV, public status page."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from feedback_router.core.models import Ticket
from feedback_router.messaging.models import Outbox
from feedback_router.tickets.service import create_ticket

from .conftest import Units, login

XSS = '<script>alert("x")</script>'


def _make(engine: Engine, units: Units) -> tuple[str, str]:
    a = create_ticket(category="waste", description=f"Rác {XSS}", sender_id="telegram:100", phone="0912345678",
                      ward_unit_id=units.a, engine=engine)
    b = create_ticket(category="waste", description="Rác phường khác", sender_id="telegram:200",
                      ward_unit_id=units.b, engine=engine)
    return a.code, b.code


def test_login_required_and_bad_password(app: Flask) -> None:
    c = app.test_client()
    assert c.get("/dashboard/").status_code == 302
    assert c.get("/dashboard/api/tickets/HN-0101-AAAA").status_code == 401
    c.get("/dashboard/login")
    with c.session_transaction() as sess:
        token = sess["csrf_token"]
    assert c.post("/dashboard/login", data={"username": "op_a", "password": "wrong-pass",
                                            "csrf_token": token}).status_code == 401
    assert c.post("/dashboard/login", data={"username": "op_a", "password": "x"}).status_code == 403  # no CSRF


def test_operator_sees_only_own_unit(app: Flask, engine: Engine, units: Units) -> None:
    code_a, code_b = _make(engine, units)
    c = app.test_client()
    token = login(c, "op_a")
    page = c.get("/dashboard/").get_data(as_text=True)
    assert code_a in page and code_b not in page
    assert c.get(f"/dashboard/t/{code_a}").status_code == 200
    assert c.get(f"/dashboard/t/{code_b}").status_code == 404
    assert c.get(f"/dashboard/api/tickets/{code_b}").status_code == 404
    assert c.get(f"/dashboard/api/tickets/{code_a}").get_json()["unit_id"] == units.a
    r = c.post(f"/dashboard/t/{code_b}/reply", data={"text": "hi", "csrf_token": token})
    assert r.status_code == 404
    r = c.post(f"/dashboard/api/tickets/{code_b}/status", json={"status": "resolved"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 404
    assert c.get("/dashboard/outbox").status_code == 403  # supervisors only
    sup = app.test_client()
    login(sup, "sup")
    page = sup.get("/dashboard/").get_data(as_text=True)
    assert code_a in page and code_b in page
    assert sup.get(f"/dashboard/t/{code_b}").status_code == 200


def test_csrf_is_enforced_on_posts(app: Flask, engine: Engine, units: Units) -> None:
    code_a, _ = _make(engine, units)
    c = app.test_client()
    token = login(c, "op_a")
    assert c.post(f"/dashboard/t/{code_a}/reply", data={"text": "hi"}).status_code == 403
    assert c.post(f"/dashboard/t/{code_a}/reply", data={"text": "hi", "csrf_token": "forged"}).status_code == 403
    assert c.post(f"/dashboard/api/tickets/{code_a}/status", json={"status": "in_progress"}).status_code == 403
    with Session(engine) as s:
        assert s.scalar(select(Ticket).where(Ticket.code == code_a)).public_reply is None
    assert c.post(f"/dashboard/t/{code_a}/reply", data={"text": "Đã xử lý", "csrf_token": token}).status_code == 302
    r = c.post(f"/dashboard/api/tickets/{code_a}/status", json={"status": "in_progress"},
               headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.get_json()["status"] == "in_progress"
    assert c.post(f"/dashboard/api/tickets/{code_a}/status", json={"status": "received"},
                  headers={"X-CSRF-Token": token}).status_code == 409


def test_everything_is_escaped(app: Flask, engine: Engine, units: Units) -> None:
    code_a, _ = _make(engine, units)
    c = app.test_client()
    token = login(c, "op_a")
    c.post(f"/dashboard/t/{code_a}/reply", data={"text": f"trả lời {XSS}", "csrf_token": token})
    c.post(f"/dashboard/t/{code_a}/note", data={"text": f"note {XSS}", "csrf_token": token})
    for url in (f"/dashboard/t/{code_a}", "/dashboard/", f"/status/{code_a}"):
        html = c.get(url).get_data(as_text=True)
        assert "<script>" not in html and "&lt;script&gt;" in html, url


def test_ticket_actions_filters_stats_csv(app: Flask, engine: Engine, units: Units) -> None:
    code_a, code_b = _make(engine, units)
    c = app.test_client()
    token = login(c, "sup")
    r = c.post(f"/dashboard/t/{code_a}/status", data={"status": "in_progress", "csrf_token": token})
    assert r.status_code == 302
    r = c.post(f"/dashboard/t/{code_a}/reassign", data={"unit_id": units.b, "reason": "", "csrf_token": token})
    assert r.status_code == 409
    assert c.post(f"/dashboard/t/{code_a}/reassign",
                  data={"unit_id": units.b, "reason": "sai địa bàn", "csrf_token": token}).status_code == 302
    page = c.get(f"/dashboard/t/{code_a}").get_data(as_text=True)
    assert "sai địa bàn" in page and "0912345678" not in page
    assert code_a in c.get(f"/dashboard/?status=assigned&ward={units.a}").get_data(as_text=True)
    assert code_b not in c.get("/dashboard/?status=assigned").get_data(as_text=True)
    assert code_a not in c.get("/dashboard/?overdue=1").get_data(as_text=True)
    assert "Thống kê" in c.get("/dashboard/stats").get_data(as_text=True)
    csv_text = c.get("/dashboard/export.csv?category=waste").get_data(as_text=True)
    assert code_a in csv_text and code_b in csv_text and "0912345678" not in csv_text and "telegram:" not in csv_text
    assert c.get("/dashboard/outbox").status_code == 200
    with Session(engine) as s:
        assert len(list(s.scalars(select(Outbox)))) == 2  # in_progress + assigned


def test_public_status_page_has_no_personal_data(app: Flask, engine: Engine, units: Units) -> None:
    code_a, _ = _make(engine, units)
    c = app.test_client()
    html = c.get(f"/status/{code_a.lower()}").get_data(as_text=True)
    assert code_a in html and "Đã tiếp nhận" in html
    assert "0912345678" not in html and "telegram" not in html and "alert" not in html  # no description either
    assert c.get("/status/HN-0101-ZZZZ").status_code == 404
