"""The one clock (nlu.clock): Hanoi dates on ticket codes whatever the server's zone, and the
test switch CLOCK_FROZEN_AT that a production process never honours."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from feedback_router.core.codes import new_code
from feedback_router.core.db import make_engine
from feedback_router.tickets.service import create_ticket
from feedback_router.civic.suggestions import create_suggestion
from nlu import clock

# 00:14 on Saturday 05/12 in Hanoi is still Friday 04/12 on a UTC server
AFTER_MIDNIGHT = datetime(2026, 12, 4, 17, 14, tzinfo=timezone.utc)


def test_now_is_aware_utc_and_hanoi_is_seven_hours_ahead() -> None:
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        assert clock.now() == AFTER_MIDNIGHT and clock.now().utcoffset() == timedelta(0)
        assert clock.hanoi_now().isoformat() == "2026-12-05T00:14:00+07:00"
        assert clock.hanoi_today() == date(2026, 12, 5)
        assert new_code().startswith("HN-0512-")
    assert clock.to_hanoi(datetime(2026, 12, 4, 17, 14)).day == 5  # naive (SQLite) means UTC


def test_codes_carry_the_hanoi_day(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        ticket = create_ticket(category="waste", description="Rác thải không ai thu gom ở ngõ 5",
                               sender_id="web:clock", engine=engine, now=AFTER_MIDNIGHT)
        assert ticket.code.startswith("HN-0512-"), ticket.code
        with time_machine.travel(AFTER_MIDNIGHT, tick=False):  # no now= given: the clock's
            suggestion = create_suggestion(text="Nên trồng thêm cây xanh ở công viên Thống Nhất",
                                           sender_id="web:clock", publish=False, engine=engine)
            again = create_ticket(category="noise", description="Karaoke ồn ào sau 23 giờ ở ngõ 7",
                                  sender_id="web:clock2", engine=engine)
        assert suggestion.code.startswith("GY-0512-") and again.code.startswith("HN-0512-")
    finally:
        engine.dispose()


def test_frozen_instant_outside_production_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.FROZEN_AT_ENV, "2027-02-03T14:00+07:00")
    monkeypatch.setenv(clock.TICK_ENV, "0")
    monkeypatch.delenv(clock.MODE_ENV, raising=False)
    assert clock.hanoi_now().isoformat() == "2027-02-03T14:00:00+07:00"
    monkeypatch.setenv(clock.MODE_ENV, "test")
    assert clock.hanoi_today() == date(2027, 2, 3)
    monkeypatch.setenv(clock.MODE_ENV, "production")
    assert clock.hanoi_today() != date(2027, 2, 3)  # a stray variable never moves production's clock


def test_frozen_instant_ticks_unless_told_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.MODE_ENV, raising=False)
    monkeypatch.delenv(clock.TICK_ENV, raising=False)
    monkeypatch.setenv(clock.FROZEN_AT_ENV, "2026-12-10T23:59:59.950+07:00")
    first = clock.now()
    time.sleep(0.1)
    second = clock.now()
    assert clock.parse_instant("2026-12-10T23:59:59.950+07:00") <= first < second  # events keep their order
    assert clock.to_hanoi(second).date() == date(2026, 12, 11)


def test_an_instant_without_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="offset"):
        clock.parse_instant("2026-12-04T16:30")
