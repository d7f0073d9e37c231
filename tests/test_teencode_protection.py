"""Teencode expansion never rewrites inside codes, URLs, e-mails, numbers or known names (issue 16)."""

from __future__ import annotations

import pytest

from nlu.text import expand_teencode, normalize


@pytest.mark.parametrize("text", [
    "I visited washington dc last year",
    "Washington DC and Hanoi",
    "mã HN-0412-AB1K",
    "lịch LH-0312-K7DC",
    "xem https://dc.gov.vn/k?ko=1",
    "gửi về k.dc@mail.vn nhé",
    "nhạc k-pop",
    "giá 7k một vé, 3g",
])
def test_protected_spans_are_kept_as_typed(text: str) -> None:
    assert expand_teencode(text) == text


def test_teencode_is_still_expanded_around_them() -> None:
    assert expand_teencode("ko dc, mã HN-0412-AB1K k ai xử lý") == "không được, mã HN-0412-AB1K không ai xử lý"
    assert normalize("rác ở p.Láng ko ai dọn, xem https://x.vn/k") == "rác ở phường Láng không ai dọn, xem https://x.vn/k"
