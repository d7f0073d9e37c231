"""A photo sent on Telegram reaches the ticket (issue 16: photos from every channel attached to
the ticket and acknowledged in the chat). The web process's python-telegram-bot Application
downloads the file from a Bot API stand-in on 127.0.0.1 (real wire protocol); real Rasa, real
actions, database of each kind."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.tickets import files as ticket_files
from feedback_router.core.db import make_engine
from feedback_router.core.models import Ticket
from tests.channels.standins.telegram_api import TelegramStandIn
from tests.conftest import Stack

TOKEN = "123456:E2E-photo_token"
SECRET = "e2e-photo-secret"
CHAT = 880001
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 4000


@pytest.fixture
def telegram_api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[TelegramStandIn]:
    """The Bot API stand-in; requested before `stack`, so the web and action processes it starts
    inherit these variables (scripts.procs.base_env copies the environment)."""
    with TelegramStandIn(TOKEN) as server:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", server.url)
        monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
        monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "uploads"))
        yield server


class Chat:
    def __init__(self, stack: Stack, api: TelegramStandIn) -> None:
        self.stack, self.api, self.update_id = stack, api, 500

    def send(self, **message: Any) -> str:
        """One update through the real webhook; the texts the bot sent back to this chat."""
        self.update_id += 1
        before = len(self.api.sent)
        body = {"update_id": self.update_id, "message": {
            "message_id": self.update_id, "date": int(time.time()),
            "from": {"id": CHAT, "is_bot": False, "first_name": "Lan", "language_code": "vi"},
            "chat": {"id": CHAT, "type": "private"}, **message}}
        resp = requests.post(f"{self.stack.web_url}/telegram/webhook", json=body, timeout=60,
                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert resp.status_code == 200, resp.text
        return "\n".join(str(m.get("text", "")) for m in self.api.sent[before:] if int(m.get("chat_id", 0)) == CHAT)


def test_telegram_photo_is_acknowledged_and_attached_to_the_ticket(telegram_api: TelegramStandIn,
                                                                    stack: Stack, tmp_path: Path) -> None:
    telegram_api.add_file("big", "photos/file_1.jpg", JPEG)
    chat = Chat(stack, telegram_api)
    photo = [{"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
             {"file_id": "big", "file_unique_id": "b", "width": 1280, "height": 960}]
    first = chat.send(photo=photo)
    assert "Đã nhận ảnh (tổng cộng 1)" in first, first
    asked = chat.send(text="Ở ngõ 12 Láng Hạ rác thải ba ngày không ai thu gom")
    assert "phường" in asked, asked
    assert "Xác nhận" in chat.send(text="phường Láng")
    done = chat.send(text="đúng rồi")
    code = re.search(r"HN-\d{4}-[0-9A-Z]{4}", done)
    assert code, done

    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as s:
            ticket = s.scalar(select(Ticket).where(Ticket.code == code.group(0)))
            assert ticket is not None
            files = ticket_files.files_of(ticket)
    finally:
        engine.dispose()
    assert len(files) == 1 and files[0].kind == "image" and files[0].mime == "image/jpeg", files
    stored = Path(files[0].path)
    assert stored.is_relative_to(tmp_path / "uploads") and stored.read_bytes() == JPEG
