"""At rest (issue 14): denunciation calls sealed with the denunciation key, recordings and
uploads purged after RETENTION_DAYS with a log line per file."""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.hotline import on_call_end
from feedback_router.civic.at_rest import main, open_sealed, purge_expired
from feedback_router.core.db import make_engine, session_scope
from feedback_router.messaging.blobs import Blob
from nlu import clock
from voice.call_record import CallRecord, Turn

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=timezone.utc)


def _call(tmp_path: Path, words: str) -> CallRecord:
    wav = tmp_path / "rec" / "20261204" / "090000-abc.wav"
    wav.parent.mkdir(parents=True)
    wav.write_bytes(b"RIFF-fake-audio-of-the-caller")
    record = CallRecord(uuid="abc", caller="0912345678", sender_id="hotline:abc", started_at=NOW, duration=30.0,
                        turns=[Turn("caller", words, 1.0)], recording_path=wav)
    record.save_transcript()
    return record


def test_denunciation_call_is_sealed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url_sqlite: str) -> None:
    """Old code left the recording and transcript as plain files (fails on old code)."""
    monkeypatch.setenv("DENOUNCE_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("DATABASE_URL", db_url_sqlite)
    record = _call(tmp_path, "Tôi muốn tố cáo cán bộ phường nhận tiền, tôi tên Lan")
    on_call_end(record)
    wav, js = record.recording_path, record.recording_path.with_suffix(".json")
    assert not wav.exists() and not js.exists()
    sealed_wav, sealed_js = wav.with_name(wav.name + ".sealed"), js.with_name(js.name + ".sealed")
    assert b"Lan" not in sealed_js.read_bytes() and b"RIFF" not in sealed_wav.read_bytes()
    assert open_sealed(sealed_wav) == b"RIFF-fake-audio-of-the-caller"
    assert "tôi tên Lan" in open_sealed(sealed_js).decode()


def test_ordinary_call_stays_readable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url_sqlite: str) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url_sqlite)
    record = _call(tmp_path, "Rác ở ngõ 12 Láng Hạ")
    on_call_end(record)
    assert record.recording_path.exists()


def test_retention_purges_old_files_and_logs_them(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Old code kept recordings and uploads forever (fails on old code)."""
    uploads, recordings = tmp_path / "uploads", tmp_path / "recordings"
    old_photo, new_photo = uploads / "web" / "old.jpg", uploads / "web" / "new.jpg"
    old_call = recordings / "20260801" / "x.wav.sealed"
    for path in (old_photo, new_photo, old_call):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    for path, age in ((old_photo, 91), (new_photo, 89), (old_call, 120)):
        stamp = (NOW - timedelta(days=age)).timestamp()
        os.utime(path, (stamp, stamp))
    with caplog.at_level(logging.INFO, logger="feedback_router.civic.at_rest"):
        purged = purge_expired([uploads, recordings, tmp_path / "missing"], 90, NOW)
    assert sorted(purged) == sorted([old_photo, old_call])
    assert not old_photo.exists() and not old_call.exists() and new_photo.exists()
    assert f"purged {old_photo}" in caplog.text


def test_retention_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url_sqlite: str) -> None:
    photo = tmp_path / "u" / "p.jpg"
    photo.parent.mkdir()
    photo.write_bytes(b"x")
    stamp = (clock.now() - timedelta(days=400)).timestamp()
    os.utime(photo, (stamp, stamp))
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "u"))
    monkeypatch.setenv("VOICE_RECORDINGS_DIR", str(tmp_path / "r"))
    monkeypatch.setenv("DATABASE_URL", db_url_sqlite)
    engine = make_engine(db_url_sqlite)
    with session_scope(engine) as session:  # files kept in the database (BLOB_STORE=database) age too
        session.add_all([Blob(key="web/old/a.jpg", data=b"x", size=1, created_at=clock.now() - timedelta(days=400)),
                         Blob(key="web/new/b.jpg", data=b"y", size=1, created_at=clock.now())])
    assert main(["purge", "--dry-run"]) == 0 and photo.exists()
    assert main(["purge"]) == 0 and not photo.exists()
    with session_scope(engine) as session:
        assert session.scalars(select(Blob.key)).all() == ["web/new/b.jpg"]
    engine.dispose()
