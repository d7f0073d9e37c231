"""What the chat needs around feedback_router.booking.service: which desk takes a procedure in a ward,
the nearest free slots for a spoken day/time, and the sentences that confirm a booking.

Kept apart from the Rasa actions so the dashboard, tests and the hotline use the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from feedback_router.booking.service import HANOI, Booking, BookingStatus, DeskKind, Slot, local
from feedback_router.booking.dates import AFTERNOON, EVENING, MORNING, PART_HOURS, When
from feedback_router.booking.desks import (
    DeskInfo,
    desk_data,
    is_public_holiday,
    last_planned_start,
    seed_days,
    seed_slots,
)
from feedback_router.contacts import get_or_create_contact
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


PART_VI = {MORNING: "buổi sáng", AFTERNOON: "buổi chiều", EVENING: "buổi tối"}
_SCAN_LIMIT = 400  # free slots looked through for a part of day: more than BOOKING_SEED_DAYS' worth


@dataclass(frozen=True)
class Offer:
    """Slots to offer and, when they are not what was asked, the sentence that says so: a
    requested day or part of day is honoured or refused out loud, never swapped silently."""

    slots: list[Slot]
    notice: str | None = None  # why the asked day/part is not offered ("Thứ Bảy 05/12 … không làm việc.")
    part: str | None = None  # the part of day every offered slot is in, when one was asked and kept


def _part_of(slot: Slot) -> str:
    at = local(slot.starts_at).time()
    return next(p for p, (lo, hi) in PART_HOURS.items() if lo <= at < hi or p == EVENING)


def _fits(slot: Slot, when: When) -> bool:
    """In the asked part of day and, when a clock time was said, not before it ("9 giờ" on a
    closed day: 9:00 on the next open one, not 8:00)."""
    at = local(slot.starts_at)
    if when.at is not None and at.time() < (datetime.combine(at.date(), when.at) - timedelta(minutes=29)).time():
        return False
    return _part_of(slot) == when.part


def day_label(day: date) -> str:
    return f"{WEEKDAYS_VI[day.weekday()]} {day:%d/%m}"


def _why_not(desk: DeskInfo, when: When, now: datetime) -> str:
    """Why nothing is free on the day (and part of day) asked, in one sentence."""
    assert when.day is not None
    label = day_label(when.day)
    part = PART_VI.get(when.part or "", "")
    if is_public_holiday(when.day):
        return f"{label[0].upper()}{label[1:]} là ngày nghỉ lễ, {desk.name} không làm việc."
    sessions = desk.schedule.sessions_on(when.day)
    if not sessions:
        return f"{desk.name} không làm việc {label}."
    if when.part is not None:
        lo, hi = PART_HOURS[when.part]
        if not any(start < hi and end > lo for start, end in sessions):
            return f"{desk.name} không làm việc {part} {label}."
    asked = f"{part} {label}".strip()
    latest = when.latest()
    if latest is not None and latest <= now:
        return f"{asked[0].upper()}{asked[1:]} đã qua."
    return f"{asked[0].upper()}{asked[1:]} đã kín lịch."


def _free_after(desk_id: str, moment: datetime) -> Select[tuple[Slot]]:
    return select(Slot).where(Slot.desk_id == desk_id, Slot.booked < Slot.capacity,
                              Slot.starts_at > moment.astimezone(timezone.utc)).order_by(Slot.starts_at, Slot.id)


def propose(session: Session, desk_id: str, when: When, now: datetime, limit: int = 3) -> Offer:
    """The nearest free slots fitting ``when``: in the asked window first (nearest to the asked
    clock time); else, when a part of day was asked, the nearest slots in that part of later
    days; else the nearest after it, with a notice saying why the asked ones are not offered."""
    earliest = max(when.earliest(now), now)
    latest = when.latest()
    ensure_slots(session, desk_id, latest, now)
    desk = desk_data().desks[desk_id]
    base = _free_after(desk_id, earliest)
    if latest is not None:
        inside = list(session.scalars(base.where(Slot.starts_at < latest.astimezone(timezone.utc)).limit(limit)))
        if inside:
            kept = when.part if all(_part_of(s) == when.part for s in inside) else None
            return Offer(inside, None, kept)
    day_notice = _why_not(desk, when, now) if when.day is not None else None
    if when.part is not None:
        later = [s for s in session.scalars(base.limit(_SCAN_LIMIT)) if _fits(s, when)][:limit]
        if later:
            return Offer(later, day_notice, when.part)
        whole_day = max(When(day=when.day).earliest(now), now)  # the asked day's other parts, then later
        nearest = list(session.scalars(_free_after(desk_id, whole_day).limit(limit)))
        left = sorted({_part_of(s) for s in nearest}, key=list(PART_VI).index)
        only = " và ".join(PART_VI[p] for p in left)
        refusal = f"{desk.name} không còn giờ trống {PART_VI[when.part]} trong những ngày tới" + \
            (f"; chỉ còn {only}." if only else ".")
        return Offer(nearest, " ".join(x for x in (day_notice, refusal) if x), None)
    return Offer(list(session.scalars(base.limit(limit))), day_notice, None)


def offer(session: Session, desk_id: str, when: When, now: datetime, limit: int = 3) -> list[Slot]:
    return propose(session, desk_id, when, now, limit).slots


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

