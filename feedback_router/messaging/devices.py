"""Household devices: registration, HMAC request signing, and announcements.

Signature (hex HMAC-SHA256 with the device secret) over
    METHOD "\\n" PATH[?QUERY] "\\n" X-Timestamp "\\n" X-Nonce "\\n" <raw body bytes>
sent in headers X-Device-Id, X-Timestamp (unix seconds), X-Nonce (unique per request),
X-Signature. Requests older/newer than 5 minutes or reusing a nonce are refused; nonces
are kept in the persisted dedupe table, so a replay is refused by every web worker.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Engine, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedback_router.messaging import dedupe, outbox
from feedback_router.messaging.models import Announcement, Device
from feedback_router.core.db import get_engine, session_scope

MAX_SKEW_SECONDS = 300


class AuthError(Exception):
    pass


class Conflict(Exception):
    pass


@dataclass(frozen=True)
class DeviceInfo:
    device_id: str
    household_code: str
    address: str
    ward_unit_id: str | None
    latitude: float | None
    longitude: float | None


def sign(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    msg = f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n".encode() + body
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


def register(*, device_id: str, household_code: str, address: str, ward_unit_id: str | None,
             latitude: float | None, longitude: float | None) -> str:
    """Create a device and return its new secret (shown once)."""
    secret = secrets.token_hex(32)
    try:
        with session_scope(get_engine()) as session:
            session.add(Device(device_id=device_id, household_code=household_code, address=address,
                               ward_unit_id=ward_unit_id, latitude=latitude, longitude=longitude,
                               secret=secret, status="active"))
    except IntegrityError as exc:
        raise Conflict(device_id) from exc
    return secret


def authenticate(*, device_id: str, timestamp: str, nonce: str, signature: str, method: str, path: str,
                 body: bytes, now: float | None = None) -> DeviceInfo:
    if not (device_id and timestamp and nonce and signature):
        raise AuthError("Thiếu header xác thực (X-Device-Id, X-Timestamp, X-Nonce, X-Signature required).")
    if len(nonce) > 100:
        raise AuthError("X-Nonce quá dài (nonce too long).")
    try:
        ts = int(timestamp)
    except ValueError as exc:
        raise AuthError("X-Timestamp phải là số giây Unix (timestamp must be unix seconds).") from exc
    if abs((now or time.time()) - ts) > MAX_SKEW_SECONDS:
        raise AuthError("Yêu cầu đã quá hạn (stale timestamp; check the device clock).")
    with session_scope(get_engine()) as session:
        dev = session.get(Device, device_id)
        if dev is None or dev.status != "active":
            raise AuthError("Thiết bị không hợp lệ (unknown or disabled device).")
        info = DeviceInfo(dev.device_id, dev.household_code, dev.address, dev.ward_unit_id,
                          dev.latitude, dev.longitude)
        secret = dev.secret
    if not hmac.compare_digest(sign(secret, method, path, timestamp, nonce, body), signature.lower()):
        raise AuthError("Chữ ký không hợp lệ (bad signature).")
    if not dedupe.claim("device_nonce", f"{device_id}:{nonce}"):
        raise AuthError("Yêu cầu bị lặp lại (replayed nonce).")
    return info


def announce(*, text: str, created_by: str, ward_unit_id: str | None = None, device_id: str | None = None,
             dedupe_key: str | None = None) -> int:
    """Queue a message for a ward's devices or one device; idempotent by dedupe_key."""
    try:
        with session_scope(get_engine()) as session:
            row = Announcement(ward_unit_id=ward_unit_id, device_id=device_id, text=text,
                               created_by=created_by, dedupe_key=dedupe_key)
            session.add(row)
            session.flush()
            return int(row.id)
    except IntegrityError:
        with session_scope(get_engine()) as session:
            existing = session.scalar(select(Announcement.id).where(Announcement.dedupe_key == dedupe_key))
            if existing is None:
                raise
            return int(existing)


def announce_in(session: Session, *, text: str, device_id: str, dedupe_key: str, created_by: str) -> int:
    """Queue an answer for one device inside the caller's transaction (the outbox worker:
    the row and the outbox's `sent` mark commit together, so exactly once)."""
    existing = session.scalar(select(Announcement.id).where(Announcement.dedupe_key == dedupe_key))
    if existing is not None:
        return int(existing)
    row = Announcement(device_id=device_id, text=text, created_by=created_by, dedupe_key=dedupe_key)
    session.add(row)
    session.flush()
    return int(row.id)


def deliver_outbox(item_id: int, *, text: str, recipient: str, engine: Engine | None = None) -> None:
    """The outbox's device channel: the announcement and the row's `sent` mark commit in one
    transaction (idempotent per outbox row), so a device hears an answer exactly once."""
    with session_scope(engine or get_engine()) as session:
        announce_in(session, text=text, device_id=recipient.split(":", 1)[-1], created_by="outbox",
                    dedupe_key=f"outbox:{item_id}")
        outbox.mark_sent(session, item_id)


def poll(info: DeviceInfo, since: int, limit: int = 50) -> list[dict[str, object]]:
    with session_scope(get_engine()) as session:
        cond = Announcement.device_id == info.device_id
        if info.ward_unit_id:
            cond = or_(cond, (Announcement.ward_unit_id == info.ward_unit_id) & Announcement.device_id.is_(None))
        rows = session.scalars(select(Announcement).where(Announcement.id > since, cond)
                               .order_by(Announcement.id).limit(limit))
        return [{"id": r.id, "text": r.text, "kind": "answer" if r.device_id else "announcement",
                 "created_at": r.created_at.isoformat()} for r in rows]
