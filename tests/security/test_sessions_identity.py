"""Staff sessions and the web chat identity (issue 14 findings 'forged staff sessions' and
'the web chat identity is client-chosen'). Each test names whether it failed on the old code."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

import feedback_router.staff.auth as auth
from bot.web import create_app
from feedback_router.core.models import Contact
from feedback_router.messaging.outbox import enqueue

from .conftest import API_TOKEN, login


def test_logout_revokes_a_copied_cookie(app: Flask) -> None:
    """Old code: the copied cookie kept opening the dashboard after logout (fails on old code)."""
    c = app.test_client()
    status, token = login(c)
    assert status == 302
    stolen = c.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/dashboard/export.csv").status_code == 200
    assert c.post("/dashboard/logout", data={"csrf_token": token}).status_code == 302
    assert thief.get("/dashboard/export.csv").status_code == 302  # back to the login page
    assert thief.get("/dashboard/api/tickets/HN-0101-AAAA").status_code == 401


def test_password_change_revokes_sessions(app: Flask, engine: Engine) -> None:
    c = app.test_client()
    login(c)
    assert c.get("/dashboard/export.csv").status_code == 200
    with Session(engine) as s:
        user = s.scalar(select(auth.DashboardUser).where(auth.DashboardUser.username == "sup"))
        auth.set_password(s, user, "mat-khau-moi-12345")
        s.commit()
    assert c.get("/dashboard/export.csv").status_code == 302


def test_cookies_and_security_headers(app: Flask) -> None:
    """Old code: no SameSite/HttpOnly on the chat, no CSP, X-Frame-Options or nosniff (fails on old code)."""
    c = app.test_client()
    page = c.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "object-src 'none'" in csp
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    chat_cookie = page.headers["Set-Cookie"]
    assert "hn_chat=" in chat_cookie and "HttpOnly" in chat_cookie and "SameSite=Lax" in chat_cookie
    https = create_app({**{k: app.config[k] for k in ("GATEWAY", "DATABASE_ENGINE", "SECRET_KEY")},
                        "TESTING": True, "SESSION_COOKIE_SECURE": True}).test_client()
    set_cookie = https.get("/dashboard/login", base_url="https://localhost").headers.getlist("Set-Cookie")
    assert any("session=" in h and "Secure" in h and "HttpOnly" in h and "SameSite=Lax" in h for h in set_cookie)
    assert any("Secure" in h for h in https.get("/", base_url="https://localhost").headers.getlist("Set-Cookie"))


def test_unknown_user_costs_one_hash_check_not_a_hash_generation(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Old code hashed a fresh dummy password for unknown users: twice the cost (fails on old code)."""
    generated: list[str] = []
    real = auth.generate_password_hash
    monkeypatch.setattr(auth, "generate_password_hash", lambda p, *a, **k: generated.append(p) or real(p, *a, **k))
    c = app.test_client()
    assert login(c, "nobody-here", "whatever-123")[0] == 401
    assert generated == []


def test_sender_id_needs_an_api_token(app: Flask) -> None:
    """Old code: any sender_id was accepted from anyone (fails on old code)."""
    anon = app.test_client()
    resp = anon.post("/api/v1/messages", json={"sender_id": "web:victim", "text": "xin chào"})
    assert resp.status_code == 401 and "API token" in resp.get_json()["error"]
    assert anon.post("/api/v1/messages", json={"channel": "api", "text": "xin chào"}).status_code == 401


def test_inbox_is_readable_only_with_the_identity_cookie(app: Flask, engine: Engine) -> None:
    """Old code: GET /api/v1/messages/inbox?sender_id=… gave (and consumed) anyone's answers (fails on old code)."""
    citizen = app.test_client()
    citizen.get("/")  # the chat page issues the identity
    me = citizen.get("/api/v1/messages/inbox").get_json()["sender_id"]
    assert me.startswith("web:")
    with Session(engine) as s:
        contact = Contact(channel="web", sender_id=me)
        s.add(contact)
        s.flush()
        enqueue(s, contact=contact, text="Phường Láng đã xử lý phản ánh của bạn.", dedupe_key="sec-1")
        s.commit()
    attacker = app.test_client()
    assert attacker.get(f"/api/v1/messages/inbox?sender_id={me}").status_code == 401
    assert attacker.get("/api/v1/messages/inbox").get_json()["messages"] == []  # its own, empty
    forged = app.test_client()
    forged.set_cookie("hn_chat", me)  # unsigned value: ignored, a new identity is issued instead
    assert forged.get("/api/v1/messages/inbox").get_json()["sender_id"] != me
    texts = [m["text"] for m in citizen.get("/api/v1/messages/inbox").get_json()["messages"]]
    assert texts == ["Phường Láng đã xử lý phản ánh của bạn."]
    integrator = app.test_client()
    got = integrator.get(f"/api/v1/messages/inbox?sender_id={me}", headers={"Authorization": f"Bearer {API_TOKEN}"})
    assert got.status_code == 200


def test_staff_moderate_the_public_description(app: Flask, ticket_code: str) -> None:
    """FixMyStreet model: staff replace what Open311 shows; the citizen's text stays internal."""
    c = app.test_client()
    _, token = login(c)
    page = c.get(f"/dashboard/t/{ticket_code}/public").get_data(as_text=True)
    assert "0912 345 678" in page and "•••" in page  # staff see both
    resp = c.post(f"/dashboard/t/{ticket_code}/public", data={"csrf_token": token,
                                                             "public_description": "Rác tồn ở ngõ 12 Láng Hạ"})
    assert resp.status_code == 302
    row = app.test_client().get(f"/open311/v2/requests/{ticket_code}.json").get_json()[0]
    assert row["description"] == "Rác tồn ở ngõ 12 Láng Hạ"
    assert c.post(f"/dashboard/t/{ticket_code}/public", data={"csrf_token": token,
                                                             "public_description": " "}).status_code == 422
    assert app.test_client().get(f"/dashboard/t/{ticket_code}/public").status_code == 302  # login first


def test_users_cli_password_change_revokes(app: Flask, engine: Engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from feedback_router.core import db
    from feedback_router.staff import users

    c = app.test_client()
    login(c)
    monkeypatch.setenv("DATABASE_URL", str(engine.url.render_as_string(hide_password=False)))
    db.engine_for.cache_clear()
    monkeypatch.setenv("DASHBOARD_PASSWORD", "mat-khau-moi-67890")
    try:
        assert users.main(["passwd", "--username", "sup"]) == 0
    finally:
        db.engine_for.cache_clear()
    assert c.get("/dashboard/export.csv").status_code == 302
    assert login(app.test_client(), "sup", "mat-khau-moi-67890")[0] == 302
