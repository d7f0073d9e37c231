"""Booking a turn at a one-stop desk (issue 8) on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedback_router.booking.service import (
    AlreadyBooked,
    Booking,
    BookingError,
    BookingStatus,
    Desk,
    DeskKind,
    NotOwner,
    Slot,
    SlotClosed,
    SlotFull,
    TooLate,
    book,
    cancel,
    day_list,
    due_reminders,
    enqueue_reminders,
    free_slots,
    local,
    mark_arrived,
    mark_no_show,
    move,
    publish_slots,
)
from feedback_router.core.codes import ALPHABET
from feedback_router.core.db import make_engine
from feedback_router.messaging.models import Outbox

DAY = date(2030, 3, 12)  # a Tuesday, far enough ahead to stay in the future
NOW = datetime(2030, 3, 11, 2, 0, tzinfo=timezone.utc)  # 09:00 in Hanoi, the day before
DESK = "mot-cua-phuong-lang"
CODE_RE = re.compile(r"^LH-1203-[" + ALPHABET + r"]{4}$")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    with Session(eng) as s:
        s.add(Desk(id=DESK, name="Bộ phận một cửa UBND phường Láng", kind=DeskKind.ward_one_stop,
                   unit_id="ubnd-phuong-lang"))
        s.commit()
    yield eng
    eng.dispose()


def _publish(engine: Engine, **kw: object) -> list[int]:
    with Session(engine) as s:
        ids = [slot.id for slot in publish_slots(s, DESK, DAY, **kw)]  # type: ignore[arg-type]
        s.commit()
    return ids


def _slot(engine: Engine, slot_id: int) -> Slot:
    with Session(engine) as s:
        slot = s.get(Slot, slot_id)
        assert slot is not None
        return slot


def test_publish_and_free_slots_in_order(engine: Engine) -> None:
    ids = _publish(engine)
    with Session(engine) as s:
        slots = [s.get(Slot, i) for i in ids]
        times = [local(x.starts_at).strftime("%H:%M") for x in slots if x]
        assert times == ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00"]
        assert all(x and x.capacity == 3 and x.booked == 0 for x in slots)
        assert publish_slots(s, DESK, DAY)[0].id == ids[0]  # idempotent
        s.commit()
        assert s.scalar(select(func.count()).select_from(Slot)) == 7
    for i in range(3):
        book(engine, slot_id=ids[0], sender_id=f"zalo:{i}", procedure="Chứng thực bản sao", now=NOW)
    with Session(engine) as s:
        nearest = free_slots(s, DESK, after=NOW)
        assert [x.id for x in nearest] == ids[1:4]  # 08:00 is full: skipped
        after_9 = datetime.combine(DAY, datetime.min.time()).replace(hour=2, tzinfo=timezone.utc)
        assert [local(x.starts_at).strftime("%H:%M") for x in free_slots(s, DESK, after_9, limit=2)] \
            == ["09:30", "10:00"]
        assert free_slots(s, DESK, after=NOW + timedelta(days=5)) == []


def test_book_cancel_move_and_owner(engine: Engine) -> None:
    ids = _publish(engine, capacity=1)
    b = book(engine, slot_id=ids[0], sender_id="telegram:7", procedure="Đăng ký khai sinh", now=NOW)
    assert CODE_RE.match(b.code) and b.status == BookingStatus.booked and b.slot.booked == 1
    with pytest.raises(SlotFull):
        book(engine, slot_id=ids[0], sender_id="telegram:8", procedure="x", now=NOW)
    ids2 = _publish(engine, start="14:00", end="15:00", capacity=2)
    first = book(engine, slot_id=ids2[0], sender_id="telegram:7", procedure="x", now=NOW)
    with pytest.raises(AlreadyBooked):  # one active booking per contact per slot
        book(engine, slot_id=ids2[0], sender_id="telegram:7", procedure="x", now=NOW)
    assert _slot(engine, ids2[0]).booked == 1
    with pytest.raises(SlotClosed):
        book(engine, slot_id=ids2[1], sender_id="telegram:9", procedure="x", now=NOW + timedelta(days=3))

    with pytest.raises(NotOwner):  # somebody else, even with the same number on another channel
        cancel(engine, b.code, "zalo:7", now=NOW)
    assert _slot(engine, ids[0]).booked == 1
    moved = move(engine, b.code.lower(), "telegram:7", ids[1], now=NOW)
    assert moved.slot_id == ids[1] and moved.code == b.code
    assert (_slot(engine, ids[0]).booked, _slot(engine, ids[1]).booked) == (0, 1)
    with pytest.raises(AlreadyBooked):  # telegram:7 already holds ids[1]
        move(engine, first.code, "telegram:7", ids[1], now=NOW)
    other = book(engine, slot_id=ids2[0], sender_id="telegram:9", procedure="x", now=NOW)
    with pytest.raises(SlotFull):  # ids[1] has capacity 1 and is now taken
        move(engine, other.code, "telegram:9", ids[1], now=NOW)
    assert _slot(engine, ids2[0]).booked == 2  # a failed move keeps the old seat
    with pytest.raises(NotOwner):
        move(engine, b.code, "telegram:8", ids[2], now=NOW)

    cancelled = cancel(engine, b.code, "telegram:7", now=NOW)
    assert cancelled.status == BookingStatus.cancelled and _slot(engine, ids[1]).booked == 0
    with pytest.raises(BookingError):
        cancel(engine, b.code, "telegram:7", now=NOW)
    assert _slot(engine, ids[1]).booked == 0  # cancelling twice frees nothing twice
    again = book(engine, slot_id=ids[1], sender_id="telegram:8", procedure="x", now=NOW)
    assert again.slot.booked == 1
    # the partial unique index backs the rule at the database level
    with Session(engine) as s, pytest.raises(IntegrityError):
        s.add(Booking(code="LH-1203-AAAA", slot_id=ids2[0], contact_id=first.contact_id, procedure="x"))
        s.commit()


def test_reminders_enqueued_once(engine: Engine) -> None:
    ids = _publish(engine)
    a = book(engine, slot_id=ids[2], sender_id="telegram:1", procedure="Cấp bản sao trích lục", now=NOW)
    b = book(engine, slot_id=ids[0], sender_id="zalo:2", procedure="Chứng thực", now=NOW)
    c = book(engine, slot_id=ids[1], sender_id="web:3", procedure="x", now=NOW)
    cancel(engine, c.code, "web:3", now=NOW)
    with Session(engine) as s:
        publish_slots(s, DESK, DAY + timedelta(days=1))
        s.commit()
        two_days = free_slots(s, DESK, after=datetime(2030, 3, 12, 12, 0, tzinfo=timezone.utc), limit=1)[0].id
    book(engine, slot_id=two_days, sender_id="web:4", procedure="x", now=NOW)
    with Session(engine) as s:
        # 09:00 local on the 11th: only the 12th is due: the 13th is not due yet
        assert [x.code for x in due_reminders(s, NOW)] == [b.code, a.code]
        rows = enqueue_reminders(s, NOW)
        s.commit()
        assert [r.dedupe_key for r in rows] == [f"booking-reminder:{b.code}", f"booking-reminder:{a.code}"]
        text = rows[1].text
        assert a.code in text and "Bộ phận một cửa UBND phường Láng" in text and "09:00" in text
        assert "12/03/2030" in text and rows[1].recipient == "telegram:1" and rows[1].channel == "telegram"
    with Session(engine) as s:
        assert enqueue_reminders(s, NOW + timedelta(hours=3)) == []
        s.commit()
        assert s.scalar(select(func.count()).select_from(Outbox)) == 2
        assert s.scalar(select(Booking).where(Booking.code == a.code)).reminded_at is not None


def test_day_list_arrival_and_no_show_frees_nothing(engine: Engine) -> None:
    ids = _publish(engine, capacity=2)
    a = book(engine, slot_id=ids[0], sender_id="telegram:1", procedure="Khai sinh", now=NOW)
    b = book(engine, slot_id=ids[0], sender_id="telegram:2", procedure="Kết hôn", now=NOW)
    c = book(engine, slot_id=ids[3], sender_id="telegram:3", procedure="Chứng thực", now=NOW)
    cancel(engine, c.code, "telegram:3", now=NOW)
    at_desk = datetime(2030, 3, 12, 1, 10, tzinfo=timezone.utc)  # 08:10 local, first slot started
    with Session(engine) as s:
        assert [x.code for x in day_list(s, DESK, DAY)] == [a.code, b.code]
        assert day_list(s, DESK, DAY + timedelta(days=1)) == []
        assert mark_arrived(s, a.code).status == BookingStatus.arrived
        with pytest.raises(BookingError):  # not started yet
            mark_no_show(s, c.code, now=at_desk)
        assert mark_no_show(s, b.code, now=at_desk).status == BookingStatus.no_show
        s.commit()
    assert _slot(engine, ids[0]).booked == 2  # the no-show's seat is not given back
    with pytest.raises(SlotClosed):
        book(engine, slot_id=ids[0], sender_id="telegram:4", procedure="x", now=at_desk)
    with pytest.raises(BookingError):
        cancel(engine, b.code, "telegram:2", now=at_desk)
    d = book(engine, slot_id=ids[1], sender_id="telegram:5", procedure="x", now=NOW)
    with pytest.raises(TooLate):  # a slot that has started never gives capacity back
        cancel(engine, d.code, "telegram:5", now=datetime(2030, 3, 12, 1, 40, tzinfo=timezone.utc))
    assert _slot(engine, ids[1]).booked == 1


def test_concurrent_booking_never_overbooks(engine: Engine) -> None:
    slot_id = _publish(engine, start="08:00", end="08:30", capacity=1)[0]
    n = 20
    barrier = threading.Barrier(n)
    results: list[str] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        barrier.wait()
        try:
            book(engine, slot_id=slot_id, sender_id=f"telegram:{100 + i}", procedure="x", now=NOW)
            outcome = "ok"
        except SlotFull:
            outcome = "full"
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcome = f"error: {exc!r}"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["full"] * 19 + ["ok"], results
    with Session(engine) as s:
        assert s.get(Slot, slot_id).booked == 1
        assert s.scalar(select(func.count()).select_from(Booking)) == 1


def test_same_citizen_racing_gets_one_booking(engine: Engine) -> None:
    slot_id = _publish(engine, start="08:00", end="08:30", capacity=5)[0]
    barrier = threading.Barrier(8)
    results: list[str] = []
    lock = threading.Lock()

    def one() -> None:
        barrier.wait()
        try:
            book(engine, slot_id=slot_id, sender_id="telegram:42", procedure="x", now=NOW)
            outcome = "ok"
        except AlreadyBooked:
            outcome = "dup"
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcome = f"error: {exc!r}"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["dup"] * 7 + ["ok"], results
    assert _slot(engine, slot_id).booked == 1


def test_book_inside_the_callers_transaction(engine: Engine) -> None:
    slot_id = _publish(engine, capacity=2)[0]
    with Session(engine) as s:
        b = book(s, slot_id=slot_id, sender_id="web:1", procedure="x", now=NOW)
        with pytest.raises(AlreadyBooked):
            book(s, slot_id=slot_id, sender_id="web:1", procedure="x", now=NOW)
        assert s.get(Slot, slot_id).booked == 1  # the refused attempt gave its seat back
        s.rollback()  # nothing is kept unless the caller commits
    assert _slot(engine, slot_id).booked == 0
    with Session(engine) as s:
        assert s.scalar(select(Booking).where(Booking.code == b.code)) is None
