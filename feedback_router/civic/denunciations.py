"""Denunciations (tố cáo) of wrongdoing by officials or organisations.

Always handled by the inspection body of data/civic.yaml (Thanh tra thành phố), never by
the unit denounced. A *formal* denunciation carries the denouncer's name, address and
contact (Luật Tố cáo 2018, Điều 23); they are sealed with Fernet (identity_crypto) into
``identity_token`` and nothing else about the person is stored: no contact row, no
sender id in plaintext, no outbox message (an outbox row would pair the sender id with
the case). An *anonymous* one stores no identity at all and is handled as information
only (Điều 25).

Only dashboard users with the ``inspector`` role see denunciations; an inspector whose
own unit is the one denounced does not (conflict of interest). Every reading of an
identity is recorded as an event (who, when).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedback_router.core.accused import subject_unit_for
from feedback_router.core.catalog import catalog
from feedback_router.civic.data import civic, new_code
from feedback_router.civic.models import Denunciation, DenunciationEvent, DenunciationStatus
from feedback_router.core.codes import normalize_code
from feedback_router.core.db import session_scope
from feedback_router.civic.identity_crypto import Identity, seal, unseal
from feedback_router.core.models import DashboardUser
from feedback_router.contacts import SYSTEM_ACTOR
from feedback_router.civic.texts import bounded_text
from nlu.text import collapse_whitespace, nfc
from nlu import clock

log = logging.getLogger(__name__)

D = DenunciationStatus
FORMAL_TRANSITIONS: dict[DenunciationStatus, set[DenunciationStatus]] = {
    D.received: {D.accepted, D.not_accepted, D.info_only},
    D.accepted: {D.concluded},
    D.info_only: {D.concluded},
    D.not_accepted: set(),
    D.concluded: set(),
}
ANONYMOUS_TRANSITIONS: dict[DenunciationStatus, set[DenunciationStatus]] = {
    D.received: {D.info_only, D.not_accepted},  # no formal handling without an identity
    D.info_only: {D.concluded},
    D.accepted: set(),
    D.not_accepted: set(),
    D.concluded: set(),
}
STATUS_VI = {
    "received": "Đã tiếp nhận",
    "accepted": "Đã thụ lý giải quyết",
    "not_accepted": "Không thụ lý",
    "info_only": "Xử lý như thông tin tố cáo",
    "concluded": "Đã có kết luận",
}
MIN_CHARS, MAX_CHARS = 15, 5000
INSPECTOR = "inspector"


class DenunciationError(ValueError):
    """The request cannot be done as asked; the message (Vietnamese) says why."""


@dataclass(frozen=True)
class DenunciationReceipt:
    code: str
    anonymous: bool
    handler_unit_id: str
    handler_unit_name: str
    status: str


def clean_text(text: object) -> str:
    return bounded_text(text, min_chars=MIN_CHARS, max_chars=MAX_CHARS, error=DenunciationError,
                        too_short="Nội dung tố cáo quá ngắn: bạn cho biết ai, làm gì, ở đâu, khi nào.",
                        too_long=f"Nội dung tố cáo dài quá {MAX_CHARS} ký tự.")


def clean_identity(identity: Identity) -> Identity:
    name = collapse_whitespace(nfc(identity.name or ""))[:200]
    address = collapse_whitespace(nfc(identity.address or ""))[:500] or None
    phone = re.sub(r"[^\d+]", "", identity.phone or "")[:20] or None
    if len(name) < 2:
        raise DenunciationError("Tố cáo chính thức cần họ tên người tố cáo.")
    if not address:
        raise DenunciationError("Tố cáo chính thức cần địa chỉ của người tố cáo.")
    if phone is not None and not 8 <= len(phone.lstrip("+")) <= 15:
        raise DenunciationError("Số điện thoại không hợp lệ.")
    return Identity(name=name, phone=phone, address=address, sender_id=identity.sender_id)


def file_denunciation(*, text: str, anonymous: bool, identity: Identity | None = None,
                      engine: Engine | None = None, now: datetime | None = None) -> DenunciationReceipt:
    body = clean_text(text)
    token: str | None = None
    if not anonymous:
        if identity is None:
            raise DenunciationError("Tố cáo chính thức cần họ tên và địa chỉ người tố cáo.")
        token = seal(clean_identity(identity))
    handler = civic().inspection_unit
    subject = subject_unit_for(body)
    now = now or clock.now()
    for _attempt in range(8):
        try:
            with session_scope(engine) as session:
                code = new_code("TC", clock.to_hanoi(now).date())  # the day in Hanoi, not on the server
                item = Denunciation(code=code, anonymous=bool(anonymous), text=body,
                                    subject_unit_id=subject, handler_unit_id=handler, status=D.received,
                                    identity_token=token, created_at=now, updated_at=now)
                item.events.append(DenunciationEvent(
                    kind="status", status=D.received, actor=SYSTEM_ACTOR, created_at=now,
                    note=f"routed to {handler}" + (f"; unit named in the text: {subject}" if subject else "")))
                session.add(item)
                session.flush()
                # Logged: the code and the mode only — never the text or the identity.
                log.info("denunciation filed code=%s anonymous=%s", item.code, item.anonymous)
                return DenunciationReceipt(item.code, item.anonymous, handler, catalog().units[handler].name,
                                           item.status.value)
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a unique denunciation code")


def can_see(user: DashboardUser, item: Denunciation) -> bool:
    """Inspectors only, and never an inspector of the unit denounced."""
    if user.role != INSPECTOR or not user.active:
        return False
    return user.unit_id is None or user.unit_id != item.subject_unit_id


def visible_to(user: DashboardUser):  # type: ignore[no-untyped-def]
    """SQL filter matching can_see (False for everyone but inspectors)."""
    if user.role != INSPECTOR:
        return Denunciation.id.is_(None)  # matches nothing: ids are never NULL
    if user.unit_id is None:
        return Denunciation.id.is_not(None)
    return (Denunciation.subject_unit_id.is_(None)) | (Denunciation.subject_unit_id != user.unit_id)


def get_for(session: Session, code: str, user: DashboardUser) -> Denunciation | None:
    item = session.scalar(select(Denunciation).where(Denunciation.code == normalize_code(code)))
    return item if item is not None and can_see(user, item) else None


def read_identity(session: Session, item: Denunciation, user: DashboardUser,
                  now: datetime | None = None) -> Identity | None:
    """Decrypt the identity for an inspector, recording that they looked."""
    if not can_see(user, item):
        raise PermissionError("only an inspector may read a denouncer's identity")
    if item.identity_token is None:
        return None
    identity = unseal(item.identity_token)
    item.events.append(DenunciationEvent(kind="identity_view", status=item.status, actor=f"staff:{user.username}",
                                         note=None, created_at=now or clock.now()))
    session.flush()
    return identity


def change_status(session: Session, item: Denunciation, new_status: DenunciationStatus | str, *, actor: str,
                  note: str | None = None, now: datetime | None = None) -> DenunciationEvent:
    try:
        new = DenunciationStatus(new_status)
    except ValueError as exc:
        raise DenunciationError(f"trạng thái không hợp lệ: {new_status!r}") from exc
    table = ANONYMOUS_TRANSITIONS if item.anonymous else FORMAL_TRANSITIONS
    if new not in table[item.status]:
        raise DenunciationError(f"không thể chuyển từ {item.status.value} sang {new.value}")
    item.status = new
    moment = now or clock.now()
    item.updated_at = moment
    event = DenunciationEvent(kind="status", status=new, actor=actor,
                              note=collapse_whitespace(nfc(note or "")) or None, created_at=moment)
    item.events.append(event)
    session.flush()
    return event


def allowed_next(item: Denunciation) -> list[str]:
    table = ANONYMOUS_TRANSITIONS if item.anonymous else FORMAL_TRANSITIONS
    return sorted(s.value for s in table[item.status])
