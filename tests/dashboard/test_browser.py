"""What the issue's "Done when" asks, in real Chromium against waitress: an operator filters,
searches without diacritics, bulk-assigns three tickets, answers one with a template (the
citizen's web chat receives it), splits a merged report and sees the map with its markers; a
supervisor sees the charts with dated axes; a browser gets an HTML 403. No internet: every
request that leaves 127.0.0.1 (map tiles) is answered locally with an empty 204."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from feedback_router.dashboard import reply_templates as rt
from feedback_router.core.db import session_scope
from feedback_router.core.models import Ticket, TicketFollower
from feedback_router.messaging.models import Outbox
from feedback_router.tickets.service import create_ticket

from tests.browser import needs_chromium

from .conftest import Units, browser_login

pytestmark = needs_chromium
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)  # Friday 10:00 in Hanoi
TEMPLATE = "Phản ánh {code} đã được {unit} tiếp nhận; hạn xử lý {deadline}."


@pytest.fixture
def frozen() -> object:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def _rows(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all("#queue tbody tr[data-code]", "rs => rs.map(r => r.dataset.code)")


def test_operator_works_the_queue_in_browser(frozen, served: str, page, engine: Engine, units: Units) -> None:  # type: ignore[no-untyped-def]
    citizen = page.context.browser.new_page()
    citizen.goto(f"{served}/")
    sender = citizen.evaluate("fetch('/api/v1/messages/inbox').then(r => r.json()).then(d => d.sender_id)")
    assert sender.startswith("web:")
    at = NOW - timedelta(days=1)
    mine = create_ticket(category="waste", description="Rác thải ba ngày không ai thu gom",
                         location_text="ngõ 12 Láng Hạ", sender_id=sender, ward_unit_id=units.a,
                         latitude=21.0135, longitude=105.8125, engine=engine, now=at)
    bulk = [create_ticket(category="urban_order", description=f"Lấn chiếm vỉa hè trước số {10 + i}",
                          location_text=f"số {10 + i} phố Chùa Láng", sender_id=f"telegram:{i}", ward_unit_id=units.a,
                          latitude=21.0230 + i / 1000, longitude=105.8010, engine=engine,
                          now=at + timedelta(minutes=i + 1)).code for i in range(3)]
    first = create_ticket(category="pollution_noise", description="Karaoke ồn ào đến nửa đêm",
                          location_text="số 5 phố Pháo Đài Láng",
                          sender_id="zalo:first", ward_unit_id=units.a, engine=engine, now=at + timedelta(minutes=9))
    second = create_ticket(category="pollution_noise", description="Xưởng cưa gỗ ồn từ 5 giờ sáng, sâu 20 cm",
                           location_text="số 5 phố Pháo Đài Láng", sender_id="zalo:second", ward_unit_id=units.a,
                           engine=engine, now=at + timedelta(minutes=10))
    assert second.merged and second.code == first.code
    theirs = create_ticket(category="waste", description="Rác ở phố Hàng Bông", sender_id="web:other",
                           ward_unit_id=units.b, latitude=21.03, longitude=105.85, engine=engine, now=at)
    with session_scope(engine) as s:
        rt.save(s, category="waste", title="Đã tiếp nhận", body=TEMPLATE, actor="sup")

    browser_login(page, served, "op_a")
    assert _fits(page)  # 1280×800: the page does not scroll sideways (the wide table scrolls in its box)
    codes = _rows(page)
    assert mine.code in codes and theirs.code not in codes
    queue_text = page.inner_text("#queue")
    assert "Rác thải, vệ sinh môi trường" in queue_text and "urban_order" not in queue_text
    # filter: category
    page.select_option("#f-category", "urban_order")
    page.click("#filter-send")
    page.wait_for_url("**category=urban_order**")
    assert sorted(_rows(page)) == sorted(bulk)
    # search without diacritics
    page.goto(f"{served}/dashboard/")
    page.fill("#q", "ngo 12 lang ha")
    page.click("#filter-send")
    page.wait_for_url("**q=ngo**")
    assert _rows(page) == [mine.code]
    # bulk-assign three tickets to another ward, with the searchable unit list
    page.goto(f"{served}/dashboard/?category=urban_order")
    for code in bulk:
        page.check(f"input.pick[value='{code}']")
    assert page.inner_text("#picked-count") == "3"
    page.select_option("#bulk-action", "assign")
    page.fill("#bulk-unit-search", "hoan kiem")
    assert page.eval_on_selector("#bulk-unit", "s => s.value") == units.b
    page.fill("#bulk-reason", "Thuộc địa bàn phường Hoàn Kiếm")
    page.click("#bulk-send")
    page.wait_for_selector("text=Đã cập nhật 3 phản ánh.")
    assert not set(bulk) & set(_rows(page))  # no longer this unit's
    # answer one with a template
    page.goto(f"{served}/dashboard/t/{mine.code}")
    page.select_option("#reply-template", label="Đã tiếp nhận")
    assert page.input_value("#reply-text") == TEMPLATE
    page.click("#reply-send")
    page.wait_for_selector("#public-reply")
    reply = page.inner_text("#public-reply")
    assert reply.startswith(f"Phản ánh {mine.code} đã được UBND phường Láng tiếp nhận; hạn xử lý ")
    assert "{" not in reply and "Trả lời" in page.inner_text("#history")
    # … and the citizen's web chat shows it
    citizen.reload()
    citizen.wait_for_function("t => document.getElementById('log').innerText.includes(t)", arg=reply)
    # split the wrongly merged report
    page.goto(f"{served}/dashboard/t/{first.code}")
    assert page.inner_text("#report-count") == "2"
    assert "sâu 20 cm" in page.input_value("#split textarea[name=description]")
    page.click("#split .split-send")
    page.wait_for_selector("text=Đã tách thành phản ánh mới")
    assert page.inner_text("#report-count") == "1" and "Tách" in page.inner_text("#history")
    with Session(engine) as s:
        new = s.scalars(select(Ticket).join(Ticket.contact).where(Ticket.code != first.code,
                                                                  Ticket.contact.has(sender_id="zalo:second"))).one()
        assert "sâu 20 cm" in new.description and new.unit_id == units.a
        assert not s.scalars(select(TicketFollower).where(TicketFollower.ticket_id == new.id)).all()
        assert s.scalars(select(Outbox).where(Outbox.ticket_id == new.id)).one().recipient == "zalo:second"
    # the map: markers for the unit's open tickets with coordinates, tiles never fetched from outside
    page.goto(f"{served}/dashboard/map")
    page.wait_for_function("() => window.dashboardMap !== undefined")
    assert page.evaluate("window.dashboardMap.markers") == int(page.inner_text("#point-count")) == 1  # mine only
    page.wait_for_selector(".leaflet-marker-icon.pin-received")
    page.goto(f"{served}/dashboard/t/{mine.code}")
    page.wait_for_selector("#ticket-map .leaflet-marker-icon.pin-self")
    # a page the operator may not see: HTML, in both languages
    resp = page.goto(f"{served}/dashboard/outbox")
    assert resp is not None and resp.status == 403 and "text/html" in resp.headers["content-type"]
    assert "Bạn không có quyền xem trang này" in page.inner_text("h1")
    assert "You are not allowed" in page.inner_text("main")
    citizen.close()


def test_supervisor_sees_charts_with_dated_axes(frozen, served: str, page, engine: Engine, units: Units) -> None:  # type: ignore[no-untyped-def]
    for i, day in enumerate((1, 1, 3, 8)):
        create_ticket(category="waste", description=f"rác {i}", sender_id=f"web:chart{i}",
                      ward_unit_id=units.a, engine=engine, now=NOW - timedelta(days=day), detect_duplicates=False)
    browser_login(page, served, "sup")
    page.goto(f"{served}/dashboard/stats?days=30")
    page.wait_for_function("() => window.dashboardCharts && window.dashboardCharts['chart-trend']")
    labels = page.evaluate("window.dashboardCharts['chart-trend'].data.labels")
    values = page.evaluate("window.dashboardCharts['chart-trend'].data.datasets[0].data")
    assert len(labels) == 30 and labels[0] == "22/10" and labels[-1] == "20/11"
    assert values[-2] == 2 and values[-4] == 1 and values[-9] == 1 and sum(values) == 4
    axis = page.evaluate("window.dashboardCharts['chart-trend'].options.scales.x.title.text")
    assert axis == "Ngày (2026-10-22 → 2026-11-20)"
    assert page.inner_text("#total") == "4"
    for name in ("category", "unit", "ward", "ontime_unit", "ontime_ward", "times"):
        assert page.locator(f"#chart-{name}").count() == 1 and page.locator(f"#csv-{name}").count() == 1
    assert page.locator("#table-trend tbody tr").count() == 30  # the table behind the chart
    page.set_viewport_size({"width": 800, "height": 1280})  # a tablet held upright
    page.goto(f"{served}/dashboard/")
    assert _fits(page) and page.locator("#queue").is_visible()
    page.goto(f"{served}/dashboard/stats?days=30")
    assert _fits(page)
