"""Units answer suggestions from the dashboard; the answer reaches the author through the
outbox and the delivery worker; the public page shows consented suggestions only."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, select

from bot.channels import delivery
from feedback_router.civic import suggestions as sg
from feedback_router.core.db import session_scope
from feedback_router.messaging.models import Outbox
from tests.channels.standins.telegram_api import TelegramStandIn
from tests.civic.conftest import login

BUS = "Đề nghị lắp thêm điểm dừng xe buýt ở đầu ngõ 100 Hoàng Quốc Việt"
TOKEN = "555:civic-token"


@pytest.fixture
def bus(app: Flask, engine: Engine) -> str:
    return sg.create_suggestion(text=BUS, sender_id="telegram:4242", publish=True, engine=engine).code


def test_unit_answers_and_the_answer_is_delivered_on_the_authors_channel(
        app: Flask, engine: Engine, bus: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    client = app.test_client()
    token = login(client, "op_sxd")
    listing = client.get("/dashboard/suggestions").get_data(as_text=True)
    assert bus in listing
    page = client.get(f"/dashboard/suggestions/{bus}").get_data(as_text=True)
    assert "điểm dừng xe buýt" in page and "4242" not in page  # staff see the channel, not the identity
    resp = client.post(f"/dashboard/suggestions/{bus}/status", data={"csrf_token": token, "status": "accepted"})
    assert resp.status_code == 409  # a decision needs an answer
    assert client.post(f"/dashboard/suggestions/{bus}/status",
                       data={"status": "under_review"}).status_code == 403  # CSRF
    assert client.post(f"/dashboard/suggestions/{bus}/status",
                       data={"csrf_token": token, "status": "under_review"}).status_code == 302
    answer = "Sở Xây dựng sẽ lắp điểm dừng xe buýt tại đầu ngõ 100 trong tháng tới."
    resp = client.post(f"/dashboard/api/suggestions/{bus}/status", json={"status": "accepted", "answer": answer},
                       headers={"X-CSRF-Token": token})
    assert resp.status_code == 200 and resp.get_json()["status"] == "accepted"
    assert client.post(f"/dashboard/api/suggestions/{bus}/status", json={"status": "nope"},
                       headers={"X-CSRF-Token": token}).status_code == 400
    data = client.get(f"/dashboard/api/suggestions/{bus}").get_json()
    assert [e["kind"] for e in data["events"]] == ["status", "publish", "status", "status"]
    assert client.get(f"/suggestions/{bus}").get_data(as_text=True).count(answer) == 1  # public answer

    with TelegramStandIn(TOKEN) as tg:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", tg.url)
        worker = delivery.Deliverer()
        try:
            assert delivery.run_once(worker)["sent"] == 2
            assert delivery.run_once(worker)["sent"] == 0  # each once
        finally:
            worker.close()
    texts = [m["text"] for m in tg.sent]
    assert str(tg.sent[0]["chat_id"]) == "4242"
    assert "Đang nghiên cứu" in texts[0] and answer in texts[1] and bus in texts[1]
    with session_scope(engine) as s:
        assert {r.status for r in s.scalars(select(Outbox))} == {"sent"}


def test_operators_see_only_their_units_suggestions(app: Flask, bus: str) -> None:
    other = app.test_client()
    token = login(other, "op_ward")
    assert bus not in other.get("/dashboard/suggestions").get_data(as_text=True)
    assert other.get(f"/dashboard/suggestions/{bus}").status_code == 404
    assert other.get(f"/dashboard/api/suggestions/{bus}").status_code == 404
    assert other.post(f"/dashboard/suggestions/{bus}/answer",
                      data={"csrf_token": token, "text": "x"}).status_code == 404
    sup = app.test_client()
    login(sup, "sup")
    assert bus in sup.get("/dashboard/suggestions").get_data(as_text=True)
    assert app.test_client().get("/dashboard/suggestions").status_code == 302  # login first


def test_triage_reassigns_an_idea_to_the_unit_that_answers(app: Flask, engine: Engine) -> None:
    code = sg.create_suggestion(text="Thành phố nên có thêm nhiều hoạt động cho người cao tuổi",
                                sender_id="web:elder", publish=False, engine=engine).code
    sup = app.test_client()
    token = login(sup, "sup")
    assert sup.post(f"/dashboard/suggestions/{code}/reassign",
                    data={"csrf_token": token, "unit_id": "so-van-hoa-the-thao", "reason": ""}).status_code == 409
    assert sup.post(f"/dashboard/suggestions/{code}/reassign",
                    data={"csrf_token": token, "unit_id": "khong-co", "reason": "x"}).status_code == 409
    assert sup.post(f"/dashboard/suggestions/{code}/reassign", data={
        "csrf_token": token, "unit_id": "so-van-hoa-the-thao", "reason": "hoạt động văn hoá"}).status_code == 302
    data = sup.get(f"/dashboard/api/suggestions/{code}").get_json()
    assert data["unit_id"] == "so-van-hoa-the-thao" and data["events"][-1]["kind"] == "reassign"


def test_public_page_and_supports(app: Flask, engine: Engine, bus: str) -> None:
    private = sg.create_suggestion(text="Nên trồng thêm cây xanh dọc đường Giải Phóng", sender_id="web:shy",
                                   publish=False, engine=engine).code
    client = app.test_client()
    listing = client.get("/suggestions").get_data(as_text=True)
    assert bus in listing and private not in listing and "4242" not in listing
    assert [s["code"] for s in client.get("/api/v1/suggestions").get_json()["suggestions"]] == [bus]
    assert client.get(f"/suggestions/{private}").status_code == 404
    page = client.get(f"/suggestions/{bus}").get_data(as_text=True)
    assert "điểm dừng xe buýt" in page and "Ủng hộ" in page and "4242" not in page
    # One support per web identity: the server-issued cookie, not a sender_id the page picks (issue 14).
    first = client.post(f"/suggestions/{bus}/support", json={})
    assert first.status_code == 201 and first.get_json() == {"code": bus, "counted": True, "supports": 1}
    again = client.post(f"/suggestions/{bus}/support", json={})  # same browser, same cookie
    assert again.status_code == 200 and again.get_json()["counted"] is False and again.get_json()["supports"] == 1
    assert app.test_client().post(f"/suggestions/{bus}/support", json={}).get_json()["supports"] == 2
    assert client.post(f"/suggestions/{bus}/support", json={"sender_id": "web:browser-3"}).status_code == 401
    assert client.post(f"/suggestions/{bus}/support", data="sender_id=web:x").status_code == 415  # no form posts
    assert client.post(f"/suggestions/{bus}/support", data=b"\xff\xfe",
                       content_type="application/json").status_code == 400
    assert client.post(f"/suggestions/{bus}/support", json=["web:a"]).status_code == 400
    assert client.post(f"/suggestions/{private}/support", json={}).status_code == 404
    assert client.get(f"/suggestions/{bus}", headers={"Accept": "application/json"}).get_json()["supports"] == 2

    staff = app.test_client()
    token = login(staff, "op_sxd")
    assert staff.post(f"/dashboard/suggestions/{bus}/publish",
                      data={"csrf_token": token, "published": "0", "reason": "trùng lặp"}).status_code == 302
    assert client.get(f"/suggestions/{bus}").status_code == 404
    assert staff.post(f"/dashboard/suggestions/{private}/publish",
                      data={"csrf_token": token, "published": "1"}).status_code in (404, 409)  # not theirs / no consent
