"""Public pages (issue 16): /status/<code> with timeline, place, deadline, map and a way back to
the chat; lower-case codes work; unknown codes get a bilingual HTML 404 (never raw JSON); the
public list/map is filterable by ward and category and shows only approximate, masked data.
Both databases; the real Flask app in-process (the browser test drives it over HTTP)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from flask import Flask
from sqlalchemy import Engine

from feedback_router.tickets import lifecycle
from feedback_router.core.db import session_scope
from feedback_router.core.models import Ticket
from feedback_router.tickets.service import create_ticket
from nlu import gazetteer

FILED = datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc)  # 09:00 in Hanoi


def _ward(name: str) -> str:
    ward = gazetteer.find_ward(name)
    assert ward is not None
    return ward.unit_id


def _file(engine: Engine, **kw: object) -> str:
    base: dict[str, object] = dict(category="waste", description="Rác ở số 18 phố Huế, gọi 0912 345 678",
                                   sender_id="web:citizen-1", location_text="số 18 phố Huế, phường Hai Bà Trưng",
                                   ward_unit_id=_ward("phường Hai Bà Trưng"), latitude=21.0123456,
                                   longitude=105.8512345, engine=engine, now=FILED, detect_duplicates=False)
    base.update(kw)
    return create_ticket(**base).code  # type: ignore[arg-type]


def test_status_page_shows_timeline_place_deadline_map_and_way_back(app: Flask, engine: Engine) -> None:
    code = _file(engine)
    with session_scope(engine) as s:
        t = s.query(Ticket).filter_by(code=code).one()
        lifecycle.change_status(s, t, "in_progress", actor="staff:op", now=FILED.replace(hour=3))
        lifecycle.reply(s, t, "Đã cử đội vệ sinh tới.", actor="staff:op", now=FILED.replace(hour=4))
        lifecycle.add_note(s, t, "ghi chú nội bộ: bí mật", actor="staff:op")
    c = app.test_client()
    resp = c.get(f"/status/{code.lower()}")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    assert code in html and "Đang xử lý" in html and "In progress" in html
    assert "Rác thải" in html or "rác" in html.lower()
    assert 'id="deadline"' in html and "giờ Hà Nội" in html
    assert "09:00 03/12/2026" in html  # received, shown in Hanoi time
    assert "Đã cử đội vệ sinh tới." in html and "bí mật" not in html
    assert "phố Huế" in html and "18" not in html.split('id="place">')[1].split("<")[0]  # no house number
    assert "0912" not in html and "web:citizen-1" not in html
    assert 'data-points=' in html and "21.012" in html and "21.0123456" not in html  # ~100 m, not exact
    assert "vendor/leaflet/leaflet.js" in html and "unpkg" not in html and "cdn" not in html.lower()
    assert 'id="back-to-chat" href="/"' in html


@pytest.mark.parametrize("code", ["HN-0101-ZZZZ", "hn-0101-zzzz", "not-a-code", "<script>x</script>"])
def test_unknown_code_is_a_bilingual_html_404(app: Flask, code: str) -> None:
    resp = app.test_client().get(f"/status/{code}")
    assert resp.status_code == 404
    assert resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    assert "Không tìm thấy" in html and "not found" in html.lower()
    assert "<script>x" not in html


def test_public_list_filters_by_ward_and_category_and_masks(app: Flask, engine: Engine) -> None:
    hbt = _file(engine)
    lang = _file(engine, category="road_damage", description="Ổ gà lớn trước nhà, email a@b.vn",
                 location_text="ngõ 12 Láng Hạ, phường Láng", ward_unit_id=_ward("phường Láng"),
                 latitude=None, longitude=None)
    c = app.test_client()
    html = c.get("/reports").get_data(as_text=True)
    assert hbt in html and lang in html and "0912" not in html and "a@b.vn" not in html
    only_lang = c.get(f"/reports?ward={_ward('phường Láng')}").get_data(as_text=True)
    assert lang in only_lang and hbt not in only_lang
    only_waste = c.get("/api/v1/public/reports?category=waste").get_json()["reports"]
    assert [r["code"] for r in only_waste] == [hbt]
    row = only_waste[0]
    assert row["latitude"] == 21.012 and row["longitude"] == 105.851
    assert "•••" in row["description"] and "0912" not in row["description"]
    assert "18" not in (row["place"] or "")


def test_a_ticket_json_stays_with_its_text() -> None:
    """Rasa sends json_message as a separate text-less item; the status link must survive storage."""
    from bot.gateway import with_custom_joined
    from bot.message import Reply

    joined = with_custom_joined([Reply("Mã phản ánh: HN-0101-AAAA"), Reply("", custom={"ticket": {"code": "x"}}),
                                 Reply("Hỏi thêm?", buttons=({"title": "a", "payload": "b"},))])
    assert [r.text for r in joined] == ["Mã phản ánh: HN-0101-AAAA", "Hỏi thêm?"]
    assert joined[0].custom == {"ticket": {"code": "x"}}
