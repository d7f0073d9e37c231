"""Tables for citizens' suggestions (with public supports) and confidential denunciations.

Kept apart from tickets on purpose: a suggestion has its own statuses and a public page;
a denunciation must never appear in the ticket queue, its CSV export or Open311, and the
denouncer's identity lives only in ``identity_token`` (Fernet ciphertext, see
identity_crypto.py) — there is no plaintext column for it anywhere.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_router.core.models import Base, Contact, Unit, utcnow


class SuggestionStatus(str, enum.Enum):
    received = "received"
    under_review = "under_review"
    accepted = "accepted"
    declined = "declined"


class DenunciationStatus(str, enum.Enum):
    received = "received"          # tiếp nhận
    accepted = "accepted"          # thụ lý (formal handling)
    not_accepted = "not_accepted"  # không thụ lý
    info_only = "info_only"        # xử lý như thông tin (anonymous, Điều 25)
    concluded = "concluded"        # đã có kết luận


class Suggestion(Base):
    __tablename__ = "suggestions"
    __table_args__ = (
        Index("ix_suggestions_unit_status_created", "unit_id", "status", "created_at"),
        Index("ix_suggestions_published_created", "published", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    topic: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    ward_unit_id: Mapped[str | None] = mapped_column(String(80))
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    channel: Mapped[str] = mapped_column(String(32))
    status: Mapped[SuggestionStatus] = mapped_column(
        Enum(SuggestionStatus, name="suggestion_status", native_enum=False, length=16),
        default=SuggestionStatus.received)
    publish_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    answer: Mapped[str | None] = mapped_column(Text)
    support_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit] = relationship()
    contact: Mapped[Contact | None] = relationship()
    events: Mapped[list[SuggestionEvent]] = relationship(
        back_populates="suggestion", order_by="SuggestionEvent.id", cascade="all, delete-orphan")


class SuggestionEvent(Base):
    """Audit trail of a suggestion: status changes, answers, publication."""

    __tablename__ = "suggestion_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # status | answer | publish | reassign
    status: Mapped[SuggestionStatus] = mapped_column(
        Enum(SuggestionStatus, name="suggestion_status", native_enum=False, length=16))
    actor: Mapped[str] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    suggestion: Mapped[Suggestion] = relationship(back_populates="events")


class SuggestionSupport(Base):
    """One citizen (one channel identity = one contact row) supports a suggestion at most
    once: the unique constraint decides, so two concurrent clicks cannot both count."""

    __tablename__ = "suggestion_supports"
    __table_args__ = (UniqueConstraint("suggestion_id", "contact_id", name="uq_support_suggestion_contact"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Denunciation(Base):
    """A denunciation, handled by the inspection body only.

    ``subject_unit_id`` is the unit the text names as wrongdoer (if recognised): used to
    prove it is never the handler, never to show the case to that unit. No contact row,
    no sender id, no name in plaintext: the identity is only inside ``identity_token``.
    """

    __tablename__ = "denunciations"
    __table_args__ = (Index("ix_denunciations_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    anonymous: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(Text)
    subject_unit_id: Mapped[str | None] = mapped_column(String(80))
    handler_unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    status: Mapped[DenunciationStatus] = mapped_column(
        Enum(DenunciationStatus, name="denunciation_status", native_enum=False, length=16),
        default=DenunciationStatus.received)
    identity_token: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    events: Mapped[list[DenunciationEvent]] = relationship(
        back_populates="denunciation", order_by="DenunciationEvent.id", cascade="all, delete-orphan")


class DenunciationEvent(Base):
    """Status changes, notes and every reading of the identity (who looked, when)."""

    __tablename__ = "denunciation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    denunciation_id: Mapped[int] = mapped_column(ForeignKey("denunciations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # status | note | identity_view
    status: Mapped[DenunciationStatus] = mapped_column(
        Enum(DenunciationStatus, name="denunciation_status", native_enum=False, length=16))
    actor: Mapped[str] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    denunciation: Mapped[Denunciation] = relationship(back_populates="events")
