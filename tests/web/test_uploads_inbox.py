"""Web chat extras over the Flask test client: photo upload checks and the inbox of
answers from units (outbox rows for channel "web"), on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from bot.message import Message, Reply
from bot.web import create_app
from feedback_router.core import db
from feedback_router.core.models import Contact
from feedback_router.messaging.models import Outbox
from feedback_router.messaging.outbox import enqueue

API_TOKEN = "test-api-token"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64


class FakeGateway:
    def __init__(self) -> None:
        self.seen: list[Message] = []

    def handle(self, message: Message) -> list[Reply]:
        self.seen.append(message)
        return [Reply("Đã nhận ảnh của bạn.")]


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
def client(gateway: FakeGateway, db_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    # Every chat turn is stored in the inbound queue first (issue 14): a migrated database.
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "uploads"))
    client = create_app({"GATEWAY": gateway, "TESTING": True, "API_TOKENS": API_TOKEN}).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {API_TOKEN}"  # an integrator may name sender_id
    return client


def _upload(client: FlaskClient, data: bytes | None, name: str = "p.png", **form: str):  # type: ignore[no-untyped-def]
    fields: dict = {"sender_id": "abc", **form}
    if data is not None:
        fields["photo"] = (io.BytesIO(data), name)
    return client.post("/api/v1/uploads", data=fields, content_type="multipart/form-data")


@pytest.mark.parametrize(("data", "mime"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")])
def test_photo_is_stored_and_forwarded(client: FlaskClient, gateway: FakeGateway, tmp_path: Path,
                                       data: bytes, mime: str) -> None:
    resp = _upload(client, data, text="Rác ở ngõ 12")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["sender_id"] == "web:abc" and body["replies"] == [{"text": "Đã nhận ảnh của bạn."}]
    (msg,) = gateway.seen
    assert msg.channel == "web" and msg.sender_id == "web:abc" and msg.text == "Rác ở ngõ 12"
    (att,) = msg.attachments
    assert att.kind == "image" and att.mime == mime and att.size == len(data)
    path = Path(att.path)
    assert path.read_bytes() == data
    assert (tmp_path / "uploads") in path.parents and "p.png" not in path.name  # random name


def test_wrong_type_is_415(client: FlaskClient, gateway: FakeGateway, tmp_path: Path) -> None:
    resp = _upload(client, b"GIF89a" + b"\x00" * 64, name="x.png")   # extension lies; bytes decide
    assert resp.status_code == 415
    err = resp.get_json()["error"]
    assert "JPEG, PNG" in err and "unsupported" in err
    assert _upload(client, b"%PDF-1.7 hello", name="x.jpg").status_code == 415
    assert gateway.seen == [] and not (tmp_path / "uploads").exists()


def test_too_big_is_413(client: FlaskClient, gateway: FakeGateway) -> None:
    resp = _upload(client, PNG + b"\x00" * (5 * 1024 * 1024))
    assert resp.status_code == 413
    assert "too large" in resp.get_json()["error"]
    resp = _upload(client, PNG + b"\x00" * (8 * 1024 * 1024))   # beyond the whole-request limit
    assert resp.status_code == 413
    assert gateway.seen == []


def test_missing_fields_are_400(client: FlaskClient, gateway: FakeGateway) -> None:
    resp = _upload(client, None)
    assert resp.status_code == 400 and "photo" in resp.get_json()["error"]
    resp = client.post("/api/v1/uploads", data={"photo": (io.BytesIO(PNG), "p.png"), "sender_id": "abc"},
                       content_type="multipart/form-data", headers={"Authorization": ""})
    assert resp.status_code == 401 and "sender_id" in resp.get_json()["error"]  # naming someone needs a token
    resp = _upload(client, b"")
    assert resp.status_code == 400
    assert gateway.seen == []


def test_gateway_down_is_queued(db_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.gateway import Gateway
    from scripts.procs import free_port

    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path))
    app = create_app({"GATEWAY": Gateway(f"http://127.0.0.1:{free_port()}", timeout=2), "API_TOKENS": API_TOKEN})
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {API_TOKEN}"
    resp = _upload(client, PNG)
    assert resp.status_code == 202 and resp.get_json()["queued"] is True  # stored, answered later (issue 14)


@pytest.fixture
def db_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    db.engine_for.cache_clear()
    try:
        yield db_url
    finally:
        db.get_engine().dispose()
        db.engine_for.cache_clear()


def _queue(sender: str, text: str, key: str) -> None:
    with db.session_scope() as s:
        contact = s.scalar(select(Contact).where(Contact.sender_id == sender))
        if contact is None:
            contact = Contact(channel=sender.split(":", 1)[0], sender_id=sender)
            s.add(contact)
            s.flush()
        enqueue(s, contact=contact, text=text, dedupe_key=key)


def test_inbox_delivers_each_answer_once(db_env: str, client: FlaskClient) -> None:
    _queue("web:abc", "Phường Láng đã tiếp nhận phản ánh HN-2611-4F7K.", "k1")
    _queue("web:abc", "Đội vệ sinh sẽ thu gom trong hôm nay.", "k2")
    _queue("web:other", "Không phải của bạn.", "k3")
    _queue("telegram:abc", "Kênh khác.", "k4")

    resp = client.get("/api/v1/messages/inbox?sender_id=web:abc")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["sender_id"] == "web:abc"
    assert [m["text"] for m in body["messages"]] == [
        "Phường Láng đã tiếp nhận phản ánh HN-2611-4F7K.", "Đội vệ sinh sẽ thu gom trong hôm nay."]

    again = client.get("/api/v1/messages/inbox?sender_id=abc")   # same user, unprefixed id
    assert [m["id"] for m in again.get_json()["messages"]] == [m["id"] for m in body["messages"]]  # not acked yet
    ack = client.post("/api/v1/messages/inbox/ack", json={"sender_id": "web:abc",
                                                          "ids": [m["id"] for m in body["messages"]]})
    assert ack.get_json()["acknowledged"] == 2
    assert client.get("/api/v1/messages/inbox?sender_id=abc").get_json()["messages"] == []

    with db.session_scope() as s:
        rows = {r.dedupe_key: r for r in s.scalars(select(Outbox))}
    assert rows["k1"].status == "sent" and rows["k2"].status == "sent" and rows["k1"].sent_at is not None
    assert rows["k3"].status == "pending" and rows["k4"].status == "pending"


def test_inbox_is_the_cookie_identitys(db_env: str, client: FlaskClient) -> None:
    """Without a named sender the inbox is the browser's own (server-issued cookie); naming
    someone else's needs an API token (issue 14)."""
    anonymous = {"Authorization": ""}
    assert client.get("/api/v1/messages/inbox", headers=anonymous).get_json()["sender_id"].startswith("web:")
    assert client.get("/api/v1/messages/inbox?sender_id=web:abc", headers=anonymous).status_code == 401
