"""Tables of the security layer (issue 14), beside the core models so neither grows a cycle.

* ``staff_session_versions``: a number per staff account, copied into the session cookie at
  login and compared on every request. Logout and a password change bump it, so a copied
  cookie stops working at once (signed cookies alone cannot be revoked).
* ``ticket_public_texts``: the moderated public description of a ticket (FixMyStreet model):
  staff may edit what the public pages and Open311 show; until they do, the masked citizen
  text is shown (feedback_router.public.data).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from feedback_router.core.models import Base
from nlu import clock


def _utcnow() -> datetime:
    return clock.now()


class StaffSessionVersion(Base):
    __tablename__ = "staff_session_versions"

    user_id: Mapped[int] = mapped_column(ForeignKey("dashboard_users.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)


class TicketPublicText(Base):
    __tablename__ = "ticket_public_texts"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    public_description: Mapped[str] = mapped_column(Text)
    moderated_by: Mapped[str] = mapped_column(String(120))
    moderated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)


def session_version(s: Session, user_id: int) -> int:
    row = s.get(StaffSessionVersion, user_id)
    return 0 if row is None else row.version


def bump_session_version(s: Session, user_id: int) -> int:
    """Revoke every session of this account (caller commits)."""
    row = s.get(StaffSessionVersion, user_id)
    if row is None:
        row = StaffSessionVersion(user_id=user_id, version=0)
        s.add(row)
    row.version = (row.version or 0) + 1
    row.changed_at = _utcnow()
    s.flush()
    return row.version
