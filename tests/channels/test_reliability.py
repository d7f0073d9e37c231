"""Issue 14, reliability findings: each test failed on the code before the inbound queue and
the leased outbox, and passes now (SQLite and PostgreSQL, real HTTP to the stand-ins)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from bot.channels import delivery, inbound
from feedback_router.messaging.models import InboundUpdate, Outbox
from bot.gateway import Gateway
from bot.message import Message
from feedback_router.messaging import outbox
from feedback_router.core.db import get_engine, session_scope
from feedback_router.contacts import get_or_create_contact
from tests.channels.conftest import API_TOKEN, TELEGRAM_SECRET
from tests.channels.standins.rasa_rest import RasaStandIn
from tests.channels.standins.telegram_api import TelegramStandIn
from tests.channels.standins.zalo_api import ZaloStandIn

LATER = timedelta(minutes=10)  # past any backoff and lease


def tg_update(update_id: int, text: str, chat_id: int = 4242) -> dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": "Lan"}
    return {"update_id": update_id, "message": {"message_id": update_id + 10, "date": int(time.time()),
                                                "from": user, "chat": {"id": chat_id, "type": "private"},
                                                "text": text}}


def post_update(app: Flask, body: dict[str, Any]) -> Any:
    return app.test_client().post("/telegram/webhook", json=body,
                                  headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})


def enqueue(sender: str, text: str, key: str) -> None:
    with session_scope(get_engine()) as s:
        outbox.enqueue(s, contact=get_or_create_contact(s, sender), text=text, dedupe_key=key)


def api_client(app: Flask) -> Any:
    """A test client that sends the integrator's API token with every request."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {API_TOKEN}"
    return client


def drain(gateway: Gateway, now: datetime) -> None:
    """What the delivery process does on each tick: replay the inbound queue, send the outbox."""
    d = delivery.Deliverer()
    try:
        inbound.run_queue(gateway, now=now)
        delivery.run_once(d, now=now)
    finally:
        d.close()


def test_unread_web_answers_do_not_block_telegram(channel_db: str, telegram: TelegramStandIn) -> None:
    for i in range(60):
        enqueue(f"web:citizen-{i}", f"Trả lời {i}", f"web-{i}")
    enqueue("telegram:4242", "Hồ sơ HN-2026-AB12 đã xử lý xong.", "tg-1")
    d = delivery.Deliverer()
    try:
        assert delivery.run_once(d) == {"sent": 1, "failed": 0, "callback": 0}
    finally:
        d.close()
    assert [m["text"] for m in telegram.sent] == ["Hồ sơ HN-2026-AB12 đã xử lý xong."]
    with session_scope(get_engine()) as s:
        assert outbox.pending_count(s) == 60  # the web answers wait for their inbox, untouched


def test_message_during_rasa_outage_is_answered_later(app: Flask, telegram: TelegramStandIn,
                                                      rasa: RasaStandIn) -> None:
    rasa.down = True
    assert post_update(app, tg_update(15, "ngập nước đường Nguyễn Trãi")).status_code == 200
    assert len(telegram.sent) == 1 and "đã nhận tin nhắn" in telegram.sent[0]["text"]  # a sentence, not silence
    assert post_update(app, tg_update(15, "ngập nước đường Nguyễn Trãi")).status_code == 200  # re-delivery
    rasa.down = False
    drain(Gateway(rasa.url), datetime.now(timezone.utc) + LATER)
    assert [c["message"] for c in rasa.calls] == ["ngập nước đường Nguyễn Trãi"]
    assert [m["text"] for m in telegram.sent[1:]] == ["Đã nhận: ngập nước đường Nguyễn Trãi"]
    drain(Gateway(rasa.url), datetime.now(timezone.utc) + 2 * LATER)
    assert len(rasa.calls) == 1 and len(telegram.sent) == 2  # once


def test_telegram_update_not_stored_is_refused_so_telegram_resends(app: Flask, telegram: TelegramStandIn,
                                                                   rasa: RasaStandIn,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The database is down when the update comes: a 200 would lose it, so the webhook refuses."""
    from sqlalchemy.exc import OperationalError

    real = inbound.accept

    def down(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("INSERT", {}, Exception("the database system is starting up"))

    monkeypatch.setattr(inbound, "accept", down)
    assert post_update(app, tg_update(21, "cống tràn ở ngõ 9 Hào Nam")).status_code == 503
    monkeypatch.setattr(inbound, "accept", real)
    assert post_update(app, tg_update(21, "cống tràn ở ngõ 9 Hào Nam")).status_code == 200  # Telegram re-sends
    assert [c["message"] for c in rasa.calls] == ["cống tràn ở ngõ 9 Hào Nam"]
    assert telegram.sent[-1]["text"] == "Đã nhận: cống tràn ở ngõ 9 Hào Nam"


def test_messages_queued_in_an_outage_are_answered_in_order(app: Flask, telegram: TelegramStandIn,
                                                            rasa: RasaStandIn) -> None:
    rasa.down = True
    for n, text in enumerate(["một", "hai", "ba"]):
        post_update(app, tg_update(30 + n, text))
    rasa.down = False
    post_update(app, tg_update(40, "bốn"))  # Rasa is back, but three older messages wait: this one waits too
    assert rasa.calls == []
    gateway, now = Gateway(rasa.url), datetime.now(timezone.utc) + LATER
    for _ in range(4):
        drain(gateway, now)
    assert [c["message"] for c in rasa.calls] == ["một", "hai", "ba", "bốn"]


def test_crash_between_claim_and_finish_is_replayed(channel_db: str, rasa: RasaStandIn) -> None:
    gateway = Gateway(rasa.url)
    message = Message(channel="zalo", sender_id="zalo:2468", text="cây đổ chắn đường Kim Mã")
    turn = inbound.accept(message, "msg-1")
    assert turn.owned  # … and the process dies here, before Rasa was asked
    with pytest.raises(inbound.Duplicate):
        inbound.accept(message, "msg-1")  # Zalo re-sends: stored already, not lost
    assert inbound.run_queue(gateway)["done"] == 0  # the lease still runs
    later = datetime.now(timezone.utc) + timedelta(seconds=inbound.lease_seconds() + 1)
    assert inbound.run_queue(gateway, now=later) == {"done": 1, "retry": 0, "gave_up": 0}
    assert [c["message"] for c in rasa.calls] == ["cây đổ chắn đường Kim Mã"]
    with session_scope(get_engine()) as s:
        assert [o.text for o in s.scalars(select(Outbox))] == ["Đã nhận: cây đổ chắn đường Kim Mã"]


def test_crash_after_rasa_answered_is_not_asked_twice(channel_db: str, rasa: RasaStandIn) -> None:
    """The process died after Rasa processed the turn: the replay takes the answer from the
    tracker instead of feeding the same words to the dialogue again."""
    gateway = Gateway(rasa.url)
    turn = inbound.accept(Message(channel="telegram", sender_id="telegram:77", text="đúng rồi"), 901)
    gateway.handle(turn.message)  # Rasa answered; the process died before recording it
    later = datetime.now(timezone.utc) + timedelta(seconds=inbound.lease_seconds() + 1)
    assert inbound.run_queue(gateway, now=later)["done"] == 1
    assert len(rasa.calls) == 1
    with session_scope(get_engine()) as s:
        assert [o.text for o in s.scalars(select(Outbox))] == ["Đã nhận: đúng rồi"]


def test_empty_rasa_answer_gets_a_sentence_then_the_real_answer(app: Flask, rasa: RasaStandIn,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    real = rasa.answer
    rasa.answer = lambda body: []  # the action server is down: Rasa answers []
    client = api_client(app)
    resp = client.post("/api/v1/messages", json={"sender_id": "web:w1", "text": "rác ở ngõ 5 Kim Mã",
                                                 "message_id": "m1"})
    assert resp.status_code == 202, resp.get_json()
    body = resp.get_json()
    assert body["queued"] is True and "đã nhận tin nhắn" in body["replies"][0]["text"]
    assert "113" in body["replies"][0]["text"]
    sender = body["sender_id"]
    assert rasa.events[sender][-1] == {"event": "slot", "name": "last_text", "value": None}  # the turn undone
    rasa.answer = real
    inbound.run_queue(Gateway(rasa.url), now=datetime.now(timezone.utc) + LATER)
    inbox = client.get("/api/v1/messages/inbox?sender_id=web:w1").get_json()
    assert [(m["text"], m["in_reply_to"]) for m in inbox["messages"]] == [("Đã nhận: rác ở ngõ 5 Kim Mã", "m1")]
    # a retry of the same message after a lost response is not answered twice
    again = client.post("/api/v1/messages", json={"sender_id": "web:w1", "text": "rác ở ngõ 5 Kim Mã",
                                                  "message_id": "m1"})
    assert again.status_code == 202 and again.get_json()["replies"] == []


def test_empty_answer_after_retries_is_a_sentence_in_the_citizens_language(app: Flask, rasa: RasaStandIn,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INBOUND_EMPTY_RETRIES", "1")
    rasa.answer = lambda body: []
    client = api_client(app)
    vi = client.post("/api/v1/messages", json={"sender_id": "web:w2", "text": "đèn đường hỏng"}).get_json()
    assert vi["replies"][0]["text"].startswith("Xin lỗi") and "115" in vi["replies"][0]["text"]
    en = client.post("/api/v1/messages", json={"sender_id": "web:w2", "text": "where can I buy silk please"}).get_json()
    assert en["replies"][0]["text"].startswith("Sorry") and "115 (ambulance)" in en["replies"][0]["text"]


def test_failed_commit_does_not_resend_the_batch(channel_db: str, telegram: TelegramStandIn,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(3):
        enqueue("telegram:4242", f"tin {n}", f"batch-{n}")
    from sqlalchemy.orm import Session

    real_commit, failed = Session.commit, []

    def flaky_commit(self: Session) -> None:
        if len(telegram.sent) >= 2 and not failed:  # the database drops right after the 2nd send
            failed.append(True)
            raise RuntimeError("connection lost during commit")
        real_commit(self)

    monkeypatch.setattr(Session, "commit", flaky_commit)
    d = delivery.Deliverer()
    try:
        with pytest.raises(RuntimeError):
            delivery.run_once(d)
        monkeypatch.setattr(Session, "commit", real_commit)
        later = datetime.now(timezone.utc) + LATER
        delivery.run_once(d, now=later)
        delivery.run_once(d, now=later + LATER)
    finally:
        d.close()
    texts = [m["text"] for m in telegram.sent]
    assert texts.count("tin 0") == 1 and texts.count("tin 2") == 1  # only the unconfirmed one may repeat
    assert sorted(set(texts)) == ["tin 0", "tin 1", "tin 2"]


def test_lost_inbox_response_does_not_lose_the_answer(app: Flask) -> None:
    client, inbox = api_client(app), "/api/v1/messages/inbox?sender_id=web:w3"
    enqueue("web:w3", "Phường Láng đã tiếp nhận phản ánh HN-2611-4F7K.", "answer-1")
    first = client.get(inbox).get_json()["messages"]
    assert [m["text"] for m in first] == ["Phường Láng đã tiếp nhận phản ánh HN-2611-4F7K."]
    # … that response never reached the browser: the next poll returns the answer again
    second = client.get(inbox).get_json()["messages"]
    assert [m["id"] for m in second] == [first[0]["id"]]
    ack = client.post("/api/v1/messages/inbox/ack", json={"sender_id": "web:w3", "ids": [first[0]["id"]]})
    assert ack.status_code == 200 and ack.get_json()["acknowledged"] == 1
    assert client.get(inbox).get_json()["messages"] == []
    bad = client.post("/api/v1/messages/inbox/ack", json={"sender_id": "web:w3", "ids": ["1; drop"]})
    assert bad.status_code == 400 and "ids" in bad.get_json()["error"]


def test_zalo_outage_is_queued_and_answered_later(app: Flask, rasa: RasaStandIn, monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    import json

    from bot.channels.zalo import signature

    with ZaloStandIn("app1", "sec1", "acc-0", "ref-0") as zl:
        for key, value in {"ZALO_APP_ID": "app1", "ZALO_APP_SECRET": "sec1", "ZALO_OA_SECRET_KEY": "oa1",
                           "ZALO_API_BASE_URL": zl.url, "ZALO_OAUTH_BASE_URL": zl.url,
                           "ZALO_ACCESS_TOKEN": "acc-0", "ZALO_REFRESH_TOKEN": "ref-0",
                           "ZALO_TOKEN_FILE": str(tmp_path / "z.json")}.items():
            monkeypatch.setenv(key, value)
        ts = str(int(time.time() * 1000))
        raw = json.dumps({"app_id": "app1", "event_name": "user_send_text", "timestamp": ts,
                          "sender": {"id": "555"}, "recipient": {"id": "oa"},
                          "message": {"msg_id": "z-1", "text": "nước ngập ngõ 7"}}).encode()
        headers = {"X-ZEvent-Signature": "mac=" + signature("app1", raw, ts, "oa1"),
                   "Content-Type": "application/json"}
        rasa.down = True
        assert app.test_client().post("/zalo/webhook", data=raw, headers=headers).status_code == 200
        rasa.down = False
        drain(Gateway(rasa.url), datetime.now(timezone.utc) + LATER)
        texts = [m["message"]["text"] for m in zl.sent]
    assert "đã nhận tin nhắn" in texts[0] and texts[1:] == ["Đã nhận: nước ngập ngõ 7"]
    with session_scope(get_engine()) as s:
        row = s.scalar(select(InboundUpdate).where(InboundUpdate.update_id == "z-1"))
        assert row is not None and row.status == "done" and row.payload["text"] == "nước ngập ngõ 7"


def test_emergency_number_is_sent_even_if_ticket_creation_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    import bot.actions as actions

    def broken(**_: Any) -> None:
        raise ConnectionError("database is down")

    monkeypatch.setattr(actions, "create_ticket", broken)
    selector = {"emergency": {"response": {"intent_response_key": "emergency/fire"}}}
    latest = {"text": "cháy nhà ở ngõ 5 Kim Mã", "intent": {"name": "emergency", "confidence": 0.99},
              "entities": [], "response_selector": selector}
    tracker = Tracker("web:x", {}, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(actions.ActionEmergency().run(dispatcher, tracker, {}))
    texts = [m["text"] for m in dispatcher.messages]
    assert texts[0].startswith("KHẨN CẤP: hãy gọi ngay 114")
    assert "hãy gọi ngay 114" in texts[-1] and events == []


def test_holding_sentences_name_every_emergency_hotline() -> None:
    from bot import degraded
    from feedback_router.core.catalog import catalog

    hotlines = {c.hotline for c in catalog().categories.values() if c.hotline}
    for sentence in (degraded.queued_sentence("cháy"), degraded.gave_up_sentence("fire help please")):
        assert hotlines <= {num for num, _, _ in degraded.EMERGENCY_LINES if num in sentence}


def test_purge_drops_answered_messages_only(channel_db: str) -> None:
    """Message texts are not kept for ever, but nothing still waiting for an answer is dropped."""
    from feedback_router.messaging import dedupe

    waiting = inbound.accept(Message(channel="web", sender_id="web:p1", text="ngập ở ngõ 3"), "p-1")
    assert dedupe.remember("telegram", 555)
    assert dedupe.purge(timedelta(seconds=-60)) == 1  # "older than a minute from now": both are
    with session_scope(get_engine()) as s:
        assert [r.id for r in s.scalars(select(InboundUpdate))] == [waiting.row_id]


def test_turn_without_answer_is_retried_only_when_the_actions_are_back(channel_db: str, rasa: RasaStandIn,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from scripts.procs import free_port
    from tests.channels.standins.base import StandIn, json_response

    gateway, real = Gateway(rasa.url), rasa.answer
    rasa.answer = lambda body: []  # the action server went down mid-turn
    turn = inbound.accept(Message(channel="zalo", sender_id="zalo:88", text="rác ở ngõ 8"), "z-88")
    assert inbound.answer_now(gateway, turn).queued
    rasa.answer = real
    monkeypatch.setenv("ACTION_SERVER_URL", f"http://127.0.0.1:{free_port()}/webhook")  # still starting
    later = datetime.now(timezone.utc) + LATER
    assert inbound.run_queue(gateway, now=later) == {"done": 0, "retry": 1, "gave_up": 0}
    assert len(rasa.calls) == 1  # not sent again into a half-started action server
    with StandIn(lambda req: json_response({"status": "ok"})) as actions:
        monkeypatch.setenv("ACTION_SERVER_URL", f"{actions.url}/webhook")
        assert inbound.run_queue(gateway, now=later + LATER)["done"] == 1
    assert [c["message"] for c in rasa.calls] == ["rác ở ngõ 8", "rác ở ngõ 8"]
