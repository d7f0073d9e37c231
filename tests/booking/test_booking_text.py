"""What the booking actions read from a message: the procedure (request words left out) and
the moment, completed by what was asked before."""

from __future__ import annotations

import pytest

from bot.booking_actions import _decode_when, _procedure_from, _when_from


@pytest.mark.parametrize(("text", "procedure"), [
    ("mai tôi muốn làm căn cước ở phường Láng", "cap-the-can-cuoc"),
    ("dat lich lam can cuoc o phuong cau giay chieu thu 3", "cap-the-can-cuoc"),
    ("đặt lịch chứng thực bản sao giúp tôi", "chung-thuc-ban-sao"),
    ("tôi muốn đặt lịch làm phiếu lý lịch tư pháp", "phieu-ly-lich-tu-phap"),
    ("dat lich lam ho chieu", "cap-ho-chieu"),  # "chieu" here is hộ chiếu, not chiều
    ("lam so do", "cap-so-do-lan-dau"),
    ("đặt lịch tiếp công dân", "tiep-cong-dan"),
    ("đổi sang chiều mai", None),  # not "cấp đổi thẻ căn cước"
    ("doi sang chieu mai", None),
    ("tôi muốn đặt lịch hẹn", None),
    ("lấy số thứ tự trước được không", None),
    ("phường Hoàn Kiếm chiều mai", None),
    ("9 giờ", None),
])
def test_procedure_from_message(text: str, procedure: str | None) -> None:
    assert _procedure_from(text) == procedure


def test_when_keeps_the_day_asked_before() -> None:
    tomorrow_afternoon = _when_from("chiều mai")
    assert tomorrow_afternoon is not None
    nine = _decode_when(_when_from("9 giờ", tomorrow_afternoon))
    before = _decode_when(tomorrow_afternoon)
    assert nine.day == before.day and nine.at is not None and nine.at.hour == 9 and nine.part == "morning"
    assert _when_from("không rõ", tomorrow_afternoon) == tomorrow_afternoon
    assert _when_from("phường Bạch Mai") is None  # the ward's name is not "mai" (tomorrow)
