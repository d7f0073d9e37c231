"""Lifecycle transitions, outbox atomicity and backoff, duplicate merging."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from feedback_router.tickets import lifecycle
from feedback_router.messaging import outbox
from feedback_router.core.db import session_scope
from feedback_router.core.models import Ticket, TicketFollower, TicketStatus
from feedback_router.messaging.models import Outbox
from feedback_router.tickets.service import create_ticket, likely_duplicate
from nlu import clock

from .conftest import Units


def _ticket(s: Session, code: str) -> Ticket:
    return s.scalar(select(Ticket).where(Ticket.code == code))


def _outbox_count(engine: Engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(Outbox))


def test_full_lifecycle_with_events_and_outbox(engine: Engine, units: Units) -> None:
    r = create_ticket(category="waste", description="Rác ùn ứ", sender_id="telegram:1",
                      location_text="ngõ 5 Láng Hạ", ward_unit_id=units.a, engine=engine)
    assert r.merged is False and _outbox_count(engine) == 0
    with session_scope(engine) as s:
        t = _ticket(s, r.code)
        lifecycle.change_status(s, t, "in_progress", actor="staff:op_a")
        lifecycle.add_note(s, t, "gọi đội vệ sinh", actor="staff:op_a")
        lifecycle.reply(s, t, "Đã cử xe thu gom chiều nay.", actor="staff:op_a")
        with pytest.raises(lifecycle.LifecycleError):
            lifecycle.change_status(s, t, "received", actor="staff:op_a")
        with pytest.raises(lifecycle.LifecycleError):
            lifecycle.rate(s, t, 5, actor="citizen")
        lifecycle.change_status(s, t, "resolved", actor="staff:op_a")
        lifecycle.rate(s, t, 4, actor="citizen")
        with pytest.raises(lifecycle.LifecycleError):
            lifecycle.rate(s, t, 6, actor="citizen")
        lifecycle.reopen(s, t, actor="citizen", reason="vẫn còn rác")
        lifecycle.change_status(s, t, "resolved", actor="staff:op_a")
        with pytest.raises(lifecycle.LifecycleError):
            lifecycle.reopen(s, t, actor="citizen")  # only once
    with Session(engine) as s:
        t = _ticket(s, r.code)
        assert t.public_reply == "Đã cử xe thu gom chiều nay." and t.status == TicketStatus.resolved
        kinds = [(e.kind, e.public) for e in t.events]
        assert kinds == [("status", False), ("status", True), ("note", False), ("reply", True), ("status", True),
                         ("rating", False), ("reopen", True), ("status", True)]
        assert all(e.actor and e.created_at for e in t.events)
        rows = list(s.scalars(select(Outbox).order_by(Outbox.id)))
        # in_progress, reply, resolved, reopen, resolved: the note and the rating are not sent
        assert len(rows) == 5 and {r.recipient for r in rows} == {"telegram:1"}
        assert all(r.channel == "telegram" and r.status == "pending" for r in rows)
        assert "Đã cử xe" in rows[1].text


def test_reassign_needs_reason_and_is_recorded(engine: Engine, units: Units) -> None:
    r = create_ticket(category="waste", description="x", sender_id="zalo:9", ward_unit_id=units.a, engine=engine)
    with session_scope(engine) as s:
        t = _ticket(s, r.code)
        with pytest.raises(lifecycle.LifecycleError):
            lifecycle.reassign(s, t, units.b, actor="staff:sup", reason=" ")
        lifecycle.reassign(s, t, units.b, actor="staff:sup", reason="địa điểm thuộc phường khác")
    with Session(engine) as s:
        t = _ticket(s, r.code)
        assert t.unit_id == units.b and t.status == TicketStatus.assigned
        assert "phường khác" in t.events[-1].note and t.events[-1].kind == "reassign"
    assert _outbox_count(engine) == 1


def test_outbox_row_is_atomic_with_the_change(engine: Engine, units: Units) -> None:
    r = create_ticket(category="waste", description="x", sender_id="web:z", ward_unit_id=units.a, engine=engine)
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        lifecycle.reply(s, _ticket(s, r.code), "trả lời", actor="staff:op_a")
        raise RuntimeError("crash before commit")
    with Session(engine) as s:
        assert _ticket(s, r.code).public_reply is None
    assert _outbox_count(engine) == 0
    with session_scope(engine) as s:
        lifecycle.reply(s, _ticket(s, r.code), "trả lời", actor="staff:op_a")
    assert _outbox_count(engine) == 1


def test_outbox_claim_backoff_and_give_up(engine: Engine, units: Units) -> None:
    r = create_ticket(category="waste", description="x", sender_id="telegram:77", ward_unit_id=units.a, engine=engine)
    with session_scope(engine) as s:
        t = _ticket(s, r.code)
        item = outbox.enqueue(s, contact=t.contact, text="hello", ticket=t, dedupe_key="k1")
        again = outbox.enqueue(s, contact=t.contact, text="hello", ticket=t, dedupe_key="k1")
        assert again.id == item.id and item.recipient == "telegram:77" and item.channel == "telegram"
        item_id = item.id
    now = clock.now() + timedelta(seconds=1)
    with session_scope(engine) as s:
        assert outbox.pending_count(s) == 1
        assert [i.id for i in outbox.claim_due(s, now=now)] == [item_id]
        outbox.mark_failed(s, item_id, "timeout", now=now)
    with session_scope(engine) as s:
        assert outbox.claim_due(s, now=now + timedelta(seconds=29)) == []
        assert len(outbox.claim_due(s, now=now + timedelta(seconds=31))) == 1
        outbox.mark_failed(s, item_id, "timeout", now=now)
        row = s.get(Outbox, item_id)
        assert row.attempts == 2 and row.last_error == "timeout"
        assert row.next_attempt_at.replace(tzinfo=None) == (now + timedelta(seconds=60)).replace(tzinfo=None)
    assert [outbox.backoff_seconds(a) for a in (0, 1, 2, 6, 7, 19)] == [30, 60, 120, 1920, 3600, 3600]
    with session_scope(engine) as s:
        for _ in range(18):
            outbox.mark_failed(s, item_id, "down", now=now)
        row = s.get(Outbox, item_id)
        assert row.attempts == 20 and row.status == "failed"
        assert outbox.pending_count(s) == 0 and [i.id for i in outbox.failed_items(s)] == [item_id]
    with session_scope(engine) as s:
        other = outbox.enqueue(s, contact=_ticket(s, r.code).contact,
                               text="x", dedupe_key="k2")
        outbox.mark_sent(s, other.id)
        assert s.get(Outbox, other.id).status == "sent" and s.get(Outbox, other.id).sent_at is not None


def test_duplicates_merge_by_street_and_by_distance(engine: Engine, units: Units) -> None:
    """Automatic joining needs the same ward and the same address; a nearby GPS point is only
    offered (likely_duplicate) for the citizen to confirm. More in tests/duplicates/."""
    now = datetime(2026, 11, 23, 3, 0, tzinfo=timezone.utc)
    first = create_ticket(category="waste", description="Rác ở ngõ 12", sender_id="telegram:1",
                          location_text="Ngõ 12 Láng Hạ, phường Láng", ward_unit_id=units.a, engine=engine, now=now)
    dup = create_ticket(category="waste", description="rác bốc mùi", sender_id="zalo:2",
                        location_text="ngo 12 lang ha", ward_unit_id=units.a, engine=engine,
                        now=now + timedelta(days=2))
    assert dup.merged and dup.code == first.code and dup.report_count == 2
    other_cat = create_ticket(category="urban_order", description="lấn chiếm", sender_id="zalo:2",
                              location_text="ngõ 12 Láng Hạ", ward_unit_id=units.a, engine=engine, now=now)
    assert not other_cat.merged
    late = create_ticket(category="waste", description="lại rác", sender_id="web:3",
                         location_text="ngõ 12 Láng Hạ", ward_unit_id=units.a, engine=engine,
                         now=now + timedelta(days=8))
    assert not late.merged and late.code != first.code
    geo1 = create_ticket(category="road_damage", description="ổ gà", sender_id="web:4", latitude=21.0285,
                         longitude=105.8542, engine=engine, now=now)
    near = create_ticket(category="road_damage", description="ổ gà to", sender_id="web:5", latitude=21.0287,
                         longitude=105.8542, engine=engine, now=now)  # ~22 m north: offered, not joined
    assert not near.merged
    offer = likely_duplicate(category="road_damage", location_text=None, latitude=21.0287, longitude=105.8542,
                             engine=engine, now=now)
    assert offer is not None and offer.code == geo1.code
    assert likely_duplicate(category="road_damage", location_text=None, latitude=21.0290, longitude=105.8542,
                            engine=engine, now=now) is None  # ~56 m
    with session_scope(engine) as s:
        t = _ticket(s, first.code)
        assert t.report_count == 2
        assert [f.contact.sender_id for f in s.scalars(select(TicketFollower).where(
            TicketFollower.ticket_id == t.id))] == ["zalo:2"]
        lifecycle.reply(s, t, "Đã thu gom.", actor="staff:op_a")
    with Session(engine) as s:
        t = _ticket(s, first.code)
        reply_rows = [o.recipient for o in s.scalars(select(Outbox).where(Outbox.ticket_id == t.id)
                                                      .order_by(Outbox.id)) if "Đã thu gom" in o.text]
        assert reply_rows == ["telegram:1", "zalo:2"]  # the follower gets the update too


def test_manual_merge_moves_followers(engine: Engine, units: Units) -> None:
    a = create_ticket(category="waste", description="a", sender_id="web:a1", ward_unit_id=units.a, engine=engine)
    b = create_ticket(category="waste", description="b", sender_id="web:b1", ward_unit_id=units.a, engine=engine)
    with session_scope(engine) as s:
        ta, tb = _ticket(s, a.code), _ticket(s, b.code)
        lifecycle.merge(s, tb, ta, actor="staff:op_a")
        with pytest.raises(lifecycle.LifecycleError):
            lifecycle.change_status(s, tb, "in_progress", actor="staff:op_a")
    with session_scope(engine) as s:
        ta, tb = _ticket(s, a.code), _ticket(s, b.code)
        assert tb.status == TicketStatus.merged and tb.merged_into_id == ta.id and ta.report_count == 2
        lifecycle.change_status(s, ta, "resolved", actor="staff:op_a")
    with Session(engine) as s:
        recips = [o.recipient for o in s.scalars(select(Outbox).order_by(Outbox.id))]
        assert recips == ["web:b1", "web:a1", "web:b1"]
