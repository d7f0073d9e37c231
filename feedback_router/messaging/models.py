"""Tables of messaging: the outbox, the inbound queue (and its dedupe keys), household devices
and their announcements. The domains write outbox rows through messaging.outbox; channels
reach these tables only through the messaging services.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from feedback_router.core.models import Base, utcnow


class Outbox(Base):
    """Messages to citizens, written in the same transaction as the change they announce;
    channel adapters claim due rows, deliver them and mark them sent or failed."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    unit_id: Mapped[str | None] = mapped_column(String(80))  # whose operators call back (set by enqueue)
    channel: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(255))  # the contact's namespaced sender_id
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)


class InboundUpdate(Base):
    """One row per (channel, update id) ever accepted: the unique constraint is the dedupe,
    and the row is also the inbound queue (the message itself is in `payload`), so the key
    and the message are committed together before the platform is acknowledged.

    status: queued (waiting, or backing off until `next_attempt_at`) → processing (claimed
    until `lease_until`; an expired lease is claimed again) → done. `failed` is left by the
    old dedupe-only path and is claimed again like `queued`. Rows without a payload (nonces,
    commands answered on the spot) are dedupe keys only.
    """

    __tablename__ = "inbound_updates"
    __table_args__ = (UniqueConstraint("channel", "update_id", name="uq_inbound_channel_update"),
                      Index("ix_inbound_status_next", "status", "next_attempt_at"),
                      Index("ix_inbound_sender_id", "sender_id", "id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    update_id: Mapped[str] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(16), default="processing")  # queued|processing|done|failed
    sender_id: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replies: Mapped[list | None] = mapped_column(JSON)
    last_error: Mapped[str | None] = mapped_column(Text)


class Device(Base):
    """A household device registered by the city, with its own HMAC secret."""

    __tablename__ = "devices"

    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    household_code: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(Text)
    ward_unit_id: Mapped[str | None] = mapped_column(String(80), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    secret: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|disabled
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Announcement(Base):
    """A message for devices: the whole ward (device_id NULL) or one device (an answer)."""

    __tablename__ = "device_announcements"
    __table_args__ = (Index("ix_device_ann_ward_id", "ward_unit_id", "id"),
                      Index("ix_device_ann_device_id", "device_id", "id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ward_unit_id: Mapped[str | None] = mapped_column(String(80))
    device_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(255))
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
