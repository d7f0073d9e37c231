"""Ticket models, codes, routing and creation on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_router.core.catalog import TRIAGE_UNIT_ID, catalog
from feedback_router.core.codes import ALPHABET, is_valid_code, new_code
from feedback_router.core.db import make_engine
from feedback_router.core.models import Contact, Ticket, TicketEvent, Unit
from feedback_router.tickets.routing import route
from feedback_router.tickets.service import create_ticket, find_ticket
from nlu import gazetteer


def test_codes_are_readable_and_dated() -> None:
    code = new_code(date(2026, 11, 26))
    assert code.startswith("HN-2611-") and is_valid_code(code)
    assert not set("01IOLSB58") & set(ALPHABET)
    assert len({new_code() for _ in range(2000)}) > 1990


def test_local_matter_goes_to_ward_network_to_operator() -> None:
    lang = gazetteer.find_ward("phường Láng")
    assert lang is not None
    cats = catalog().categories
    waste = route("waste", lang.unit_id)
    assert cats["waste"].scope == "local" and waste.unit_id == lang.unit_id
    drainage = route("flooding_drainage", lang.unit_id)
    assert cats["flooding_drainage"].scope == "network"
    assert drainage.unit_id == cats["flooding_drainage"].unit != lang.unit_id


def test_local_matter_without_place_goes_to_triage_or_operator() -> None:
    r = route("construction_violation", None)
    cat = catalog().categories["construction_violation"]
    assert r.unit_id == (cat.unit or TRIAGE_UNIT_ID)


def test_emergency_route_carries_hotline() -> None:
    for cat_id, hotline in (("fire", "114"), ("crime", "113"), ("medical", "115"), ("rescue", "114")):
        r = route(cat_id)
        assert r.urgency == "emergency" and r.hotline and hotline in r.hotline


def test_unknown_category_falls_back_to_other() -> None:
    assert route("no-such-category").unit_id == route("other").unit_id


def test_create_ticket_persists_everything(db_url: str) -> None:
    engine = make_engine(db_url)
    ward = gazetteer.find_ward("phường Láng")
    receipt = create_ticket(category="waste", description="Rác thải không ai thu gom",
                            sender_id="telegram:42", location_text="ngõ 12 Láng Hạ, phường Láng",
                            ward_unit_id=ward.unit_id, phone="0912345678", engine=engine)
    assert is_valid_code(receipt.code) and receipt.unit_id == ward.unit_id
    with Session(engine) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.code == receipt.code))
        assert ticket is not None and ticket.status.value == "received"
        assert ticket.contact.channel == "telegram" and ticket.contact.phone == "0912345678"
        assert [(e.status.value, e.actor) for e in ticket.events] == [("received", "system:assistant")]
        assert s.scalar(select(func.count()).select_from(Unit)) == len(catalog().units)
    again = create_ticket(category="road_damage", description="Ổ gà", sender_id="telegram:42", engine=engine)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Contact)) == 1
        assert s.scalar(select(func.count()).select_from(TicketEvent)) == 2
    assert find_ticket(again.code.lower(), engine=engine).category == "road_damage"
    assert find_ticket("HN-0101-ZZZZ", engine=engine) is None
    engine.dispose()


def test_concurrent_creation_gives_unique_codes(db_url: str) -> None:
    engine = make_engine(db_url)

    def one(i: int) -> str:
        return create_ticket(category="other", description=f"report {i}", sender_id=f"web:u{i % 3}",
                             engine=engine).code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(one, range(40)))
    assert len(set(codes)) == 40
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 40
        assert s.scalar(select(func.count()).select_from(Contact)) == 3
    engine.dispose()


def test_unique_code_constraint_is_enforced(db_url: str) -> None:
    from sqlalchemy.exc import IntegrityError

    engine = make_engine(db_url)
    receipt = create_ticket(category="other", description="x", sender_id="web:a", engine=engine)
    with Session(engine) as s, pytest.raises(IntegrityError):
        s.add(Ticket(code=receipt.code, category="other", description="dup", unit_id=TRIAGE_UNIT_ID,
                     channel="web"))
        s.commit()
    engine.dispose()
