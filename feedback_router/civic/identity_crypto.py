"""The denouncer's identity, encrypted at rest with Fernet (``cryptography``).

Luật Tố cáo 2018 makes the denouncer's name, address and personal details secret, so a
database dump, a backup or a curious operator must not reveal them. The key comes from
configuration only:

* ``DENOUNCE_KEY`` — one or more Fernet keys separated by commas; the first encrypts,
  all decrypt (rotation: put the new key first, keep the old one until re-encrypted).
  Generate one with ``python -m feedback_router.civic.identity_crypto genkey``.
* ``DENOUNCE_KEY_FILE`` — used only when DENOUNCE_KEY is unset, by the embedded dev setup
  (scripts/env_defaults.sh points it at var/denounce.key): the key is read from the file,
  or generated into it (mode 600) with a warning.

With neither set (a production deployment that forgot the key) the processes refuse to
start (``require_key`` raises ``KeyConfigError`` with the fix in the message).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from feedback_router.core.settings import get_settings

log = logging.getLogger(__name__)


class KeyConfigError(RuntimeError):
    """DENOUNCE_KEY is missing or malformed; the message says how to fix it."""


class IdentityUnreadable(ValueError):
    """A stored identity does not decrypt with the configured keys (wrong or rotated key)."""


def _mask(value: str | None) -> str:
    if not value:
        return "∅"
    return value[:1] + "…" + f"({len(value)})"


@dataclass(frozen=True)
class Identity:
    """Who denounced. ``repr`` is masked so that logging one by mistake leaks nothing."""

    name: str
    phone: str | None = None
    address: str | None = None
    sender_id: str | None = None

    def __repr__(self) -> str:
        return (f"Identity(name={_mask(self.name)}, phone={_mask(self.phone)}, "
                f"address={_mask(self.address)}, sender_id={_mask(self.sender_id)})")

    __str__ = __repr__


def _dev_key(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".denounce-key-")
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, Fernet.generate_key() + b"\n")
            os.close(fd)
            try:
                os.link(tmp, path)  # atomic: if another process won the race, use its key
                log.warning("DENOUNCE_KEY is not set: generated a development key in %s "
                            "(set DENOUNCE_KEY in production)", path)
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    return path.read_bytes().strip()


def _configured_keys() -> tuple[bytes, ...]:
    settings = get_settings()
    raw = settings.denounce_key.get_secret_value().strip()
    if raw:
        return tuple(k.strip().encode() for k in raw.split(",") if k.strip())
    key_file = settings.denounce_key_file.strip()
    if not key_file:
        raise KeyConfigError(
            "DENOUNCE_KEY is not set: denouncers' identities cannot be encrypted. Generate a key with "
            "`python -m feedback_router.civic.identity_crypto genkey` and set DENOUNCE_KEY "
            "(keep it secret, back it up: "
            "without it stored identities cannot be read).")
    return (_dev_key(Path(key_file)),)


@functools.lru_cache(maxsize=4)
def _fernet_for(keys: tuple[bytes, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except (ValueError, TypeError) as exc:
        raise KeyConfigError("DENOUNCE_KEY is malformed: each key must be 32 url-safe base64-encoded bytes "
                             "(generate one with `python -m feedback_router.civic.identity_crypto genkey`).") from exc


def fernet() -> MultiFernet:
    return _fernet_for(_configured_keys())


def require_key() -> None:
    """Called when a process starts: fail there, not at the first denunciation."""
    fernet()


def seal(identity: Identity) -> str:
    payload = json.dumps(asdict(identity), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return fernet().encrypt(payload).decode("ascii")


def unseal(token: str) -> Identity:
    try:
        data = json.loads(fernet().decrypt(token.encode("ascii")).decode("utf-8"))
    except (InvalidToken, ValueError) as exc:
        raise IdentityUnreadable("identity does not decrypt with the configured DENOUNCE_KEY") from exc
    return Identity(**{k: data.get(k) for k in ("name", "phone", "address", "sender_id")})


SEALED_PREFIX = "sealed:"  # nlu/tracker_store.py keeps slot values with this prefix


def seal_text(value: str) -> str:
    """One value sealed for the dialogue's slots, so Rasa's tracker store only sees ciphertext."""
    return SEALED_PREFIX + fernet().encrypt(value.encode("utf-8")).decode("ascii")


def open_text(value: object) -> str | None:
    """The plaintext of a sealed slot value (plain values pass through, None stays None)."""
    if value is None:
        return None
    text = str(value)
    if not text.startswith(SEALED_PREFIX):
        return text
    try:
        return fernet().decrypt(text.removeprefix(SEALED_PREFIX).encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise IdentityUnreadable("sealed slot value does not decrypt with the configured DENOUNCE_KEY") from exc


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["genkey"]:
        print(Fernet.generate_key().decode("ascii"))
        return 0
    if args[:1] == ["check"]:
        try:
            require_key()
        except KeyConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print("DENOUNCE_KEY ok")
        return 0
    print("usage: python -m feedback_router.civic.identity_crypto genkey|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
