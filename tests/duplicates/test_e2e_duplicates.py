"""The duplicate failures quoted in issue 16, end to end: web chat → real Rasa → real actions
→ database (SQLite and PostgreSQL); Open311 through the real web process.

On the code before this change each of these failed: "ngõ 77 Chùa Bộc, phường Kim Liên"
and "ngõ 45 Kim Mã, phường Giảng Võ" were joined to another ward's ticket, the Open311
request about "ngõ 7 Nguyễn Chí Thanh" to a "ngõ 997 Láng Hạ" ticket 40 m away, the same
English-typed address twice was not joined, the join was announced with two contradicting
messages, the house number of "số 18 phố Huế" was lost and "tôi không biết phường nào" was
appended to the address; a shared location was shown as raw GPS.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.core.db import make_engine
from feedback_router.core.models import Ticket
from scripts import procs
from tests.conftest import Stack
from tests.test_e2e_conversation import joined, say

CODE_RE = re.compile(r"HN-\d{4}-[0-9A-Z]{4}")


def _ticket(db_url: str, code: str) -> Ticket:
    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            ticket = s.scalar(select(Ticket).where(Ticket.code == code))
            assert ticket is not None
            _ = [(e.kind, e.note) for e in ticket.events], ticket.unit.name, list(ticket.followers)
            return ticket
    finally:
        engine.dispose()


def _count(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            return len(list(s.scalars(select(Ticket.id))))
    finally:
        engine.dispose()


def report(stack: Stack, text: str, where: str | None = None, *, location: dict | None = None) -> tuple[str, str]:
    """One citizen's report up to the answer to the summary ("đúng rồi"); returns (sender, reply)."""
    sender = uuid.uuid4().hex
    say(stack, sender, text)
    if location is not None:
        say(stack, sender, location=location)
    elif where is not None:
        say(stack, sender, where)
    return sender, joined(say(stack, sender, "đúng rồi"))


def only_code(text: str) -> str:
    codes = set(CODE_RE.findall(text))
    assert len(codes) == 1, text  # one message, one code
    return codes.pop()


def test_other_wards_never_join_and_the_same_place_is_confirmed_first(stack: Stack) -> None:
    _, first = report(stack, "Ở ngõ 77 Láng Hạ rác thải ba ngày không ai thu gom", "phường Láng")
    lang_ha = only_code(first)
    assert "Có phải việc này không" not in first

    # The same alley number on another street, in another ward: a new ticket for Kim Liên.
    _, chua_boc = report(stack, "rác thải ở ngõ 77 Chùa Bộc", "phường Kim Liên")
    assert "Có phải việc này không" not in chua_boc and lang_ha not in chua_boc, chua_boc
    ticket = _ticket(stack.database_url, only_code(chua_boc))
    assert ticket.unit_id == "ubnd-phuong-kim-lien" and "Chùa Bộc" in (ticket.location_text or "")

    _, nguyen_trai = report(stack, "rác thải ở ngõ 45 Nguyễn Trãi bốc mùi", "phường Thanh Xuân")
    _, kim_ma = report(stack, "rác thải bốc mùi, ba ngày không ai thu gom", "ngõ 45 Kim Mã, phường Giảng Võ")
    assert only_code(nguyen_trai) != only_code(kim_ma) and "Có phải việc này không" not in kim_ma, kim_ma
    assert _ticket(stack.database_url, only_code(kim_ma)).unit_id == "ubnd-phuong-giang-vo"

    # The same place again: shown first, joined on "Đúng", announced once with one code.
    sender, ask = report(stack, "Rác thải ở ngõ 77 Láng Hạ vẫn chưa ai thu gom", "phường Láng")
    assert f"Có phải việc này không? {lang_ha}" in ask and "1 người đã phản ánh" in ask, ask
    buttons = say(stack, sender, "/affirm")
    done = joined(buttons)
    assert f"2 người đã phản ánh việc này; bạn được thêm vào {lang_ha}" in done, done
    assert only_code(done) == lang_ha and "Đã tiếp nhận" not in done
    # "Không": a new ticket, even at the same place.
    sender, ask = report(stack, "ngõ 77 Láng Hạ lại có rác đổ trộm", "phường Láng")
    assert "Có phải việc này không" in ask
    new = joined(say(stack, sender, "/deny"))
    assert only_code(new) != lang_ha
    ticket = _ticket(stack.database_url, lang_ha)
    assert ticket.report_count == 2 and len(ticket.followers) == 1
    assert _count(stack.database_url) == 5


def test_english_typed_address_joins_keeps_house_number_and_ignores_dont_know(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    ask = joined(say(stack, sender, "đèn đường hỏng ở 25 Hang Bai street, tối om"))
    assert "25 Hang Bai" in ask, ask
    summary = joined(say(stack, sender, "tôi không biết phường nào"))
    assert "25 Hang Bai" in summary and "không biết" not in summary.split("Địa điểm")[-1], summary
    first = only_code(joined(say(stack, sender, "đúng rồi")))

    sender, ask = report(stack, "đèn đường hỏng trước 25 Hang Bai street", "tôi không biết phường nào")
    assert f"Có phải việc này không? {first}" in ask, ask
    assert only_code(joined(say(stack, sender, "/affirm"))) == first
    assert _ticket(stack.database_url, first).report_count == 2

    sender = uuid.uuid4().hex
    ask = joined(say(stack, sender, "Cống trước số 18 phố Huế bị tắc, nước tràn lên đường"))
    assert "số 18 phố Huế" in ask, ask
    say(stack, sender, "phường Hai Bà Trưng")
    code = only_code(joined(say(stack, sender, "đúng rồi")))
    ticket = _ticket(stack.database_url, code)
    assert "số 18 phố Huế" in (ticket.location_text or "") and ticket.ward_unit_id == "ubnd-phuong-hai-ba-trung"


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_shared_location_is_shown_as_a_ward_and_kept_on_the_joined_ticket(stack: Stack) -> None:
    sender = uuid.uuid4().hex
    say(stack, sender, "ổ gà rất to giữa đường, xe máy ngã liên tục")
    summary = joined(say(stack, sender, location={"latitude": 21.0186, "longitude": 105.8093}))
    assert "phường Láng" in summary and "GPS 21.0" not in summary and "tâm phường" in summary, summary
    first = only_code(joined(say(stack, sender, "đúng rồi")))
    ticket = _ticket(stack.database_url, first)
    assert ticket.ward_unit_id == "ubnd-phuong-lang" and (ticket.latitude, ticket.longitude) == (21.0186, 105.8093)

    sender, ask = report(stack, "ổ gà to quá, đi xe rất nguy hiểm", location={"latitude": 21.01868,
                                                                               "longitude": 105.80935})
    assert f"Có phải việc này không? {first}" in ask, ask
    assert only_code(joined(say(stack, sender, "/affirm"))) == first
    ticket = _ticket(stack.database_url, first)
    assert (ticket.latitude, ticket.longitude) == (21.0186, 105.8093)
    assert any(e.kind == "report" and "GPS: 21.018680, 105.809350" in (e.note or "") for e in ticket.events)


@pytest.fixture
def open311_url(db_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    port = procs.free_port()
    env = procs.base_env(DATABASE_URL=db_url, WEB_PORT=str(port), OPEN311_API_KEYS="dup-test-key")
    with procs.running(procs.web_cmd(), env, f"http://127.0.0.1:{port}/healthz", tmp_path / "web.log", timeout=60):
        yield f"http://127.0.0.1:{port}/open311/v2", db_url


def test_open311_never_joins_a_neighbouring_street_and_joins_the_same_address(open311_url: tuple[str, str]) -> None:
    url, db = open311_url

    def post(**form: str) -> dict:
        resp = requests.post(f"{url}/requests.json", data={"api_key": "dup-test-key", "service_code": "road_damage",
                                                           "description": "Ổ gà sâu", **form}, timeout=30)
        assert resp.status_code == 201, resp.text
        return resp.json()[0]

    lang_ha = post(address_string="ngõ 997 Láng Hạ", lat="21.01860", long="105.80930")
    near = post(address_string="ngõ 7 Nguyễn Chí Thanh", lat="21.01890", long="105.80905")  # 40 m away
    assert near["service_request_id"] != lang_ha["service_request_id"] and "trùng" not in near["service_notice"]
    again = post(address_string="ngõ 997 Láng Hạ, phường Láng", lat="21.01861", long="105.80931",
                 device_id="another-device")
    assert again["service_request_id"] == lang_ha["service_request_id"], again
    assert _ticket(db, lang_ha["service_request_id"]).report_count == 2
