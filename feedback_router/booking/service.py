"""Booking a turn at a one-stop desk (issue 8).

Desks publish slots (e.g. 08:00-11:30 in 30-minute steps, 3 citizens each); a citizen
books a slot and gets a short code ``LH-<ddmm>-<4 chars>`` (the slot's day, the ticket
code alphabet); the day before, a reminder goes out through the outbox.

Rules:

* **Never overbook.** Capacity is taken with one atomic statement inside the booking
  transaction: ``UPDATE slots SET booked = booked + 1 WHERE id = :id AND booked <
  capacity RETURNING id``. On PostgreSQL concurrent updates queue on the row lock and
  re-check the condition; on SQLite the statement takes the write lock first (before any
  read in the transaction), so waiting writers see the committed count. No row: ``SlotFull``.
* One active (booked/arrived) booking per contact per slot (code check + partial unique index).
* Only the owner (same namespaced sender id) may cancel or move; cancelling or moving
  away frees the old slot's capacity, but only before the slot starts.
* No-shows free nothing: a slot that has started never gives capacity back.

All times are stored in UTC; "day" arguments are local dates in Asia/Ho_Chi_Minh.
Functions take a ``Session`` (work joins the caller's transaction, caller commits) or an
``Engine`` (one transaction of their own).
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Engine,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from feedback_router.messaging import outbox
from feedback_router.core.codes import ALPHABET, normalize_code
from feedback_router.core.db import session_scope
from feedback_router.core.models import Base, Contact, utcnow
from feedback_router.messaging.models import Outbox
from feedback_router.contacts import channel_of, get_or_create_contact, hotline_number
from nlu import clock

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
CODE_PREFIX = "LH"


class DeskKind(str, enum.Enum):
    ward_one_stop = "ward_one_stop"  # bộ phận một cửa phường/xã
    city_service_centre = "city_service_centre"  # trung tâm phục vụ hành chính công
    citizen_reception = "citizen_reception"  # tiếp công dân
    ward_police = "ward_police"  # công an phường/xã: căn cước, cư trú (a VARCHAR column: no migration)


class BookingStatus(str, enum.Enum):
    booked = "booked"
    cancelled = "cancelled"
    arrived = "arrived"
    no_show = "no_show"


ACTIVE = (BookingStatus.booked, BookingStatus.arrived)


class Desk(Base):
    __tablename__ = "desks"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[DeskKind] = mapped_column(Enum(DeskKind, name="desk_kind", native_enum=False, length=32))
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)


class Slot(Base):
    __tablename__ = "slots"
    __table_args__ = (
        UniqueConstraint("desk_id", "starts_at", name="uq_slot_desk_start"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_slot_booked_within_capacity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    desk_id: Mapped[str] = mapped_column(ForeignKey("desks.id"))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    desk: Mapped[Desk] = relationship()


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        Index("uq_booking_active_contact_slot", "slot_id", "contact_id", unique=True,
              sqlite_where=text("status IN ('booked', 'arrived')"),
              postgresql_where=text("status IN ('booked', 'arrived')")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    procedure: Mapped[str] = mapped_column(Text)
    status: Mapped[BookingStatus] = mapped_column(
        Enum(BookingStatus, name="booking_status", native_enum=False, length=16), default=BookingStatus.booked
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    slot: Mapped[Slot] = relationship()
    contact: Mapped[Contact] = relationship()


class BookingError(Exception):
    """Base class; ``str(exc)`` is a Vietnamese sentence fit to show the citizen."""


class SlotFull(BookingError):
    pass


class SlotClosed(BookingError):
    pass


class AlreadyBooked(BookingError):
    pass


class NotFound(BookingError):
    pass


class NotOwner(BookingError):
    pass


class TooLate(BookingError):
    pass


# ---------------------------------------------------------------- helpers


def _utc(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; everything is stored in UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _now(now: datetime | None) -> datetime:
    return _utc(now) if now is not None else clock.now()


def local(moment: datetime) -> datetime:
    return _utc(moment).astimezone(HANOI)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), HANOI)
    return start.astimezone(timezone.utc), (start + timedelta(days=1)).astimezone(timezone.utc)


def new_booking_code(day: date) -> str:
    suffix = "".join(secrets.choice(ALPHABET) for _ in range(4))
    return f"{CODE_PREFIX}-{day:%d%m}-{suffix}"


@contextmanager
def _tx(bind: Session | Engine) -> Iterator[Session]:
    if isinstance(bind, Session):
        yield bind
    else:
        with session_scope(bind) as session:
            yield session


def _take_seat(session: Session, slot_id: int, now: datetime) -> bool:
    """UPDATE slots SET booked = booked + 1 WHERE id = :id AND booked < capacity
    AND starts_at > :now RETURNING id -- atomic on both databases."""
    row = session.execute(
        update(Slot).where(Slot.id == slot_id, Slot.booked < Slot.capacity, Slot.starts_at > now)
        .values(booked=Slot.booked + 1).returning(Slot.id)
        .execution_options(synchronize_session=False)
    ).first()
    _expire_count(session, slot_id)
    return row is not None


def _free_seat(session: Session, slot_id: int) -> None:
    session.execute(update(Slot).where(Slot.id == slot_id, Slot.booked > 0)
                    .values(booked=Slot.booked - 1).execution_options(synchronize_session=False))
    _expire_count(session, slot_id)


def _expire_count(session: Session, slot_id: int) -> None:
    """The count changed in the database: a loaded Slot must read it again."""
    loaded = session.identity_map.get(Session.identity_key(Slot, slot_id))
    if loaded is not None:
        session.expire(loaded, ["booked"])


def _fresh(session: Session, booking: Booking) -> Booking:
    """Flush, then reload the booking and its slot (counts changed by UPDATE statements),
    so the object stays readable after the session closes."""
    session.flush()
    session.refresh(booking)
    session.refresh(booking.slot)
    return booking


def _owned(session: Session, code: str, sender_id: str) -> Booking:
    booking = session.scalar(select(Booking).where(Booking.code == normalize_code(code)))
    if booking is None:
        raise NotFound("Không tìm thấy lịch hẹn với mã này.")
    contact = session.get(Contact, booking.contact_id)
    if contact is None or contact.sender_id != sender_id or contact.channel != channel_of(sender_id):
        raise NotOwner("Lịch hẹn này không thuộc về bạn.")
    return booking


# ---------------------------------------------------------------- desks and slots


def publish_slots(session: Session, desk_id: str, day: date, start: str = "08:00", end: str = "11:30",
                  minutes: int = 30, capacity: int = 3) -> list[Slot]:
    """Slots of ``minutes`` from ``start`` to ``end`` (local time) on ``day``; idempotent
    (a slot that already exists is kept as it is, bookings included)."""
    if minutes <= 0 or capacity <= 0:
        raise ValueError("minutes and capacity must be positive")
    t0 = datetime.combine(day, time.fromisoformat(start), HANOI)
    t_end = datetime.combine(day, time.fromisoformat(end), HANOI)
    lo, hi = t0.astimezone(timezone.utc), t_end.astimezone(timezone.utc)
    existing = {_utc(s.starts_at): s for s in session.scalars(
        select(Slot).where(Slot.desk_id == desk_id, Slot.starts_at >= lo, Slot.starts_at < hi))}
    out: list[Slot] = []
    step = timedelta(minutes=minutes)
    cur = t0
    while cur + step <= t_end:
        begins = cur.astimezone(timezone.utc)
        slot = existing.get(begins)
        if slot is None:
            slot = Slot(desk_id=desk_id, starts_at=begins, ends_at=(cur + step).astimezone(timezone.utc),
                        capacity=capacity, booked=0)
            session.add(slot)
        out.append(slot)
        cur += step
    session.flush()
    return out


def free_slots(session: Session, desk_id: str, after: datetime, limit: int = 3) -> list[Slot]:
    """The nearest slots starting after ``after`` that still have room."""
    return list(session.scalars(
        select(Slot).where(Slot.desk_id == desk_id, Slot.starts_at > _utc(after), Slot.booked < Slot.capacity)
        .order_by(Slot.starts_at, Slot.id).limit(limit)))


# ---------------------------------------------------------------- citizen side


def book(bind: Session | Engine, *, slot_id: int, sender_id: str, procedure: str,
         now: datetime | None = None) -> Booking:
    """Take one seat in the slot for this citizen; ``SlotFull`` if none is left."""
    now = _now(now)
    for _attempt in range(8):
        try:
            with _tx(bind) as session:
                return _book(session, slot_id, sender_id, procedure, now)
        except IntegrityError:
            if isinstance(bind, Session):
                raise
            continue  # code collision or a concurrent duplicate: the re-check decides
    raise RuntimeError("could not allocate a unique booking code")


def _book(session: Session, slot_id: int, sender_id: str, procedure: str, now: datetime) -> Booking:
    # The write comes first: on SQLite it takes the write lock before any read.
    taken = _take_seat(session, slot_id, now)
    slot = session.get(Slot, slot_id, populate_existing=True)
    if slot is None:
        raise NotFound("Không có khung giờ này.")
    if not taken:
        if _utc(slot.starts_at) <= now:
            raise SlotClosed("Khung giờ này đã qua.")
        raise SlotFull("Khung giờ này đã kín chỗ, mời bạn chọn giờ khác.")
    contact = get_or_create_contact(session, sender_id, hotline_number(sender_id))
    dup = session.scalar(select(Booking).where(Booking.slot_id == slot_id, Booking.contact_id == contact.id,
                                               Booking.status.in_(ACTIVE)))
    if dup is not None:
        _free_seat(session, slot_id)  # the caller's transaction may go on
        raise AlreadyBooked(f"Bạn đã có lịch hẹn {dup.code} trong khung giờ này.")
    day = local(slot.starts_at).date()
    code = new_booking_code(day)
    while session.scalar(select(Booking.id).where(Booking.code == code)) is not None:
        code = new_booking_code(day)
    booking = Booking(code=code, slot_id=slot_id, contact_id=contact.id, procedure=procedure,
                      status=BookingStatus.booked, created_at=now)
    session.add(booking)
    return _fresh(session, booking)


def cancel(bind: Session | Engine, code: str, sender_id: str, *, now: datetime | None = None) -> Booking:
    now = _now(now)
    with _tx(bind) as session:
        booking = _owned(session, code, sender_id)
        if booking.status != BookingStatus.booked:
            raise BookingError("Lịch hẹn này không còn hiệu lực.")
        if _utc(booking.slot.starts_at) <= now:
            raise TooLate("Khung giờ đã bắt đầu, không thể huỷ.")
        booking.status = BookingStatus.cancelled
        _free_seat(session, booking.slot_id)
        return _fresh(session, booking)


def move(bind: Session | Engine, code: str, sender_id: str, new_slot_id: int, *,
         now: datetime | None = None) -> Booking:
    """Move a booking to another slot of any desk: takes a seat there first, then frees
    the old one (before it starts only)."""
    now = _now(now)
    with _tx(bind) as session:
        booking = _owned(session, code, sender_id)
        if booking.status != BookingStatus.booked:
            raise BookingError("Lịch hẹn này không còn hiệu lực.")
        if booking.slot_id == new_slot_id:
            return booking
        if _utc(booking.slot.starts_at) <= now:
            raise TooLate("Khung giờ đã bắt đầu, không thể đổi.")
        target = session.get(Slot, new_slot_id)
        if target is None:
            raise NotFound("Không có khung giờ này.")
        dup = session.scalar(select(Booking).where(Booking.slot_id == new_slot_id,
                                                   Booking.contact_id == booking.contact_id,
                                                   Booking.status.in_(ACTIVE)))
        if dup is not None:
            raise AlreadyBooked(f"Bạn đã có lịch hẹn {dup.code} trong khung giờ này.")
        if not _take_seat(session, new_slot_id, now):
            if _utc(target.starts_at) <= now:
                raise SlotClosed("Khung giờ này đã qua.")
            raise SlotFull("Khung giờ này đã kín chỗ, mời bạn chọn giờ khác.")
        _free_seat(session, booking.slot_id)
        booking.slot_id = new_slot_id
        session.flush()
        session.expire(booking, ["slot"])
        return _fresh(session, booking)


# ---------------------------------------------------------------- reminders


def due_reminders(session: Session, now: datetime) -> list[Booking]:
    """Active bookings whose slot starts tomorrow (Hanoi time) and not yet reminded."""
    tomorrow = local(_now(now)).date() + timedelta(days=1)
    lo, hi = _day_bounds(tomorrow)
    return list(session.scalars(
        select(Booking).join(Slot, Booking.slot_id == Slot.id)
        .where(Booking.status == BookingStatus.booked, Booking.reminded_at.is_(None),
               Slot.starts_at >= lo, Slot.starts_at < hi)
        .order_by(Slot.starts_at, Booking.id)))


def mark_reminded(session: Session, booking: Booking, now: datetime | None = None) -> None:
    booking.reminded_at = _now(now)
    session.flush()


def reminder_text(booking: Booking) -> str:
    at = local(booking.slot.starts_at)
    desk = booking.slot.desk
    return (f"Nhắc lịch hẹn {booking.code}: {at:%H:%M} ngày {at:%d/%m/%Y} tại {desk.name}. "
            f"Thủ tục: {booking.procedure}. Vui lòng mang theo giấy tờ tuỳ thân và đến đúng giờ. "
            f"Muốn huỷ hoặc đổi giờ, nhắn mã {booking.code}.")


def enqueue_reminders(session: Session, now: datetime) -> list[Outbox]:
    """One outbox row per due booking, in the caller's transaction; running it again
    enqueues nothing (``reminded_at`` is set, and the dedupe key is per code)."""
    rows: list[Outbox] = []
    for booking in due_reminders(session, now):
        rows.append(outbox.enqueue(session, contact=booking.contact, text=reminder_text(booking),
                                   payload={"kind": "booking_reminder", "code": booking.code},
                                   dedupe_key=f"booking-reminder:{booking.code}",
                                   unit_id=booking.slot.desk.unit_id))
        mark_reminded(session, booking, now)
    return rows


# ---------------------------------------------------------------- desk staff


def day_list(session: Session, desk_id: str, day: date) -> list[Booking]:
    """Everyone expected at the desk on ``day`` (cancelled ones left out), by time."""
    lo, hi = _day_bounds(day)
    return list(session.scalars(
        select(Booking).join(Slot, Booking.slot_id == Slot.id)
        .where(Slot.desk_id == desk_id, Slot.starts_at >= lo, Slot.starts_at < hi,
               Booking.status != BookingStatus.cancelled)
        .order_by(Slot.starts_at, Booking.id)))


def _by_code(session: Session, code: str) -> Booking:
    booking = session.scalar(select(Booking).where(Booking.code == normalize_code(code)))
    if booking is None:
        raise NotFound("Không tìm thấy lịch hẹn với mã này.")
    return booking


def mark_arrived(session: Session, code: str) -> Booking:
    booking = _by_code(session, code)
    if booking.status not in (BookingStatus.booked, BookingStatus.arrived):
        raise BookingError("Lịch hẹn này không còn hiệu lực.")
    booking.status = BookingStatus.arrived
    session.flush()
    return booking


def mark_no_show(session: Session, code: str, now: datetime | None = None) -> Booking:
    """After the slot started, a citizen who did not come: the seat is NOT given back."""
    booking = _by_code(session, code)
    if booking.status != BookingStatus.booked:
        raise BookingError("Lịch hẹn này không còn hiệu lực.")
    if _utc(booking.slot.starts_at) > _now(now):
        raise BookingError("Khung giờ chưa bắt đầu.")
    booking.status = BookingStatus.no_show
    session.flush()
    return booking
