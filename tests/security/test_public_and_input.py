"""Public data, rate limits and hostile input (issue 14). Each test names whether it failed on
the old code."""

from __future__ import annotations

import uuid

import pytest
import redis
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.message import Message
from bot.web import create_app
from feedback_router.core.models import Ticket
from feedback_router.public.data import mask_personal, set_public_description

from .conftest import API_TOKEN, login


def test_open311_shows_only_masked_public_data(app: Flask, ticket_code: str) -> None:
    """Old code published the text verbatim, the exact address and raw GPS (fails on old code)."""
    row = app.test_client().get(f"/open311/v2/requests/{ticket_code}.json").get_json()[0]
    body = str(row)
    for secret in ("0912 345 678", "lan.nguyen@example.com", "001203004567", "15 Láng Hạ", "số nhà 15"):
        assert secret not in body
    assert row["lat"] == 21.012 and row["long"] == 105.812
    assert row["address"] == "Láng Hạ, phường Láng" and "ngõ 12 Láng Hạ" in row["description"]
    listing = app.test_client().get("/open311/v2/requests.json").get_json()
    assert all("0912" not in str(r) for r in listing)


def test_moderated_public_description_wins(app: Flask, engine: Engine, ticket_code: str) -> None:
    with Session(engine) as s:
        t = s.scalar(select(Ticket).where(Ticket.code == ticket_code))
        set_public_description(s, t, "Rác tồn đọng ở ngõ 12 Láng Hạ.", actor="staff:sup")
        s.commit()
    row = app.test_client().get(f"/open311/v2/requests.json?service_request_id={ticket_code}").get_json()[0]
    assert row["description"] == "Rác tồn đọng ở ngõ 12 Láng Hạ."


def test_masking_rules() -> None:
    assert mask_personal("Gọi 0912.345.678 hay +84 912 345 678") == "Gọi ••• hay •••"
    assert mask_personal("nhà số 25B, 15/3 Kim Mã") == "nhà số •••, ••• Kim Mã"
    assert mask_personal("Ở ngõ 12 Láng Hạ rác ba ngày") == "Ở ngõ 12 Láng Hạ rác ba ngày"


def test_service_request_id_list_is_capped(app: Flask) -> None:
    """Old code answered thousands of codes per request: a day's codes in ~36 requests (fails on old code)."""
    c = app.test_client()
    eleven = ",".join(f"HN-0101-{i:04d}" for i in range(11))
    resp = c.get(f"/open311/v2/requests.json?service_request_id={eleven}")
    assert resp.status_code == 400 and "10" in resp.get_json()[0]["description"]
    assert c.get(f"/open311/v2/requests.json?service_request_id={eleven.rsplit(',', 1)[0]}").status_code == 200


def test_discovery_does_not_reflect_the_host_header(app: Flask) -> None:
    """Old code put the request's Host into the published endpoint URL (fails on old code)."""
    doc = app.test_client().get("/open311/v2/discovery.json", headers={"Host": "evil.example"}).get_json()
    assert "evil.example" not in str(doc)
    app.config["PUBLIC_BASE_URL"] = "https://gopy.hanoi.gov.vn"
    doc = app.test_client().get("/open311/v2/discovery.json", headers={"Host": "evil.example"}).get_json()
    assert doc["endpoints"][0]["url"] == "https://gopy.hanoi.gov.vn/open311/v2/"


def test_login_lockout_per_user(app: Flask) -> None:
    """Old code: 30 wrong passwords in 3.6 s, then the right one worked (fails on old code)."""
    for _ in range(5):
        assert login(app.test_client(), "sup", "wrong-password")[0] == 401
    assert login(app.test_client(), "sup")[0] == 429  # locked, even with the right password
    assert "too many requests" in app.test_client().post("/dashboard/login", data={"username": "sup"}).get_json()[
        "error"]


def test_status_lookups_and_supports_are_limited(db_url: str, engine: Engine, ticket_code: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Old code: /status answered 374 req/s, supports were stuffed by changing sender_id (fails on old code)."""
    monkeypatch.setenv("RATE_LIMIT_STATUS", "3 per minute")
    app = create_app({"DATABASE_ENGINE": engine, "TESTING": True, "SECRET_KEY": "x" * 32})
    c = app.test_client()
    codes = [c.get(f"/open311/v2/requests/{ticket_code}.json").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert c.get(f"/status/{ticket_code}").status_code != 429  # each lookup route counts on its own

    from feedback_router.civic import suggestions as sg

    monkeypatch.setenv("RATE_LIMIT_SUPPORT", "2 per hour")
    app = create_app({"DATABASE_ENGINE": engine, "TESTING": True, "SECRET_KEY": "x" * 32})
    code = sg.create_suggestion(text="Nên trồng cây ở phố Huế", sender_id="web:author-3", publish=True,
                                engine=engine).code
    fresh_identities = [app.test_client().post(f"/suggestions/{code}/support", json={}).status_code
                        for _ in range(3)]
    assert fresh_identities == [201, 201, 429]  # new cookies from one address do not stuff the count


def test_chat_limit_per_identity_uses_redis_when_configured(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_CHAT", "2 per minute")
    prefix = f"sec-{uuid.uuid4().hex[:8]}"

    class Echo:
        def handle(self, message: Message):  # type: ignore[no-untyped-def]
            return []

    app = create_app({"DATABASE_ENGINE": engine, "TESTING": True, "GATEWAY": Echo(),
                      "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15", "RATELIMIT_KEY_PREFIX": prefix})
    c = app.test_client()
    codes = [c.post("/api/v1/messages", json={"text": "xin chào"}).status_code for _ in range(3)]
    assert 429 not in codes[:2] and codes[2] == 429  # (the turn itself may be queued: 202, or answered: 200)
    assert app.test_client().post("/api/v1/messages", json={"text": "xin chào"}).status_code != 429  # another person
    r = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    keys = r.keys(f"*{prefix}*")
    assert keys
    r.delete(*keys)


DEEP = b"[" * 5000 + b"]" * 5000
DEEP_OBJ = b'{"a":' * 5000 + b"1" + b"}" * 5000
HUGE_INT = b'{"text": ' + b"9" * 5000 + b"}"


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJ, HUGE_INT], ids=["deep-list", "deep-object", "5000-digits"])
@pytest.mark.parametrize("path", ["/api/v1/messages", "/api/v1/nlu/parse", "/suggestions/GY-0101-AAAA/support"])
def test_hostile_json_is_a_400(app: Flask, path: str, body: bytes) -> None:
    """Old code: HTTP 500 for each (fails on old code)."""
    resp = app.test_client().post(path, data=body, content_type="application/json")
    assert resp.status_code in (400, 404, 413, 422), resp.get_data(as_text=True)[:200]
    assert resp.status_code != 404 or path.startswith("/suggestions")


@pytest.mark.parametrize("body", [DEEP, HUGE_INT, b'{"status": "in_progress", "note": {"x": 1}}'],
                         ids=["deep", "5000-digits", "non-string-note"])
def test_dashboard_status_api_refuses_bad_json(app: Flask, ticket_code: str, body: bytes) -> None:
    """Old code: HTTP 500 (fails on old code)."""
    c = app.test_client()
    _, token = login(c)
    resp = c.post(f"/dashboard/api/tickets/{ticket_code}/status", data=body, content_type="application/json",
                  headers={"X-CSRF-Token": token})
    assert resp.status_code in (400, 422) and "(" in resp.get_json()["error"]


@pytest.mark.parametrize("query", ["start_date=0001-01-01T00:00:00%2B14:00", "end_date=9999-12-31T23:59:59-12:00",
                                   "start_date=99999-01-01"])
def test_open311_out_of_range_dates(app: Flask, query: str) -> None:
    """Old code: HTTP 500 for dates whose UTC time overflows (fails on old code)."""
    assert app.test_client().get(f"/open311/v2/requests.json?{query}").status_code == 400


@pytest.mark.parametrize("path", ["/suggestions", "/api/v1/suggestions", "/dashboard/"])
def test_page_overflow(app: Flask, path: str) -> None:
    """Old code: HTTP 500 (OverflowError in the SQL offset) (fails on old code)."""
    c = app.test_client()
    login(c)
    resp = c.get(f"{path}?page=99999999999999999999")
    assert resp.status_code == 400


def test_oversized_device_timestamp_is_refused_before_authentication(app: Flask) -> None:
    """Old code: HTTP 500 before authentication (fails on old code)."""
    resp = app.test_client().get("/device/v1/announcements", headers={
        "X-Device-Id": "d1", "X-Timestamp": "9" * 4000, "X-Nonce": "n", "X-Signature": "s"})
    assert resp.status_code == 400 and "X-Timestamp" in resp.get_json()["error"]


def test_lone_surrogate_is_a_400(app: Flask) -> None:
    """Old code: 200 with no replies (fails on old code)."""
    resp = app.test_client().post("/api/v1/messages", data=b'{"text": "r\\ud800c"}', content_type="application/json")
    assert resp.status_code == 400 and "surrogate" in resp.get_json()["error"]


def test_invisible_controls_are_stripped_at_entry() -> None:
    """Old code stored RTL overrides and zero-width characters as typed (fails on old code)."""
    msg = Message(channel="web", sender_id="web:x", text="Rác ở ngõ\u202e 12\u200b Láng\u2066 Hạ")
    assert msg.text == "Rác ở ngõ 12 Láng Hạ"


def test_api_token_bypasses_nothing_but_sender_choice(app: Flask) -> None:
    resp = app.test_client().post("/api/v1/messages", data=DEEP, content_type="application/json",
                                  headers={"Authorization": f"Bearer {API_TOKEN}"})
    assert resp.status_code == 400


def test_public_suggestions_are_masked(app: Flask, engine: Engine) -> None:
    """A published suggestion's phone number and e-mail do not reach the public pages (failed on old code)."""
    from feedback_router.civic import suggestions as sg

    code = sg.create_suggestion(text="Nên lắp đèn ngõ 5 Kim Mã, liên hệ 0987 654 321 hoặc an@example.com",
                                sender_id="web:author-1", publish=True, engine=engine).code
    c = app.test_client()
    for body in (c.get("/suggestions").get_data(as_text=True), c.get(f"/suggestions/{code}").get_data(as_text=True),
                 str(c.get("/api/v1/suggestions").get_json())):
        assert "0987 654 321" not in body and "an@example.com" not in body and "Kim Mã" in body


def test_open311_post_strips_invisible_controls(app: Flask, engine: Engine) -> None:
    """Old code stored an RTL override typed into an Open311 description (fails on old code)."""
    resp = app.test_client().post("/open311/v2/requests.json", data={
        "api_key": "k", "service_code": "waste", "address_string": "ngõ 12\u200b Láng Hạ",
        "description": "Rác\u202e ở ngõ 12 Láng\u2066 Hạ"})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    code = resp.get_json()[0]["service_request_id"]
    with Session(engine) as s:
        t = s.scalar(select(Ticket).where(Ticket.code == code))
        assert t.description == "Rác ở ngõ 12 Láng Hạ" and t.location_text == "ngõ 12 Láng Hạ"
