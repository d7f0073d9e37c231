"""Channel tests: stand-in servers for Rasa, Telegram and Zalo; a migrated database of
each kind (SQLite, PostgreSQL) the app finds through DATABASE_URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from bot.gateway import Gateway
from feedback_router.core.db import engine_for
from tests.channels.standins.rasa_rest import RasaStandIn
from tests.channels.standins.telegram_api import TelegramStandIn

API_TOKEN = "channels-test-api-token"  # an integrator may name its own sender ids
TELEGRAM_TOKEN = "123456:TEST-token_abc"
TELEGRAM_SECRET = "s3cret-token"


@pytest.fixture
def channel_db(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("CHANNELS_ASR", "off")
    monkeypatch.setenv("CHANNELS_TTS", "off")
    monkeypatch.delenv("ACTION_SERVER_URL", raising=False)  # Rasa is a stand-in: no action server to wait for
    engine_for.cache_clear()
    yield db_url
    try:
        engine_for(db_url).dispose()
    finally:
        engine_for.cache_clear()


@pytest.fixture
def telegram(monkeypatch: pytest.MonkeyPatch) -> Iterator[TelegramStandIn]:
    """The Bot API stand-in, and the process-wide webhook bridge pointed at it."""
    from bot.channels import telegram as tg

    with TelegramStandIn(TELEGRAM_TOKEN) as server:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", server.url)
        monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", TELEGRAM_SECRET)
        tg.reset_bridge()
        yield server
        tg.reset_bridge()


@pytest.fixture
def rasa() -> Iterator[RasaStandIn]:
    with RasaStandIn() as server:
        yield server


@pytest.fixture
def app(channel_db: str, rasa: RasaStandIn) -> Flask:
    from bot.web import create_app

    return create_app({"TESTING": True, "GATEWAY": Gateway(rasa.url, timeout=10), "API_TOKENS": [API_TOKEN]})
