"""SQLAlchemy 2 models: units, citizens' contacts, tickets and their history."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from nlu import clock


def utcnow() -> datetime:
    return clock.now()


class Base(DeclarativeBase):
    pass


class TicketStatus(str, enum.Enum):
    received = "received"
    assigned = "assigned"
    in_progress = "in_progress"
    resolved = "resolved"
    rejected = "rejected"
    merged = "merged"


class Urgency(str, enum.Enum):
    emergency = "emergency"
    urgent = "urgent"
    normal = "normal"


class Unit(Base):
    """A body that handles tickets; rows mirror data/units.yaml (synced at start)."""

    __tablename__ = "units"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    hotline: Mapped[str | None] = mapped_column(String(64))


class Contact(Base):
    """How to reach a citizen again, per channel (answers may come days later)."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("channel", "sender_id", name="uq_contact_channel_sender"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    sender_id: Mapped[str] = mapped_column(String(255))  # namespaced, e.g. "telegram:123"
    display_name: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_unit_status_created", "unit_id", "status", "created_at"),
        Index("ix_tickets_category_created", "category", "created_at"),
        Index("ix_tickets_unit_created", "unit_id", "created_at"),
        Index("ix_tickets_status_sla", "status", "sla_due_at"),
        Index("ix_tickets_category_location_key", "category", "location_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    category: Mapped[str] = mapped_column(String(40))
    urgency: Mapped[Urgency] = mapped_column(
        Enum(Urgency, name="urgency", native_enum=False, length=16), default=Urgency.normal
    )
    status: Mapped[TicketStatus] = mapped_column(
        Enum(TicketStatus, name="ticket_status", native_enum=False, length=16),
        default=TicketStatus.received,
    )
    description: Mapped[str] = mapped_column(Text)
    location_text: Mapped[str | None] = mapped_column(Text)
    ward_unit_id: Mapped[str | None] = mapped_column(String(80))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    channel: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    # lifecycle (issue 4)
    location_key: Mapped[str | None] = mapped_column(String(255))  # folded street/alley, for duplicates
    ack_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sla_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    public_reply: Mapped[str | None] = mapped_column(Text)
    report_count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    rating: Mapped[int | None] = mapped_column(Integer)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    # code + description + place, folded (nlu.text.fold): the dashboard's search on SQLite
    search_text: Mapped[str | None] = mapped_column(Text)
    # first action by staff (status, reply, reassign, note…): "time to acknowledge" in the statistics
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    unit: Mapped[Unit] = relationship()
    contact: Mapped[Contact | None] = relationship()
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )
    followers: Mapped[list[TicketFollower]] = relationship(cascade="all, delete-orphan")


def ticket_search_text(code: str | None, description: str | None, location_text: str | None) -> str:
    """What the dashboard's diacritic-free search looks through ("ngo 12 lang ha")."""
    from nlu.text import fold

    return fold(" ".join(part for part in (code, description, location_text) if part))


@event.listens_for(Ticket, "before_insert")
@event.listens_for(Ticket, "before_update")
def _keep_search_text(_mapper, _conn, ticket: Ticket) -> None:  # type: ignore[no-untyped-def]
    ticket.search_text = ticket_search_text(ticket.code, ticket.description, ticket.location_text)


class TicketEvent(Base):
    """Every status change, with who did it and why: the ticket's audit trail."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    status: Mapped[TicketStatus] = mapped_column(
        Enum(TicketStatus, name="ticket_status", native_enum=False, length=16)
    )
    actor: Mapped[str] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # status | reply | note (internal) | reassign | escalation | report | merge | rating | reopen
    kind: Mapped[str] = mapped_column(String(16), default="status", server_default="status")
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    ticket: Mapped[Ticket] = relationship(back_populates="events")


@event.listens_for(TicketEvent, "after_insert")
def _first_staff_action(_mapper, conn, row: TicketEvent) -> None:  # type: ignore[no-untyped-def]
    """Stamp the ticket's acknowledgement once, whichever service wrote the staff event."""
    if row.actor.startswith("staff:"):
        table = Ticket.__table__
        conn.execute(table.update().where(table.c.id == row.ticket_id, table.c.acknowledged_at.is_(None))
                     .values(acknowledged_at=row.created_at or utcnow()))


class TicketFollower(Base):
    """Citizens who reported the same problem (duplicates) and get the same updates."""

    __tablename__ = "ticket_followers"
    __table_args__ = (UniqueConstraint("ticket_id", "contact_id", name="uq_follower_ticket_contact"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    contact: Mapped[Contact] = relationship()


class DashboardUser(Base):
    """Staff who answer tickets: operator (one unit), supervisor, admin."""

    __tablename__ = "dashboard_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
