"""Uploads and synthesized speech in the shared file store (issue 15, part 4:
feedback_router.messaging.blobs): what one web replica stored, another one serves.

The two-replica test runs two real web processes on one PostgreSQL database, each with its
own empty UPLOAD_DIR (as on two hosts), with BLOB_STORE=database: a photo sent to A is shown
to staff by B, and the speech of a device reply synthesized by A is downloaded from B.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from bot.channels import attachments
from feedback_router.core.db import engine_for, make_engine, session_scope
from feedback_router.core.models import Ticket
from feedback_router.messaging import blobs
from feedback_router.messaging.devices import sign
from feedback_router.staff.auth import create_user
from feedback_router.tickets import files as ticket_files
from feedback_router.tickets.service import create_ticket
from nlu import clock, gazetteer
from scripts import procs
from tests.channels.standins.rasa_rest import RasaStandIn
from tests.components import require_executable

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x01" * 200
ADMIN, PASSWORD = "admin-token-for-replicas", "mat-khau-thu-nghiem"


@pytest.fixture
def files_env(channel_db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "uploads"))
    return channel_db


@pytest.mark.parametrize("backend", ["directory", "database"])
def test_a_stored_file_reads_back_by_its_reference(files_env: str, backend: str,
                                                   monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BLOB_STORE", backend)
    att = attachments.store_bytes("web", PNG, kind="image", suffix=".png", mime="image/png")
    if backend == "database":
        assert re.fullmatch(r"db:web/\d{4}-\d\d-\d\d/[0-9a-f]{32}\.png", att.path), att.path
        assert not (tmp_path / "uploads").exists()  # nothing on this host's disk
    else:
        assert Path(att.path).read_bytes() == PNG and Path(att.path).is_relative_to(tmp_path / "uploads")
    assert blobs.read(att.path) == PNG and att.size == len(PNG)
    monkeypatch.setenv("BLOB_STORE", "directory" if backend == "database" else "database")
    assert blobs.read(att.path) == PNG  # a reference names its store: switching strands nothing


def test_references_never_leave_the_store(files_env: str, tmp_path: Path) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes(PNG)
    assert blobs.read(str(outside)) is None
    assert blobs.read(str(tmp_path / "uploads" / ".." / "secret.png")) is None
    for bad in ("db:../x", "db:", "db:web/../../etc/passwd", "", "db:/abs/x.png"):
        assert blobs.read(bad) is None, bad
    with pytest.raises(ValueError):
        blobs.DatabaseStore().put("web/../x.png", PNG)


def test_retention_of_database_files(files_env: str) -> None:
    store = blobs.DatabaseStore()
    store.put("web/2026-01-01/old.png", PNG)
    cutoff = clock.now() + timedelta(seconds=1)
    store.put("web/2026-01-01/new.png", PNG)
    with session_scope(store.engine) as session:
        session.execute(blobs.Blob.__table__.update().where(blobs.Blob.key == "web/2026-01-01/new.png")
                        .values(created_at=cutoff + timedelta(days=1)))
    assert store.purge_before(cutoff) == 1
    assert store.get("web/2026-01-01/old.png") is None and store.get("web/2026-01-01/new.png") == PNG


# ---- two real web processes ------------------------------------------------------------------

@dataclass
class Replicas:
    a: str
    b: str
    database_url: str
    rasa: RasaStandIn


@pytest.fixture
def replicas(db_url_postgresql: str, tmp_path: Path) -> Iterator[Replicas]:
    with RasaStandIn() as rasa:
        urls, ports = [], [procs.free_port(), procs.free_port()]
        env = procs.base_env(DATABASE_URL=db_url_postgresql, RASA_URL=rasa.url, BLOB_STORE="database",
                             DEVICE_ADMIN_TOKEN=ADMIN, CHANNELS_ASR="off", CHANNELS_TTS="auto")
        env.pop("ACTION_SERVER_URL", None)  # Rasa is a stand-in: no action server to wait for
        envs = [{**env, "WEB_PORT": str(port), "UPLOAD_DIR": str(tmp_path / name / "uploads")}
                for name, port in zip("ab", ports, strict=True)]
        with procs.running(procs.web_cmd(), envs[0], f"http://127.0.0.1:{ports[0]}/healthz", tmp_path / "a.log",
                           timeout=90), \
             procs.running(procs.web_cmd(), envs[1], f"http://127.0.0.1:{ports[1]}/healthz", tmp_path / "b.log",
                           timeout=90):
            urls = [f"http://127.0.0.1:{port}" for port in ports]
            yield Replicas(urls[0], urls[1], db_url_postgresql, rasa)
    assert not list((tmp_path / "a").rglob("*.png")) and not list((tmp_path / "b").rglob("*.wav"))


def _login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/dashboard/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    resp = session.post(f"{base}/dashboard/login", data={"username": username, "password": PASSWORD,
                                                         "csrf_token": token}, allow_redirects=False, timeout=10)
    assert resp.status_code == 302, resp.text
    return session


def test_a_photo_stored_by_one_replica_is_served_by_the_other(replicas: Replicas) -> None:
    resp = requests.post(f"{replicas.a}/api/v1/uploads", headers=procs.API_HEADERS, timeout=30,
                         data={"sender_id": "replica-citizen", "text": "Rác ở ngõ 12 Láng Hạ",
                               "message_id": uuid.uuid4().hex},
                         files={"photo": ("p.png", PNG, "image/png")})
    assert resp.status_code == 200, resp.text
    [att] = replicas.rasa.calls[-1]["metadata"]["attachments"]
    assert att["path"].startswith("db:web/")
    ward = gazetteer.find_ward("phường Láng")
    assert ward is not None
    engine = make_engine(replicas.database_url)
    try:
        with session_scope(engine) as s:
            create_user(s, "op_lang", PASSWORD, "operator", ward.unit_id)
        receipt = create_ticket(category="waste", description="Rác ở ngõ 12 Láng Hạ", sender_id="web:replica-citizen",
                                ward_unit_id=ward.unit_id, engine=engine, attachments=[att])
        with session_scope(engine) as s:
            [item] = ticket_files.files_of(s.scalar(select(Ticket).where(Ticket.code == receipt.code)))
    finally:
        engine.dispose()
    url = f"/dashboard/t/{receipt.code}/files/{item.event_id}"
    for base in (replicas.b, replicas.a):  # B never saw the upload: it reads the database
        got = _login(base, "op_lang").get(base + url, timeout=10)
        assert got.status_code == 200 and got.content == PNG and got.headers["Content-Type"] == "image/png"


@pytest.mark.real_clock  # devices sign with the wall clock, which the web process checks
def test_speech_synthesized_by_one_replica_is_served_by_the_other(replicas: Replicas) -> None:
    require_executable("espeak-ng", "espeak-ng", "apt-get install espeak-ng")
    device = {"device_id": "hh-replica", "household_code": "HK-1", "address": "Số 12 ngõ 5 Láng Hạ"}
    resp = requests.post(f"{replicas.a}/device/v1/devices", json=device, timeout=10,
                         headers={"Authorization": f"Bearer {ADMIN}"})
    assert resp.status_code == 201, resp.text
    secret, body = resp.json()["secret"], json.dumps({"text": "Đèn đường hỏng"}).encode()
    ts, nonce = str(int(time.time())), uuid.uuid4().hex
    headers = {"X-Device-Id": "hh-replica", "X-Timestamp": ts, "X-Nonce": nonce, "Content-Type": "application/json",
               "X-Signature": sign(secret, "POST", "/device/v1/messages", ts, nonce, body)}
    answer = requests.post(f"{replicas.a}/device/v1/messages", data=body, headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    speech_url = answer.json()["replies"][0]["speech_url"]
    wav = requests.get(replicas.b + speech_url, timeout=10)
    assert wav.status_code == 200 and wav.content[:4] == b"RIFF" and len(wav.content) > 1000
    assert wav.headers["Content-Type"] == "audio/wav"
    missing = requests.get(f"{replicas.b}/device/v1/speech/{uuid.uuid4().hex}.wav", timeout=10)
    assert missing.status_code == 404


@pytest.fixture(autouse=True)
def _fresh_engines() -> Iterator[None]:
    engine_for.cache_clear()
    yield
    engine_for.cache_clear()
