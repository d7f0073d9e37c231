"""A location shared once serves "gần đây" questions for the rest of the conversation (issue 16:
sharing a location and then asking "gần đây có di tích nào" answered "Bạn bấm Gửi vị trí").
Web chat → real Rasa → real actions; the point survives a report filed in between (filing a
report empties the form's latitude/longitude slots)."""

from __future__ import annotations

import uuid

from tests.conftest import Stack
from tests.test_e2e_conversation import joined, say

VAN_MIEU = {"latitude": 21.0285, "longitude": 105.8355}  # at the Temple of Literature's gate


def test_shared_location_answers_nearby_questions_later(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    ack = joined(say(stack, sender, location=VAN_MIEU))
    assert "Đã nhận vị trí" in ack and "phường" in ack, ack

    near = joined(say(stack, sender, "gần đây có di tích nào"))
    assert "Gửi vị trí" not in near and "Gần bạn nhất:" in near, near
    assert "Văn Miếu" in near.split("\n")[1], near  # the closest first, measured from the shared point

    # a report in between, then the same question: the point is still remembered
    say(stack, sender, "Ở ngõ 12 Láng Hạ rác thải ba ngày không ai thu gom")
    say(stack, sender, "phường Láng")
    assert "HN-" in joined(say(stack, sender, "/affirm"))
    again = joined(say(stack, sender, "gần đây có di tích nào"))
    assert "Gần bạn nhất:" in again and "Văn Miếu" in again.split("\n")[1], again


def test_english_visitor_asks_what_is_near_after_sharing(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    say(stack, sender, "Hello, I am visiting Hanoi")
    ack = joined(say(stack, sender, location=VAN_MIEU))
    assert "Location received" in ack, ack
    near = joined(say(stack, sender, "What's near here?"))
    assert "Closest to you:" in near and "Temple of Literature" in near, near
