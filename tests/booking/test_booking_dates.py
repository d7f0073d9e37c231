"""Vietnamese day/time expressions and answers to an offer of slots (feedback_router.booking.dates)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from feedback_router.booking.dates import AFTERNOON, EVENING, HANOI, MORNING, When, parse_when, pick_option

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=HANOI)  # a Tuesday, 09:00 in Hanoi


@pytest.mark.parametrize(("text", "day", "part", "at"), [
    ("mai tôi muốn làm căn cước ở phường Láng", date(2026, 12, 2), None, None),
    ("sáng mai", date(2026, 12, 2), MORNING, None),
    ("chiều mai", date(2026, 12, 2), AFTERNOON, None),
    ("đổi sang chiều mai", date(2026, 12, 2), AFTERNOON, None),
    ("doi sang chieu mai", date(2026, 12, 2), AFTERNOON, None),
    ("dat lich lam can cuoc sang mai", date(2026, 12, 2), MORNING, None),
    ("thứ hai", date(2026, 12, 7), None, None),
    ("thứ 2 tuần sau", date(2026, 12, 7), None, None),
    ("sáng thứ 6", date(2026, 12, 4), MORNING, None),
    ("thu sau", date(2026, 12, 4), None, None),
    ("t7", date(2026, 12, 5), None, None),
    ("chủ nhật", date(2026, 12, 6), None, None),
    ("thứ ba", date(2026, 12, 1), None, None),  # today is a Tuesday: today
    ("25/12", date(2026, 12, 25), None, None),
    ("ngày 25-12-2027", date(2027, 12, 25), None, None),
    ("15/11", date(2027, 11, 15), None, None),  # passed this year: next year
    ("ngày 15 tháng 1", date(2027, 1, 15), None, None),
    ("ngày 5", date(2026, 12, 5), None, None),
    ("ngày kia", date(2026, 12, 3), None, None),
    ("ngày mốt", date(2026, 12, 3), None, None),
    ("hôm nay", date(2026, 12, 1), None, None),
    ("chiều nay", date(2026, 12, 1), AFTERNOON, None),
    ("tuần sau", date(2026, 12, 7), None, None),
    ("9 giờ", None, MORNING, time(9, 0)),
    ("9h30 sáng mai", date(2026, 12, 2), MORNING, time(9, 30)),
    ("2 giờ chiều thứ 5", date(2026, 12, 3), AFTERNOON, time(14, 0)),
    ("2 giờ", None, AFTERNOON, time(14, 0)),  # a desk's "2 o'clock" is 14:00
    ("14:30 ngày kia", date(2026, 12, 3), AFTERNOON, time(14, 30)),
    ("chín giờ rưỡi sáng mai", date(2026, 12, 2), MORNING, time(9, 30)),
    ("7 giờ tối", None, EVENING, time(19, 0)),
    ("toi muon dat lich", None, None, None),  # "toi" = "I", not "evening"
])
def test_parse_when(text: str, day: date | None, part: str | None, at: time | None) -> None:
    assert parse_when(text, NOW) == When(day=day, part=part, at=at)


def test_decomposed_unicode_and_garbage() -> None:
    import unicodedata

    assert parse_when(unicodedata.normalize("NFD", "chiều thứ sáu"), NOW) == When(date(2026, 12, 4), AFTERNOON)
    assert not parse_when("", NOW)
    assert not parse_when("31/02", NOW)  # no such day: nothing, not a crash
    assert not parse_when("x" * 10_000, NOW)


def test_window_of_a_request() -> None:
    afternoon = parse_when("chiều mai", NOW)
    assert afternoon.earliest(NOW) == datetime(2026, 12, 2, 12, 0, tzinfo=HANOI)
    assert afternoon.latest() == datetime(2026, 12, 2, 18, 0, tzinfo=HANOI)
    nine = parse_when("9 giờ", NOW)
    assert nine.earliest(NOW) == NOW and nine.latest() is None  # no day: from now on
    today = parse_when("hôm nay", NOW)
    assert today.earliest(NOW) == NOW  # never in the past


STARTS = [datetime(2026, 12, 2, h, m, tzinfo=HANOI) for h, m in ((8, 0), (8, 30), (9, 0))]


@pytest.mark.parametrize(("answer", "index"), [
    ("9 giờ", 2), ("chín giờ", 2), ("9h", 2), ("8:30", 1), ("8h30", 1), ("8 giờ rưỡi", 1),
    ("cái đầu tiên", 0), ("đầu tiên", 0), ("số 2", 1), ("so 2", 1), ("số hai", 1), ("2", 1),
    ("cái thứ hai", 1), ("cuối cùng", 2), ("1. 08:00 thứ Tư 02/12", 0), ("3. 09:00 thứ Tư 02/12", 2),
    ("10 giờ", None), ("số 7", None), ("không biết", None), ("thứ hai", None), ("", None),
])
def test_pick_option(answer: str, index: int | None) -> None:
    assert pick_option(answer, STARTS) == index


def test_pick_option_reads_naive_utc_from_sqlite_as_utc() -> None:
    from datetime import timezone

    starts = [s.astimezone(timezone.utc) for s in STARTS]
    assert pick_option("9 giờ", starts) == 2
    assert pick_option("số 1", []) is None
