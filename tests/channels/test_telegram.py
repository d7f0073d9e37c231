"""Telegram through the real python-telegram-bot Application against a Bot API stand-in."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from bot.channels import telegram as tg
from tests.channels.conftest import TELEGRAM_SECRET as SECRET
from tests.channels.conftest import TELEGRAM_TOKEN as TOKEN
from tests.channels.standins.rasa_rest import RasaStandIn
from tests.channels.standins.telegram_api import TelegramStandIn

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2000
OGG = b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead" + b"\x00" * 500


def user(chat_id: int = 4242) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Lan", "language_code": "vi"}


def update(update_id: int, chat_id: int = 4242, **message: Any) -> dict[str, Any]:
    return {"update_id": update_id,
            "message": {"message_id": update_id + 10, "date": int(time.time()), "from": user(chat_id),
                        "chat": {"id": chat_id, "type": "private", "first_name": "Lan"}, **message}}


def post(app: Flask, body: dict[str, Any], secret: str = SECRET) -> Any:
    return app.test_client().post("/telegram/webhook", json=body,
                                  headers={"X-Telegram-Bot-Api-Secret-Token": secret})


def test_text_goes_through_gateway_and_reply_comes_back(app: Flask, telegram: TelegramStandIn,
                                                        rasa: RasaStandIn) -> None:
    resp = post(app, update(1, text="Đèn đường ngõ 5 Kim Mã bị hỏng"))
    assert resp.status_code == 200, resp.get_json()
    assert len(rasa.calls) == 1
    call = rasa.calls[0]
    assert call["sender"] == "telegram:4242"
    assert call["message"] == "Đèn đường ngõ 5 Kim Mã bị hỏng"
    assert call["metadata"]["channel"] == "telegram"
    assert [m["text"] for m in telegram.sent] == ["Đã nhận: Đèn đường ngõ 5 Kim Mã bị hỏng"]
    assert int(telegram.sent[0]["chat_id"]) == 4242
    assert "getMe" in telegram.calls  # Application.initialize() talked to the stand-in


def test_wrong_or_missing_secret_is_refused(app: Flask, telegram: TelegramStandIn, rasa: RasaStandIn) -> None:
    assert post(app, update(2, text="xin chào"), secret="nope").status_code == 401
    assert app.test_client().post("/telegram/webhook", json=update(3, text="x")).status_code == 401
    assert rasa.calls == [] and telegram.sent == []


def test_redelivery_storm_is_one_gateway_call(app: Flask, telegram: TelegramStandIn, rasa: RasaStandIn) -> None:
    body = update(77, text="Rác ở ngõ 12 Láng Hạ ba ngày chưa thu gom")

    def send(_: int) -> int:
        return int(post(app, body).status_code)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(send, range(1000)))
    elapsed = time.perf_counter() - started
    assert statuses == [200] * 1000
    assert len(rasa.calls) == 1
    assert len(telegram.sent) == 1
    print(f"\n1000 telegram re-deliveries: {elapsed:.2f} s, 1 gateway call, 1 reply")


def test_buttons_and_location_keyboard(app: Flask, telegram: TelegramStandIn, rasa: RasaStandIn) -> None:
    rasa.answer = lambda body: [
        {"text": "Bạn ở phường nào?", "custom": {"ask": "location"}},
        {"text": "Xác nhận?", "buttons": [{"title": "Đúng", "payload": "/affirm"},
                                          {"title": "Sai", "payload": "/deny"}]},
    ]
    post(app, update(5, text="rác"))
    ask, confirm = telegram.sent
    assert ask["reply_markup"]["keyboard"][0][0]["request_location"] is True
    assert [row[0]["callback_data"] for row in confirm["reply_markup"]["inline_keyboard"]] == ["/affirm", "/deny"]
    # the citizen taps "Đúng": the payload goes to Rasa as it is
    tap = {"update_id": 6, "callback_query": {"id": "cb1", "from": user(), "chat_instance": "ci", "data": "/affirm",
                                              "message": {"message_id": 99, "date": int(time.time()),
                                                          "chat": {"id": 4242, "type": "private"},
                                                          "text": "Xác nhận?"}}}
    assert post(app, tap).status_code == 200
    assert rasa.calls[-1]["message"] == "/affirm"


def test_location_and_commands(app: Flask, telegram: TelegramStandIn, rasa: RasaStandIn) -> None:
    post(app, update(8, location={"latitude": 21.0245, "longitude": 105.8412}))
    assert rasa.calls[-1]["message"].startswith("/share_location")
    assert rasa.calls[-1]["metadata"]["location"] == {"latitude": 21.0245, "longitude": 105.8412}
    post(app, update(9, text="/status hn-2026-ab12", entities=[{"type": "bot_command", "offset": 0, "length": 7}]))
    assert rasa.calls[-1]["message"] == '/check_status{"ticket_code": "HN-2026-AB12"}'
    post(app, update(10, text="/start", entities=[{"type": "bot_command", "offset": 0, "length": 6}]))
    assert rasa.calls[-1]["message"] == "/greet"
    calls = len(rasa.calls)
    post(app, update(11, text="/help", entities=[{"type": "bot_command", "offset": 0, "length": 5}]))
    assert len(rasa.calls) == calls and "/status" in telegram.sent[-1]["text"]


def test_photo_is_downloaded_and_attached(app: Flask, telegram: TelegramStandIn, rasa: RasaStandIn,
                                          tmp_path: Path) -> None:
    telegram.add_file("big", "photos/file_7.jpg", JPEG)
    photo = [{"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
             {"file_id": "big", "file_unique_id": "b", "width": 1280, "height": 960}]
    post(app, update(12, photo=photo, caption="Cây đổ chắn đường"))
    call = rasa.calls[-1]
    assert call["message"] == "Cây đổ chắn đường"
    [att] = call["metadata"]["attachments"]
    assert att["kind"] == "image" and att["mime"] == "image/jpeg" and att["size"] == len(JPEG)
    assert Path(att["path"]).read_bytes() == JPEG
    assert str(tmp_path / "uploads") in att["path"]


def test_voice_note_without_asr_is_kept_with_clear_reply(app: Flask, telegram: TelegramStandIn,
                                                         rasa: RasaStandIn, tmp_path: Path) -> None:
    telegram.add_file("v1", "voice/file_9.oga", OGG)
    post(app, update(13, voice={"file_id": "v1", "file_unique_id": "v", "duration": 3, "mime_type": "audio/ogg"}))
    assert rasa.calls == []
    assert "tin nhắn thoại" in telegram.sent[-1]["text"]
    stored = list((tmp_path / "uploads" / "telegram").rglob("*.ogg"))
    assert len(stored) == 1 and stored[0].read_bytes() == OGG


def test_voice_note_transcribed_when_asr_available(app: Flask, telegram: TelegramStandIn, rasa: RasaStandIn,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.channels.attachments.transcribe", lambda path: "nước ngập đường Nguyễn Trãi")
    telegram.add_file("v2", "voice/file_10.oga", OGG)
    post(app, update(14, voice={"file_id": "v2", "file_unique_id": "v2", "duration": 2, "mime_type": "audio/ogg"}))
    assert rasa.calls[-1]["message"] == "nước ngập đường Nguyễn Trãi"
    assert rasa.calls[-1]["metadata"]["attachments"][0]["kind"] == "audio"


def test_polling_mode_uses_get_updates(channel_db: str, telegram: TelegramStandIn, rasa: RasaStandIn) -> None:
    import asyncio

    from bot.gateway import Gateway

    telegram.updates.append(update(501, text="xin chào"))
    telegram.updates.append(update(501, text="xin chào"))  # a duplicate in the batch

    async def run() -> None:
        app = tg.build_application(TOKEN, Gateway(rasa.url), telegram.url)
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.05, timeout=0)
            for _ in range(100):
                if telegram.sent:
                    break
                await asyncio.sleep(0.05)
            await app.updater.stop()
            await app.stop()

    asyncio.run(run())
    assert len(rasa.calls) == 1
    assert telegram.sent[0]["text"] == "Đã nhận: xin chào"
