"""Desk staff dashboard: the day's list of a desk, marking arrivals; operators see only their
unit's desks; every POST needs the CSRF token (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone

import pytest
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.gateway import Gateway
from bot.web import create_app
from feedback_router.staff.auth import create_user
from feedback_router.booking.service import Booking, BookingStatus, Slot, book, cancel, publish_slots
from feedback_router.core.db import make_engine, session_scope
from nlu import clock
from scripts.procs import free_port
from tests.lifecycle.conftest import PASSWORD, login

DAY = date(2030, 3, 12)
NOW = datetime(2030, 3, 11, 2, 0, tzinfo=timezone.utc)
DESK = "ubnd-phuong-lang-mot-cua"
OTHER_DESK = "ubnd-phuong-hoan-kiem-mot-cua"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    with session_scope(eng) as s:
        create_user(s, "lang", PASSWORD, "operator", "ubnd-phuong-lang")
        create_user(s, "hoankiem", PASSWORD, "operator", "ubnd-phuong-hoan-kiem")
        create_user(s, "sup", PASSWORD, "supervisor")
    yield eng
    eng.dispose()


@pytest.fixture
def app(engine: Engine) -> Flask:
    return create_app({"GATEWAY": Gateway(f"http://127.0.0.1:{free_port()}", timeout=2),
                       "DATABASE_ENGINE": engine, "TESTING": True, "SECRET_KEY": "test-secret"})


def _bookings(engine: Engine) -> dict[str, str]:
    with Session(engine) as s:
        slots = [x.id for x in publish_slots(s, DESK, DAY, capacity=2)]
        other = publish_slots(s, OTHER_DESK, DAY)[0].id
        s.commit()
    a = book(engine, slot_id=slots[0], sender_id="hotline:0912345678", procedure="Đăng ký khai sinh", now=NOW)
    b = book(engine, slot_id=slots[1], sender_id="telegram:987654321", procedure="Chứng thực bản sao", now=NOW)
    c = book(engine, slot_id=slots[2], sender_id="zalo:55501", procedure="Kết hôn", now=NOW)
    cancel(engine, c.code, "zalo:55501", now=NOW)
    d = book(engine, slot_id=other, sender_id="web:x1", procedure="Khai tử", now=NOW)
    return {"a": a.code, "b": b.code, "cancelled": c.code, "other": d.code}


def _status(engine: Engine, code: str) -> tuple[BookingStatus, int]:
    with Session(engine) as s:
        bk = s.scalar(select(Booking).where(Booking.code == code))
        return bk.status, s.get(Slot, bk.slot_id).booked


def test_day_list_and_arrival(app: Flask, engine: Engine) -> None:
    codes = _bookings(engine)
    client = app.test_client()
    token = login(client, "lang")
    desks = client.get("/dashboard/desks/")
    assert desks.status_code == 200
    page = desks.get_data(as_text=True)
    assert DESK in page and "ubnd-phuong-lang-tiep-cong-dan" in page and OTHER_DESK not in page
    day = client.get(f"/dashboard/desks/{DESK}?day={DAY.isoformat()}")
    assert day.status_code == 200
    html = day.get_data(as_text=True)
    assert html.index(codes["a"]) < html.index(codes["b"])  # by time
    assert codes["cancelled"] not in html and codes["other"] not in html
    assert "Trụ sở UBND phường Láng" in html and "08:00" in html and "Đăng ký khai sinh" in html
    assert "0912345678" not in html and "987654321" not in html and "…678" in html  # masked

    url = f"/dashboard/desks/{DESK}/arrived"
    assert client.post(url, data={"code": codes["a"], "day": DAY.isoformat()}).status_code == 403  # no CSRF
    assert _status(engine, codes["a"]) == (BookingStatus.booked, 1)
    done = client.post(url, data={"code": codes["a"].lower(), "day": DAY.isoformat(), "csrf_token": token})
    assert done.status_code == 302 and DAY.isoformat() in done.headers["Location"]
    assert _status(engine, codes["a"]) == (BookingStatus.arrived, 1)
    assert "đã đến" in client.get(f"/dashboard/desks/{DESK}?day={DAY.isoformat()}").get_data(as_text=True)
    # a no-show before the slot started is refused and changes nothing
    early = client.post(f"/dashboard/desks/{DESK}/no-show", data={"code": codes["b"], "csrf_token": token,
                                                                   "day": DAY.isoformat()}, follow_redirects=True)
    assert "Khung giờ chưa bắt đầu" in early.get_data(as_text=True)
    assert _status(engine, codes["b"]) == (BookingStatus.booked, 1)
    # another desk's booking through this desk's form: not found
    assert client.post(url, data={"code": codes["other"], "csrf_token": token}).status_code == 404
    assert _status(engine, codes["other"])[0] == BookingStatus.booked
    assert client.get(f"/dashboard/desks/{DESK}?day=31-02-2030").status_code == 400


def test_operator_of_another_unit_sees_nothing(app: Flask, engine: Engine) -> None:
    codes = _bookings(engine)
    client = app.test_client()
    token = login(client, "hoankiem")
    assert client.get(f"/dashboard/desks/{DESK}?day={DAY.isoformat()}").status_code == 404
    resp = client.post(f"/dashboard/desks/{DESK}/arrived", data={"code": codes["a"], "csrf_token": token})
    assert resp.status_code == 404
    assert _status(engine, codes["a"]) == (BookingStatus.booked, 1)
    own = client.get(f"/dashboard/desks/{OTHER_DESK}?day={DAY.isoformat()}").get_data(as_text=True)
    assert codes["other"] in own and codes["a"] not in own
    sup = app.test_client()
    login(sup, "sup")
    listing = sup.get("/dashboard/desks/?q=Láng").get_data(as_text=True)
    assert DESK in listing and OTHER_DESK not in listing
    assert codes["a"] in sup.get(f"/dashboard/desks/{DESK}?day={DAY.isoformat()}").get_data(as_text=True)
    anonymous = app.test_client()
    assert anonymous.get(f"/dashboard/desks/{DESK}").status_code == 302  # to the login page


def test_no_show_after_the_slot_started_frees_nothing(app: Flask, engine: Engine) -> None:
    from datetime import timedelta


    yesterday = clock.hanoi_today() - timedelta(days=1)
    with Session(engine) as s:
        slot = publish_slots(s, DESK, yesterday, start="08:00", end="08:30", capacity=1)[0].id
        s.commit()
    before = datetime.combine(yesterday - timedelta(days=1), datetime.min.time(), timezone.utc)
    gone = book(engine, slot_id=slot, sender_id="zalo:777", procedure="Đăng ký khai sinh", now=before)
    client = app.test_client()
    token = login(client, "lang")
    resp = client.post(f"/dashboard/desks/{DESK}/no-show",
                       data={"code": gone.code, "csrf_token": token, "day": yesterday.isoformat()})
    assert resp.status_code == 302
    assert _status(engine, gone.code) == (BookingStatus.no_show, 1)  # the seat is not given back
    page = client.get(f"/dashboard/desks/{DESK}?day={yesterday.isoformat()}").get_data(as_text=True)
    assert "vắng mặt" in page and gone.code in page
