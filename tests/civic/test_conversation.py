"""Whole conversations through the real stack (Rasa + action server + web app): a
suggestion from chat to the public page to the unit's answer in the author's inbox, and
denunciations (formal, anonymous, cancelled, by hotline), answered only in words — no button
payloads — as a caller would speak them."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from feedback_router.staff.auth import create_user
from feedback_router.civic.models import Denunciation, Suggestion
from feedback_router.core.db import make_engine, session_scope
from feedback_router.civic.identity_crypto import unseal
from feedback_router.core.models import Contact
from tests.civic.conftest import INSPECTORATE, PASSWORD, WARD, Secret
from scripts.procs import API_HEADERS
from tests.chat import rows
from tests.conftest import Stack

SECRET = Secret()
NEEDLES = (SECRET.name, SECRET.phone, SECRET.address, "Bí Mật")


def say(stack: Stack, sender: str, text: str) -> str:
    resp = requests.post(f"{stack.web_url}/api/v1/messages", json={"sender_id": sender, "text": text},
                         headers=API_HEADERS, timeout=60)
    assert resp.status_code == 200, resp.text
    return "\n".join(r.get("text") or "" for r in resp.json()["replies"])


def _staff_session(stack: Stack, username: str) -> tuple[requests.Session, str]:
    http = requests.Session()
    page = http.get(f"{stack.web_url}/dashboard/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    resp = http.post(f"{stack.web_url}/dashboard/login", data={"username": username, "password": PASSWORD,
                                                               "csrf_token": token}, allow_redirects=False)
    assert resp.status_code == 302, resp.text
    page = http.get(f"{stack.web_url}/dashboard/suggestions", timeout=30).text  # login issues a new token
    return http, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_suggestion_from_chat_to_public_page_to_answer(denounce_key: str, stack: Stack) -> None:
    author = "web:civic-author"
    first = say(stack, author, "Tôi đề nghị thành phố lắp thêm điểm dừng xe buýt ở đầu ngõ 100 Hoàng Quốc Việt")
    assert "công khai" in first, first
    confirm = say(stack, author, "có")
    assert "Xác nhận góp ý" in confirm and "điểm dừng xe buýt" in confirm, confirm
    done = say(stack, author, "đồng ý")
    code = re.search(r"GY-\d{4}-[A-Z0-9]{4}", done).group(0)  # type: ignore[union-attr]
    assert "Sở Xây dựng" in done, done
    [item] = rows(stack.database_url, Suggestion)
    assert (item.code, item.unit_id, item.published, item.status.value) == (code, "so-xay-dung", True, "received")

    public = requests.get(f"{stack.web_url}/suggestions/{code}", timeout=30)
    assert public.status_code == 200 and "điểm dừng xe buýt" in public.text and "civic-author" not in public.text
    support = requests.post(f"{stack.web_url}/suggestions/{code}/support", json={"sender_id": "web:neighbour"},
                            headers=API_HEADERS, timeout=30)
    assert support.status_code == 201 and support.json()["supports"] == 1

    with session_scope(make_engine(stack.database_url)) as s:
        create_user(s, "op_sxd", PASSWORD, "operator", "so-xay-dung")
    http, token = _staff_session(stack, "op_sxd")
    answer = "Sở sẽ khảo sát và lắp điểm dừng tại đầu ngõ 100 trong quý tới."
    resp = http.post(f"{stack.web_url}/dashboard/suggestions/{code}/status",
                     data={"csrf_token": token, "status": "accepted", "answer": answer}, allow_redirects=False)
    assert resp.status_code == 302
    inbox = requests.get(f"{stack.web_url}/api/v1/messages/inbox", params={"sender_id": author},
                         headers=API_HEADERS, timeout=30).json()
    assert [m["text"] for m in inbox["messages"]] == [f"Góp ý {code}: Được tiếp thu. Trả lời của Sở Xây dựng Hà Nội: "
                                                     f"{answer}"]
    unacknowledged = requests.get(f"{stack.web_url}/api/v1/messages/inbox", params={"sender_id": author},
                                  headers=API_HEADERS, timeout=30).json()
    assert unacknowledged["messages"] == inbox["messages"]  # a lost response loses nothing: shown again
    ack = requests.post(f"{stack.web_url}/api/v1/messages/inbox/ack", headers=API_HEADERS, timeout=30,
                        json={"sender_id": author, "ids": [m["id"] for m in inbox["messages"]]})
    assert ack.status_code == 200 and ack.json()["acknowledged"] == 1, ack.text
    again = requests.get(f"{stack.web_url}/api/v1/messages/inbox", params={"sender_id": author},
                         headers=API_HEADERS, timeout=30).json()
    assert again["messages"] == []  # acknowledged, so shown once


def test_private_suggestion_is_not_published(denounce_key: str, stack: Stack) -> None:
    author = "web:civic-shy"
    say(stack, author, "nên trồng thêm cây xanh và ghế đá ở công viên Thống Nhất")
    assert "Xác nhận góp ý" in say(stack, author, "không, không công khai")
    done = say(stack, author, "có")
    code = re.search(r"GY-\d{4}-[A-Z0-9]{4}", done).group(0)  # type: ignore[union-attr]
    [item] = rows(stack.database_url, Suggestion)
    assert item.code == code and item.published is False and item.publish_consent is False
    assert requests.get(f"{stack.web_url}/suggestions/{code}", timeout=30).status_code == 404


def _tracker_events(stack: Stack, sender: str) -> list[str]:
    """What Rasa's tracker store kept of one conversation (decoded JSON of each event): the SQLite
    file of the embedded set-up, or the PostgreSQL database of the production one."""
    engine = make_engine(stack.tracker_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}).all()
    finally:
        engine.dispose()
    return [json.dumps(json.loads(r[0]), ensure_ascii=False) for r in stored]


def _no_leak_in_logs(tmp_path: Path, stack: Stack) -> None:
    logs = [tmp_path / "actions.log", tmp_path / "web.log", stack.rasa_log]
    assert all(log is not None and log.exists() for log in logs), logs
    for log in logs:
        content = log.read_text(errors="replace")
        assert not [n for n in NEEDLES if n in content], f"identity in {log.name}"


def test_formal_denunciation_law_first_identity_sealed(denounce_key: str, stack: Stack, tmp_path: Path,
                                                       tmp_path_factory: pytest.TempPathFactory) -> None:
    sender = SECRET.sender_id.replace("telegram:", "web:")
    first = say(stack, sender, "Tôi muốn tố cáo cán bộ địa chính phường Láng nhận hối lộ 20 triệu đồng để cấp sổ đỏ")
    assert "Luật Tố cáo 2018" in first and "ẩn danh" in first, first
    assert first.index("Luật Tố cáo") < first.index("Bạn chọn"), first  # the law before the choice
    assert "Họ và tên" in say(stack, sender, "chính thức")
    assert "Địa chỉ" in say(stack, sender, SECRET.name)
    assert "Số điện thoại" in say(stack, sender, SECRET.address)
    confirm = say(stack, sender, SECRET.phone)
    assert "Xác nhận tố cáo" in confirm and "nhận hối lộ" in confirm, confirm
    done = say(stack, sender, "có")
    code = re.search(r"TC-\d{4}-[A-Z0-9]{4}", done).group(0)  # type: ignore[union-attr]
    assert "Thanh tra thành phố Hà Nội" in done, done
    [item] = rows(stack.database_url, Denunciation)
    assert (item.code, item.anonymous, item.handler_unit_id, item.subject_unit_id) == (code, False, INSPECTORATE, WARD)
    assert item.identity_token and not [n for n in NEEDLES if n in item.identity_token]
    identity = unseal(item.identity_token)  # same DENOUNCE_KEY as the action server
    assert (identity.name, identity.phone, identity.address, identity.sender_id) == (
        SECRET.name, SECRET.phone, SECRET.address, sender)
    assert [c for c in rows(stack.database_url, Contact) if c.sender_id == sender] == []
    _no_leak_in_logs(tmp_path, stack)
    assert "Xin chào" in say(stack, sender, "xin chào")  # the conversation goes on after the redacted turns
    events = _tracker_events(stack, sender)
    assert len(events) > 20 and any("xin chào" in e for e in events)  # the store is in use, ordinary turns kept
    assert not [e for e in events if any(n in e for n in (*NEEDLES, "nhận hối lộ", code))]


def test_anonymous_and_cancelled_denunciations(denounce_key: str, stack: Stack,
                                               tmp_path_factory: pytest.TempPathFactory) -> None:
    sender = "web:civic-anon"
    assert "Luật Tố cáo" in say(stack, sender, "tôi muốn tố cáo")
    assert "mô tả sự việc" in say(stack, sender, "ẩn danh")
    confirm = say(stack, sender, "Chủ tịch xã Sóc Sơn lạm quyền thu tiền trái phép của người dân khi cấp phép xây nhà")
    assert "Xác nhận tố cáo" in confirm and "ẩn danh" in confirm, confirm
    assert "đã huỷ" in say(stack, sender, "không")
    assert rows(stack.database_url, Denunciation) == []

    first = say(stack, sender, "tố cáo cán bộ Sở Xây dựng nhận tiền để bỏ qua công trình sai phép ở phường Láng")
    assert "ẩn danh" in first
    confirm = say(stack, sender, "tôi muốn giấu tên")
    assert "Xác nhận tố cáo" in confirm, confirm
    done = say(stack, sender, "đồng ý")
    assert re.search(r"TC-\d{4}-[A-Z0-9]{4}", done) and "không nhận được thông báo kết quả" in done, done
    [item] = rows(stack.database_url, Denunciation)
    assert item.anonymous is True and item.identity_token is None and item.handler_unit_id == INSPECTORATE
    assert item.subject_unit_id == "so-xay-dung"
    events = _tracker_events(stack, sender)
    assert events and not [e for e in events if "Sóc Sơn" in e or "Sở Xây dựng" in e or item.code in e]


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_denunciation_by_hotline_in_spoken_words(denounce_key: str, stack: Stack) -> None:
    """The hotline path (bot.hotline responder: text replies only, caller number known)."""
    from bot.gateway import Gateway
    from bot.hotline import make_responder

    responder = make_responder(Gateway(stack.rasa_url))
    caller = "hotline:0987654321"

    def speak(text: str) -> str:
        return "\n".join(asyncio.run(responder(caller, text)))

    assert "Luật Tố cáo" in speak("tôi muốn tố cáo công an phường Láng nhận tiền của người bán hàng rong")
    assert "Họ và tên" in speak("chính thức")
    assert "Địa chỉ" in speak("Trần Thị Bí Mật")
    confirm = speak("số 77 ngõ Kín phố Láng Hạ")  # no phone question: the caller's number is known
    assert "Xác nhận tố cáo" in confirm, confirm
    assert "TC-" in speak("vâng đồng ý")
    [item] = rows(stack.database_url, Denunciation)
    assert unseal(item.identity_token).phone == "0987654321"  # type: ignore[arg-type]
    # sealed identity only: no contact row (nor outbox row) pairs the caller's number with the matter
    assert not [c for c in rows(stack.database_url, Contact) if "0987654321" in f"{c.sender_id} {c.phone}"]
