"""Files the app keeps (citizens' photos and voice notes, synthesized speech) behind one small
interface, so that any replica can serve what another one stored (issue 15, part 4).

Why: uploads and TTS audio used to be written under a local ``UPLOAD_DIR``; with two web
replicas on two hosts, the one that did not store a file answered 404 for it. Two backends,
chosen by ``BLOB_STORE``:

* ``directory`` (default, embedded mode): files under ``UPLOAD_DIR``, which must then be a
  volume every replica mounts (Compose's named volume on one host, NFS or the like across
  hosts). The reference kept for a file is its path, exactly as before this module existed,
  so tickets filed earlier keep their photos.
* ``database``: the bytes in the ``blobs`` table (bytea on PostgreSQL; photos are at most a few
  MB, well within what bytea and one row read handle). Nothing to mount; the database is
  already shared. References are ``db:<key>``.

A reference says which backend holds it (a path, or ``<scheme>:<key>``), so switching
``BLOB_STORE`` never strands files stored before; :func:`read` follows the reference.
Another backend (S3-compatible object storage) is a subclass of :class:`BlobStore` with a
scheme of its own (``s3:``), registered in :data:`SCHEMES` and selectable in settings.
"""

from __future__ import annotations

import logging
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import DateTime, Engine, Integer, LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from feedback_router.core.db import get_engine, session_scope
from feedback_router.core.models import Base, utcnow
from feedback_router.core.settings import get_settings
from nlu import clock

log = logging.getLogger(__name__)

KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}(/[A-Za-z0-9_.-]{1,100}){1,4}$")  # folder/…/name, no '..'


class Blob(Base):
    """One stored file of the ``database`` backend."""

    __tablename__ = "blobs"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    mime: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


def new_key(folder: str, suffix: str) -> str:
    """``<folder>/<yyyy-mm-dd>/<random><suffix>``: unguessable, and dated for retention."""
    return f"{folder}/{clock.now():%Y-%m-%d}/{uuid.uuid4().hex}{suffix}"


def _valid(key: str) -> str:
    if not KEY_RE.match(key) or ".." in key:
        raise ValueError(f"bad blob key {key!r}")
    return key


class BlobStore(ABC):
    """Put bytes under a key, get them back by the reference ``put`` returned."""

    @abstractmethod
    def put(self, key: str, data: bytes, mime: str | None = None) -> str:
        """Store ``data``; return the reference to keep (in a message, on a ticket)."""

    @abstractmethod
    def get(self, key: str) -> bytes | None:
        """The bytes stored under ``key``, or None."""

    @abstractmethod
    def purge_before(self, cutoff: datetime) -> int:
        """Delete what was stored before ``cutoff`` (retention); return how many."""

    @abstractmethod
    def ref(self, key: str) -> str:
        """The reference ``put`` returns for ``key``."""


class DirectoryStore(BlobStore):
    """Files under a directory (``UPLOAD_DIR``): shared only if every replica mounts it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def ref(self, key: str) -> str:
        return str(self.root / _valid(key))

    def put(self, key: str, data: bytes, mime: str | None = None) -> str:
        path = Path(self.ref(key))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return str(path)

    def get(self, key: str) -> bytes | None:
        return self.read_path(self.ref(key))

    def read_path(self, ref: str) -> bytes | None:
        """The file at ``ref`` if it lies inside the root (a reference never leaves it)."""
        root = self.root.resolve()
        path = Path(ref)
        path = (path if path.is_absolute() else Path.cwd() / path).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return None
        return path.read_bytes()

    def purge_before(self, cutoff: datetime) -> int:
        """Left to the retention job (``civic.at_rest.purge_expired``), which walks the
        directory by modification time and logs each file, as it always has."""
        return 0


class DatabaseStore(BlobStore):
    """Rows of ``blobs`` in the app's database: every replica reads what any one stored."""

    scheme = "db"

    def __init__(self, engine: Engine | None = None) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        return self._engine or get_engine()

    def ref(self, key: str) -> str:
        return f"{self.scheme}:{_valid(key)}"

    def put(self, key: str, data: bytes, mime: str | None = None) -> str:
        with session_scope(self.engine) as session:
            session.merge(Blob(key=_valid(key), data=data, mime=mime, size=len(data), created_at=clock.now()))
        return self.ref(key)

    def get(self, key: str) -> bytes | None:
        with session_scope(self.engine) as session:
            return session.scalar(select(Blob.data).where(Blob.key == key))

    def purge_before(self, cutoff: datetime) -> int:
        with session_scope(self.engine) as session:
            gone = session.scalars(delete(Blob).where(Blob.created_at < _aware(cutoff)).returning(Blob.key)).all()
        for key in gone:
            log.info("retention: purged blob %s", key)
        return len(gone)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# scheme of a reference -> the store that reads it (an S3 backend adds "s3" here)
SCHEMES: dict[str, Callable[[], BlobStore]] = {DatabaseStore.scheme: DatabaseStore}


def directory() -> DirectoryStore:
    return DirectoryStore(Path(get_settings().upload_dir))


def store() -> BlobStore:
    """Where new files go (``BLOB_STORE``)."""
    kind = get_settings().blob_store
    return directory() if kind == "directory" else SCHEMES["db"]()


def _split(ref: str) -> tuple[str, str] | None:
    scheme, sep, key = ref.partition(":")
    if sep and scheme in SCHEMES:
        return scheme, key
    return None


def read(ref: str) -> bytes | None:
    """The bytes behind a reference from any backend, or None (unknown, gone, or a path outside
    ``UPLOAD_DIR``)."""
    if not ref:
        return None
    split = _split(ref)
    if split is None:
        return directory().read_path(ref)
    scheme, key = split
    try:
        _valid(key)
    except ValueError:
        return None
    return SCHEMES[scheme]().get(key)


def name_of(ref: str) -> str:
    """The file name at the end of a reference (for URLs and downloads)."""
    split = _split(ref)
    return (split[1] if split else ref).replace("\\", "/").rsplit("/", 1)[-1]
