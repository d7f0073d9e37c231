"""Bad input to the chat API gets a clear 4xx and never reaches the assistant."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from bot.gateway import Gateway
from bot.web import create_app
from scripts.procs import free_port


@pytest.fixture
def client() -> FlaskClient:
    # A gateway pointing at a port where nothing listens: any request that got
    # past validation would surface as 503, so a 400 proves validation stopped it.
    app = create_app({"GATEWAY": Gateway(f"http://127.0.0.1:{free_port()}", timeout=2)})
    return app.test_client()


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"", "empty body"),
        (b"{not json", "malformed JSON"),
        (b"\xff\xfe\x00broken", "not valid UTF-8"),
        (b"[1, 2]", "must be an object"),
        (b'{"text": "   "}', "empty"),
        (b'{"text": 42}', "must be a string"),
        (b'{"text": "' + b"a" * 5001 + b'"}', "too long"),
        (b'{"text": "hi", "channel": "telegram"}', "channel"),
        (b'{"text": "", "location": {"latitude": 200, "longitude": 1}}', "coordinates"),
        (b'{"text": "", "location": "Hanoi"}', "location"),
    ],
)
def test_bad_input_is_rejected_clearly(client: FlaskClient, body: bytes, needle: str) -> None:
    resp = client.post("/api/v1/messages", data=body, content_type="application/json")
    assert resp.status_code == 400
    assert needle in resp.get_json()["error"]


def test_huge_body_is_413(client: FlaskClient) -> None:
    resp = client.post("/api/v1/messages", data=b"x" * 200_000, content_type="application/json")
    assert resp.status_code == 413
    assert "too large" in resp.get_json()["error"]


def test_assistant_down_is_queued_not_crash(client: FlaskClient, db_url_sqlite: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Rasa unreachable: the message is stored (issue 14) and the citizen gets a sentence."""
    from feedback_router.core.db import engine_for

    monkeypatch.setenv("DATABASE_URL", db_url_sqlite)
    engine_for.cache_clear()
    resp = client.post("/api/v1/messages", json={"text": "xin chào"})
    engine_for.cache_clear()
    assert resp.status_code == 202 and resp.get_json()["queued"] is True
    assert "đã nhận tin nhắn" in resp.get_json()["replies"][0]["text"]


def test_chat_page_is_vietnamese(client: FlaskClient) -> None:
    resp = client.get("/")
    assert resp.status_code == 200
    assert "Trợ lý Hà Nội" in resp.get_data(as_text=True)
