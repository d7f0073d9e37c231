"""Household device API: registration, HMAC auth (bad signature, stale, replayed nonce),
text/audio/photo with size and format limits, announcements with a since-cursor."""

from __future__ import annotations

import json
import struct
import time
import uuid
from typing import Any

import pytest
from flask import Flask

from feedback_router.messaging.devices import sign
from tests.channels.standins.rasa_rest import RasaStandIn

ADMIN = "admin-token-for-tests"


def wav(seconds: float = 0.2, rate: int = 16000) -> bytes:
    pcm = b"\x00\x00" * int(seconds * rate)
    return (b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate,
            rate * 2, 2, 16) + b"data" + struct.pack("<I", len(pcm)) + pcm)


@pytest.fixture
def dev(app: Flask, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("DEVICE_ADMIN_TOKEN", ADMIN)
    monkeypatch.setenv("DEVICE_MAX_AUDIO_BYTES", str(200_000))
    monkeypatch.setenv("DEVICE_MAX_PHOTO_BYTES", str(100_000))
    body = {"device_id": "hh-0001", "household_code": "HK-LANG-12", "address": "Số 12 ngõ 5 Láng Hạ",
            "ward_unit_id": "ward_lang", "latitude": 21.0166, "longitude": 105.8133}
    resp = app.test_client().post("/device/v1/devices", json=body, headers={"Authorization": f"Bearer {ADMIN}"})
    assert resp.status_code == 201, resp.get_json()
    return {**body, "secret": resp.get_json()["secret"]}


def call(app: Flask, dev: dict[str, Any], method: str, path: str, body: bytes = b"", *,
         ctype: str = "application/json", ts: int | None = None, nonce: str | None = None,
         secret: str | None = None, extra: dict[str, str] | None = None) -> Any:
    ts_s, nonce = str(ts or int(time.time())), nonce or uuid.uuid4().hex
    sig = sign(secret or dev["secret"], method, path, ts_s, nonce, body)
    headers = {"X-Device-Id": dev["device_id"], "X-Timestamp": ts_s, "X-Nonce": nonce, "X-Signature": sig,
               "Content-Type": ctype, **(extra or {})}
    return app.test_client().open(path, method=method, data=body, headers=headers)


def say(app: Flask, dev: dict[str, Any], text: str, **kw: Any) -> Any:
    return call(app, dev, "POST", "/device/v1/messages", json.dumps({"text": text}).encode(), **kw)


def test_registration_needs_admin_and_unique_id(app: Flask, dev: dict[str, Any]) -> None:
    c = app.test_client()
    assert c.post("/device/v1/devices", json={"device_id": "x"}).status_code == 401
    again = c.post("/device/v1/devices", json={k: v for k, v in dev.items() if k != "secret"},
                   headers={"Authorization": f"Bearer {ADMIN}"})
    assert again.status_code == 409


def test_text_report_carries_household_address(app: Flask, dev: dict[str, Any], rasa: RasaStandIn) -> None:
    resp = say(app, dev, "Đèn đường trước nhà bị hỏng")
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["replies"][0]["text"] == "Đã nhận: Đèn đường trước nhà bị hỏng"
    call_ = rasa.calls[0]
    assert call_["sender"] == "device:hh-0001"
    assert call_["metadata"]["device"]["address"] == "Số 12 ngõ 5 Láng Hạ"
    assert call_["metadata"]["location"] == {"latitude": 21.0166, "longitude": 105.8133}


def test_auth_failures(app: Flask, dev: dict[str, Any], rasa: RasaStandIn) -> None:
    assert say(app, dev, "x", secret="wrong").status_code == 401
    assert say(app, dev, "x", ts=int(time.time()) - 600).status_code == 401
    resp = app.test_client().post("/device/v1/messages", json={"text": "x"})
    assert resp.status_code == 401 and "X-Signature" in resp.get_json()["error"]
    assert say(app, {**dev, "device_id": "ghost"}, "x").status_code == 401
    assert say(app, dev, "xin chào", nonce="n-1").status_code == 200
    replay = say(app, dev, "xin chào", nonce="n-1")
    assert replay.status_code == 401 and "lặp" in replay.get_json()["error"]
    assert len(rasa.calls) == 1


def test_audio_limits_and_formats(app: Flask, dev: dict[str, Any], rasa: RasaStandIn,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    big = call(app, dev, "POST", "/device/v1/audio", wav(7.0), ctype="audio/wav")
    assert big.status_code == 413 and "quá lớn" in big.get_json()["error"]
    pdf = call(app, dev, "POST", "/device/v1/audio", b"%PDF-1.7 not audio" * 10, ctype="audio/wav")
    assert pdf.status_code == 415 and "WAV" in pdf.get_json()["error"]
    empty = call(app, dev, "POST", "/device/v1/audio", b"", ctype="audio/wav")
    assert empty.status_code == 400
    unheard = call(app, dev, "POST", "/device/v1/audio", wav(), ctype="audio/wav")
    assert unheard.status_code == 200 and unheard.get_json()["transcript"] is None and rasa.calls == []
    monkeypatch.setattr("bot.channels.attachments.transcribe", lambda path: "cống bị tắc")
    heard = call(app, dev, "POST", "/device/v1/audio", wav(), ctype="audio/wav")
    assert heard.status_code == 200 and heard.get_json()["transcript"] == "cống bị tắc"
    assert rasa.calls[-1]["message"] == "cống bị tắc"
    assert rasa.calls[-1]["metadata"]["attachments"][0]["mime"] == "audio/wav"


def test_photo_limits_and_caption(app: Flask, dev: dict[str, Any], rasa: RasaStandIn) -> None:
    jpeg = b"\xff\xd8\xff\xe0" + b"\x02" * 5000
    assert call(app, dev, "POST", "/device/v1/photo", jpeg + b"\x00" * 100_000,
                ctype="image/jpeg").status_code == 413
    assert call(app, dev, "POST", "/device/v1/photo", b"GIF-but-not" * 20, ctype="image/jpeg").status_code == 415
    ok = call(app, dev, "POST", "/device/v1/photo?caption=c%C3%A2y%20%C4%91%E1%BB%95", jpeg, ctype="image/jpeg")
    assert ok.status_code == 200, ok.get_json()
    assert rasa.calls[-1]["message"] == "cây đổ"
    assert rasa.calls[-1]["metadata"]["attachments"][0]["kind"] == "image"


def test_same_message_id_is_processed_once(app: Flask, dev: dict[str, Any], rasa: RasaStandIn) -> None:
    for _ in range(5):
        resp = say(app, dev, "rác chưa thu gom", extra={"X-Message-Id": "msg-1"})
        assert resp.status_code == 200
    assert len(rasa.calls) == 1


def test_announcements_poll_with_cursor(app: Flask, dev: dict[str, Any]) -> None:
    admin = {"Authorization": f"Bearer {ADMIN}"}
    c = app.test_client()
    assert c.post("/device/v1/announcements", json={"ward_unit_id": "ward_lang", "text": "x"}).status_code == 401
    a1 = c.post("/device/v1/announcements", json={"ward_unit_id": "ward_lang", "text": "Cắt nước 8h–12h"},
                headers=admin).get_json()["id"]
    c.post("/device/v1/announcements", json={"ward_unit_id": "ward_other", "text": "không phải phường này"},
           headers=admin)
    first = call(app, dev, "GET", "/device/v1/announcements?since=0").get_json()
    assert [i["text"] for i in first["items"]] == ["Cắt nước 8h–12h"] and first["next"] == a1
    again = call(app, dev, "GET", f"/device/v1/announcements?since={first['next']}").get_json()
    assert again == {"items": [], "next": a1}
