"""What the chat needs around feedback_router.booking: which desk takes a procedure in a ward,
the nearest free slots for a spoken day/time, and the sentences that confirm a booking.

Kept apart from the Rasa actions so the dashboard, tests and the hotline use the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.booking import HANOI, Booking, BookingStatus, DeskKind, Slot, local
from feedback_router.booking_dates import When
from feedback_router.desks import DeskInfo, desk_data, last_planned_start, seed_days, seed_slots
from feedback_router.service import get_or_create_contact
from tourism.procedures import Procedure, find_procedure, get_procedure

RECEPTION = "tiep-cong-dan"  # pseudo procedure id: a citizen reception session
WEEKDAYS_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


@dataclass(frozen=True)
class DeskChoice:
    desk: DeskInfo | None
    reason: str | None  # why there is no desk (a sentence for the citizen)


def match_procedure(text: str) -> Procedure | None:
    found = find_procedure(text, limit=1)
    return found[0][0] if found else None


def is_reception_request(folded: str) -> bool:
    return "tiep cong dan" in folded or "gap lanh dao" in folded or "gap chu tich" in folded


def desk_kind_for(procedure_id: str | None) -> DeskKind | None:
    """None: a known procedure that is not done at any booking desk (e.g. a passport)."""
    if procedure_id == RECEPTION:
        return DeskKind.citizen_reception
    kinds = desk_data().procedures
    if procedure_id in kinds:
        return kinds[procedure_id]
    if procedure_id is None or get_procedure(procedure_id) is None:
        return DeskKind.ward_one_stop  # not named: the ward's one-stop desk takes most things
    return None


def needs_ward(procedure_id: str | None) -> bool:
    """City centre procedures are booked at the city's centre; every other kind needs a ward
    (a reception session without a ward goes to the city's)."""
    return desk_kind_for(procedure_id) in (DeskKind.ward_one_stop, DeskKind.ward_police)


def choose_desk(procedure_id: str | None, ward_unit_id: str | None) -> DeskChoice:
    data = desk_data()
    kind = desk_kind_for(procedure_id)
    if kind is None:
        proc = get_procedure(procedure_id or "")
        where = proc.where if proc and proc.where else "cơ quan có thẩm quyền"
        return DeskChoice(None, f"Thủ tục {proc.name_vi if proc else ''} không đặt lịch tại bộ phận một cửa; "
                                f"nơi giải quyết: {where}.")
    if kind in (DeskKind.city_service_centre,) or (kind == DeskKind.citizen_reception and not ward_unit_id):
        desks = data.city_desks(kind)
        return DeskChoice(desks[0] if desks else None, None if desks else "Chưa có quầy nhận lịch hẹn.")
    if not ward_unit_id:
        return DeskChoice(None, None)
    desk = data.for_ward(ward_unit_id, kind)
    return DeskChoice(desk, None if desk else "Phường/xã này chưa nhận lịch hẹn trực tuyến.")


def ensure_slots(session: Session, desk_id: str, until: datetime | None, now: datetime) -> None:
    """Slots are seeded daily by the worker; a citizen asking for a desk (or a day further
    ahead) gets them created on the spot, idempotently."""
    today = now.astimezone(HANOI).date()
    days = seed_days()
    if until is not None:
        days = max(days, min((until.astimezone(HANOI).date() - today).days + 1, 120))
    desk = desk_data().desks[desk_id]
    last = last_planned_start(desk, today, days)
    if last is None or session.scalar(select(Slot.id).where(Slot.desk_id == desk_id, Slot.starts_at == last)):
        return  # already published up to the last planned slot (the usual case: one indexed lookup)
    seed_slots(session, days=days, today=today, desk_ids=[desk_id])


def offer(session: Session, desk_id: str, when: When, now: datetime, limit: int = 3) -> list[Slot]:
    """The nearest free slots fitting ``when``: in the asked window first (nearest to the asked
    clock time), else the nearest after it."""
    earliest = when.earliest(now)
    latest = when.latest()
    ensure_slots(session, desk_id, latest, now)
    base = select(Slot).where(Slot.desk_id == desk_id, Slot.booked < Slot.capacity,
                              Slot.starts_at > max(earliest, now).astimezone(timezone.utc))
    if latest is not None:
        inside = list(session.scalars(base.where(Slot.starts_at < latest.astimezone(timezone.utc))
                                      .order_by(Slot.starts_at, Slot.id).limit(limit)))
        if inside:
            return inside
    return list(session.scalars(base.order_by(Slot.starts_at, Slot.id).limit(limit)))


def slot_label(slot: Slot) -> str:
    at = local(slot.starts_at)
    return f"{at:%H:%M} {WEEKDAYS_VI[at.weekday()]} {at:%d/%m}"


def active_bookings(session: Session, sender_id: str, now: datetime) -> list[Booking]:
    contact = get_or_create_contact(session, sender_id)
    return list(session.scalars(
        select(Booking).join(Slot, Booking.slot_id == Slot.id)
        .where(Booking.contact_id == contact.id, Booking.status == BookingStatus.booked,
               Slot.starts_at > now.astimezone(timezone.utc))
        .order_by(Slot.starts_at)))


def papers_text(procedure_id: str | None) -> str:
    proc = get_procedure(procedure_id or "") if procedure_id and procedure_id != RECEPTION else None
    if proc is None or not proc.papers:
        return "Giấy tờ cần mang: thẻ căn cước (hoặc giấy tờ tùy thân) và hồ sơ liên quan."
    return "Giấy tờ cần mang:\n" + "\n".join(f"• {p}" for p in proc.papers)


def procedure_name(procedure_id: str | None) -> str:
    if procedure_id == RECEPTION:
        return "Tiếp công dân"
    proc = get_procedure(procedure_id or "") if procedure_id else None
    return proc.name_vi if proc else "Thủ tục hành chính"


def confirmation(booking: Booking, procedure_id: str | None, moved: bool = False, hotline: bool = False) -> str:
    """``hotline``: a phone line gets no reminder message, so the caller is asked to note the code."""
    desk = desk_data().desks.get(booking.slot.desk_id)
    at = local(booking.slot.starts_at)
    head = "Đã đổi lịch hẹn" if moved else "Đã đặt lịch hẹn"
    where = f"{desk.name}, {desk.address}" if desk else booking.slot.desk.name
    return (f"{head}. Mã lịch hẹn: {booking.code}.\n"
            f"• {procedure_name(procedure_id)}: {at:%H:%M} {WEEKDAYS_VI[at.weekday()]} ngày {at:%d/%m/%Y}\n"
            f"• Địa điểm: {where}\n"
            f"{papers_text(procedure_id)}\n"
            + (f"Tổng đài không gửi được tin nhắn nhắc lịch, bạn ghi lại mã {booking.code} giúp tôi. "
               f"Muốn huỷ hoặc đổi giờ: gọi lại tổng đài và nói \"huỷ lịch {booking.code}\" "
               "hoặc \"đổi lịch sang …\"." if hotline else
               f"Hôm trước ngày hẹn tôi sẽ nhắc bạn tại đây. Muốn huỷ: nhắn \"huỷ lịch {booking.code}\"; "
               "muốn đổi giờ: nhắn \"đổi lịch sang …\"."))

