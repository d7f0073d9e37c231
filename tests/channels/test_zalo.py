"""Zalo OA webhook (signature, staleness, dedupe, event kinds) and the OA API client
(message v3, token refresh on -216) against a stand-in."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from bot.channels.zalo import ZaloClient, ZaloError, ZaloSettings
from bot.message import Reply
from tests.channels.standins.rasa_rest import RasaStandIn
from tests.channels.standins.zalo_api import ZaloStandIn

APP_ID, APP_SECRET, OA_SECRET = "3608465249", "app-secret", "oa-secret-key"
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 1500


@pytest.fixture
def zalo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ZaloStandIn]:
    with ZaloStandIn(APP_ID, APP_SECRET, "acc-0", "ref-0") as server:
        for key, value in {"ZALO_APP_ID": APP_ID, "ZALO_APP_SECRET": APP_SECRET, "ZALO_OA_SECRET_KEY": OA_SECRET,
                           "ZALO_API_BASE_URL": server.url, "ZALO_OAUTH_BASE_URL": server.url,
                           "ZALO_ACCESS_TOKEN": "acc-0", "ZALO_REFRESH_TOKEN": "ref-0",
                           "ZALO_TOKEN_FILE": str(tmp_path / "zalo_tokens.json")}.items():
            monkeypatch.setenv(key, value)
        yield server


def event(name: str, message: dict[str, Any] | None = None, user: str = "2468458835", ts: float | None = None,
          **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"app_id": APP_ID, "user_id_by_app": "5521772797", "event_name": name,
                            "timestamp": str(int((ts or time.time()) * 1000)), **extra}
    if message is not None:
        body.update(sender={"id": user}, recipient={"id": "388613280878808645"}, message=message)
    return body


def deliver(app: Flask, body: dict[str, Any], secret: str = OA_SECRET, app_id: str = APP_ID) -> Any:
    raw = json.dumps(body, ensure_ascii=False)
    mac = hashlib.sha256(f"{app_id}{raw}{body['timestamp']}{secret}".encode()).hexdigest()
    return app.test_client().post("/zalo/webhook", data=raw.encode(),
                                  headers={"Content-Type": "application/json", "X-ZEvent-Signature": f"mac={mac}"})


def test_text_event_is_answered_through_message_api(app: Flask, zalo: ZaloStandIn, rasa: RasaStandIn) -> None:
    resp = deliver(app, event("user_send_text", {"text": "Cống thoát nước bị tắc", "msg_id": "a1"}))
    assert resp.status_code == 200, resp.get_json()
    assert rasa.calls[0]["sender"] == "zalo:2468458835"
    assert zalo.sent == [{"recipient": {"user_id": "2468458835"},
                          "message": {"text": "Đã nhận: Cống thoát nước bị tắc"}}]


def test_forged_and_stale_events_are_refused(app: Flask, zalo: ZaloStandIn, rasa: RasaStandIn) -> None:
    body = event("user_send_text", {"text": "giả mạo", "msg_id": "f1"})
    assert deliver(app, body, secret="wrong").status_code == 401
    raw = json.dumps(body).encode()
    assert app.test_client().post("/zalo/webhook", data=raw).status_code == 401  # no header
    tampered = dict(body, message={"text": "sửa", "msg_id": "f1"})
    mac = hashlib.sha256(f"{APP_ID}{json.dumps(body)}{body['timestamp']}{OA_SECRET}".encode()).hexdigest()
    assert app.test_client().post("/zalo/webhook", data=json.dumps(tampered),
                                  headers={"X-ZEvent-Signature": f"mac={mac}"}).status_code == 401
    stale = event("user_send_text", {"text": "cũ", "msg_id": "s1"}, ts=time.time() - 6 * 60)
    assert deliver(app, stale).status_code == 401
    assert rasa.calls == [] and zalo.sent == []


def test_redelivery_storm_is_one_gateway_call(app: Flask, zalo: ZaloStandIn, rasa: RasaStandIn) -> None:
    body = event("user_send_text", {"text": "Đường Giải Phóng ổ gà rất nguy hiểm", "msg_id": "storm-1"})
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda _: deliver(app, body).status_code, range(1000)))
    elapsed = time.perf_counter() - started
    assert statuses == [200] * 1000
    assert len(rasa.calls) == 1 and len(zalo.sent) == 1
    print(f"\n1000 zalo re-deliveries: {elapsed:.2f} s, 1 gateway call, 1 reply")


def test_location_image_follow_unfollow(app: Flask, zalo: ZaloStandIn, rasa: RasaStandIn) -> None:
    loc = {"msg_id": "l1", "text": "https://maps.google.com/?q=21.0,105.8",
           "attachments": [{"type": "location", "payload": {"coordinates": {"latitude": "21.0278",
                                                                             "longitude": "105.8342"}}}]}
    deliver(app, event("user_send_location", loc))
    assert rasa.calls[-1]["metadata"]["location"] == {"latitude": 21.0278, "longitude": 105.8342}
    assert rasa.calls[-1]["message"].startswith("/share_location")
    zalo.media["p1.jpg"] = JPEG
    img = {"msg_id": "i1", "text": "ảnh hiện trường",
           "attachments": [{"type": "image", "payload": {"thumbnail": f"{zalo.url}/media/p1.jpg",
                                                         "url": f"{zalo.url}/media/p1.jpg"}}]}
    deliver(app, event("user_send_image", img))
    [att] = rasa.calls[-1]["metadata"]["attachments"]
    assert att["kind"] == "image" and Path(att["path"]).read_bytes() == JPEG
    follow = event("follow", None, oa_id="3886", follower={"id": "99"}, source="oa_profile")
    deliver(app, follow)
    assert rasa.calls[-1] == {**rasa.calls[-1], "sender": "zalo:99", "message": "/greet"}
    n = len(rasa.calls)
    assert deliver(app, event("unfollow", None, oa_id="3886", follower={"id": "99"})).status_code == 200
    assert len(rasa.calls) == n


def test_expired_token_is_refreshed_once_and_saved(zalo: ZaloStandIn, channel_db: str) -> None:
    client = ZaloClient(ZaloSettings.from_env())
    assert client.send_text("1", "một")
    zalo.expire()  # the OA API now answers -216 for the old token
    assert client.send_text("1", "hai")
    assert zalo.refreshes == 1 and [m["message"]["text"] for m in zalo.sent] == ["một", "hai"]
    saved = client.tokens.current()  # in the database, for every replica (messaging.zalo_tokens)
    assert saved.access_token == "acc-1" and saved.refresh_token == "ref-1" and saved.version == 1
    # a second client (another process) reads the new pair instead of reusing the spent refresh token
    assert ZaloClient(ZaloSettings.from_env()).send_text("1", "ba")
    assert zalo.refreshes == 1


def test_outage_raises_retryable_error(zalo: ZaloStandIn, channel_db: str) -> None:
    zalo.down = True
    with pytest.raises(ZaloError) as err:
        ZaloClient(ZaloSettings.from_env()).send_reply("1", Reply(text="x"))
    assert err.value.retryable
