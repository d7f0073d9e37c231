"""Queue search, filters, sorting and keyset pages on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Flask
from sqlalchemy import Engine

from feedback_router.tickets.service import create_ticket

from .conftest import Units, login

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)  # a Monday, 09:00 in Hanoi


def _codes(html: str, codes: list[str]) -> set[str]:
    return {c for c in codes if c in html}


def test_search_without_diacritics_code_and_address(app: Flask, engine: Engine, units: Units) -> None:
    lang_ha = create_ticket(category="waste", description="Rác chất đống ba ngày", location_text="ngõ 12 Láng Hạ",
                            sender_id="web:s1", ward_unit_id=units.a, engine=engine, now=T0)
    other = create_ticket(category="waste", description="Đèn đường hỏng", location_text="phố Huế",
                          sender_id="web:s2", ward_unit_id=units.a, engine=engine, now=T0 + timedelta(minutes=1))
    client = app.test_client()
    login(client, "op_a")
    html = client.get("/dashboard/?q=ngo+12+lang+ha").get_data(as_text=True)
    assert _codes(html, [lang_ha.code, other.code]) == {lang_ha.code}
    html = client.get("/dashboard/?q=DEN+DUONG").get_data(as_text=True)  # words of the description
    assert _codes(html, [lang_ha.code, other.code]) == {other.code}
    html = client.get("/dashboard/?q=ngo+12+lan").get_data(as_text=True)  # the last word half typed
    assert _codes(html, [lang_ha.code, other.code]) == {lang_ha.code}
    html = client.get(f"/dashboard/?q={other.code.lower()}").get_data(as_text=True)
    assert _codes(html, [lang_ha.code, other.code]) == {other.code}
    assert client.get("/dashboard/?q=%25%27%22%3B--+_").status_code == 200  # hostile text is just text


def test_filters_ward_dates_overdue_and_scope(app: Flask, engine: Engine, units: Units) -> None:
    early = create_ticket(category="waste", description="a", sender_id="web:f1", ward_unit_id=units.a, engine=engine,
                          now=T0 - timedelta(days=40))
    late = create_ticket(category="waste", description="b", sender_id="web:f2", ward_unit_id=units.a, engine=engine,
                         now=T0)
    theirs = create_ticket(category="waste", description="c", sender_id="web:f3", ward_unit_id=units.b, engine=engine,
                           now=T0)
    client = app.test_client()
    login(client, "sup")
    codes = [early.code, late.code, theirs.code]
    assert _codes(client.get(f"/dashboard/?ward={units.b}").get_data(as_text=True), codes) == {theirs.code}
    day = (T0 + timedelta(hours=7)).date().isoformat()
    assert _codes(client.get(f"/dashboard/?from={day}&to={day}").get_data(as_text=True), codes) == \
        {late.code, theirs.code}
    assert _codes(client.get("/dashboard/?overdue=1").get_data(as_text=True), codes) == set(codes)  # all past due
    op = app.test_client()
    login(op, "op_a")
    assert _codes(op.get(f"/dashboard/?unit={units.b}").get_data(as_text=True), codes) == {early.code, late.code}


def test_keyset_pages_walk_every_ticket_once_in_order(app: Flask, engine: Engine, units: Units) -> None:
    made = [create_ticket(category="waste", description=f"r{i}", sender_id=f"web:k{i}", ward_unit_id=units.a,
                          engine=engine, now=T0 + timedelta(minutes=i % 7, seconds=i), detect_duplicates=False).code
            for i in range(120)]
    client = app.test_client()
    login(client, "op_a")
    for sort, direction in (("created", "desc"), ("sla", "asc"), ("code", "asc")):
        seen: list[str] = []
        url = f"/dashboard/?sort={sort}&dir={direction}"
        for _ in range(5):
            html = client.get(url).get_data(as_text=True)
            rows = [c for c in html.split('data-code="')[1:]]
            seen += [r.split('"', 1)[0] for r in rows]
            if 'id="next-page"' not in html:
                break
            url = html.split('id="next-page"')[0].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        assert sorted(seen) == sorted(made) and len(seen) == 120, sort
        if sort == "code":
            assert seen == sorted(seen)
