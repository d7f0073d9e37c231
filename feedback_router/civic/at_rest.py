"""Data at rest (issue 14): denunciation calls sealed, old recordings and uploads purged.

* A hotline call in which a denunciation was spoken leaves a recording (.wav) and a transcript
  (.json) that identify the denouncer. They are sealed with the denunciation key
  (identity_crypto, Fernet) into ``<file>.sealed`` and the plaintext is removed; only someone
  holding DENOUNCE_KEY can open them (:func:`open_sealed`).
* Recordings and uploaded photos/voice notes older than RETENTION_DAYS (default 90) are deleted
  by :func:`purge_expired`, which logs every file it removes; so are files kept in the database
  (``BLOB_STORE=database``, feedback_router.messaging.blobs). Run it once
  (``python -m feedback_router.civic.at_rest purge``) or as the ``retention`` process of the Procfile
  (``… at_rest loop``: every RETENTION_CHECK_SECONDS).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from feedback_router.civic.identity_crypto import fernet
from feedback_router.core.settings import get_settings, startup_check
from feedback_router.messaging.blobs import DatabaseStore
from nlu import clock
from nlu.text import fold

log = logging.getLogger("feedback_router.civic.at_rest")
SEALED_SUFFIX = ".sealed"


def is_denunciation_call(transcript: str) -> bool:
    """The rule service.attach_call_record applies: 'tố cáo' spoken anywhere in the call."""
    return fold("to cao") in fold(transcript or "")


def seal_file(path: Path) -> Path:
    """Encrypt ``path`` into ``path.sealed`` (written atomically), then delete the plaintext."""
    target = path.with_name(path.name + SEALED_SUFFIX)
    token = fernet().encrypt(path.read_bytes())
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".sealing-")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, token)
        os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    path.unlink()
    return target


def seal_call_files(recording_path: Path | None) -> list[Path]:
    """Seal a denunciation call's recording and the transcript beside it (those that exist)."""
    if recording_path is None:
        return []
    sealed = []
    for path in (recording_path, recording_path.with_suffix(".json")):
        if path.exists():
            sealed.append(seal_file(path))
    log.info("sealed denunciation call files: %s", ", ".join(str(p) for p in sealed) or "none")
    return sealed


def open_sealed(path: Path) -> bytes:
    return fernet().decrypt(path.read_bytes())


def purge_expired(directories: list[Path], days: int, now: datetime, dry_run: bool = False) -> list[Path]:
    """Delete files under ``directories`` last modified more than ``days`` before ``now``."""
    cutoff = (now - timedelta(days=days)).timestamp()
    purged: list[Path] = []
    for root in directories:
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if path.stat().st_mtime < cutoff:
                if not dry_run:
                    path.unlink(missing_ok=True)
                purged.append(path)
                log.info("retention: %s %s (older than %d days)", "would purge" if dry_run else "purged",
                         path, days)
    log.info("retention: %d file(s) %s", len(purged), "to purge" if dry_run else "purged")
    return purged


def retention_directories() -> list[Path]:
    settings = get_settings()
    return [Path(settings.upload_dir), Path(settings.voice_recordings_dir)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m feedback_router.civic.at_rest")
    parser.add_argument("command", choices=("purge", "loop"))
    parser.add_argument("--days", type=int, default=None, help="override RETENTION_DAYS")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    settings = startup_check("retention")
    logging.basicConfig(level=settings.log_level,
                        format='{"time":"%(asctime)s","level":"%(levelname)s","logger":"%(name)s","msg":"%(message)s"}')
    days = args.days or settings.retention_days
    while True:
        now = clock.now()
        purge_expired(retention_directories(), days, now, dry_run=args.dry_run)
        if not args.dry_run:  # the blobs table is there whichever BLOB_STORE is set now
            try:
                DatabaseStore().purge_before(now - timedelta(days=days))
            except SQLAlchemyError as exc:  # the database is restarting: the next round purges them
                log.error("retention: database files not purged: %s", exc.__class__.__name__)
        if args.command == "purge":
            return 0
        time.sleep(settings.retention_check_seconds)


if __name__ == "__main__":
    sys.exit(main())
