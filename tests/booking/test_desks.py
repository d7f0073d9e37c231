"""data/desks.yaml: desks derived from the units, hours, holidays; seeding slots idempotently
(SQLite and PostgreSQL), also when two processes seed at once."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import threading
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_router.booking.service import Desk, DeskKind, Slot, book, local
from feedback_router.core.catalog import catalog
from feedback_router.core.config import DATA_DIR
from feedback_router.core.db import make_engine
from feedback_router.booking.desks import DeskDataError, load_desks, planned_slots, seed_slots, sync_desks
from tests.documents import strings
from tourism.procedures import get_procedure

MONDAY = dt.date(2027, 3, 8)


def test_file_lists_sources_and_is_nfc() -> None:
    doc = yaml.safe_load((DATA_DIR / "desks.yaml").read_text(encoding="utf-8"))
    assert doc["sources"]
    for src in doc["sources"]:
        assert src["title"].strip() and re.match(r"^https?://", src["url"]) and isinstance(src["accessed"], dt.date)
    assert all(unicodedata.is_normalized("NFC", s) for s in strings(doc))


def test_ward_desks_are_derived_from_every_ward_unit() -> None:
    data = load_desks()
    wards = [u for u in catalog().units.values() if u.kind in ("ward", "commune")]
    assert len(wards) == 126
    kinds = Counter(d.kind for d in data.desks.values())
    assert kinds == {DeskKind.ward_one_stop: 126, DeskKind.ward_police: 126,
                     DeskKind.citizen_reception: 127, DeskKind.city_service_centre: 2}
    for unit in wards:
        one_stop = data.for_ward(unit.id, DeskKind.ward_one_stop)
        assert one_stop is not None and one_stop.unit_id == unit.id
        assert one_stop.name == f"Bộ phận một cửa {unit.name}"
        assert data.for_ward(unit.id, DeskKind.ward_police).unit_id == "cong-an-ha-noi"
        assert data.for_ward(unit.id, DeskKind.citizen_reception).unit_id == unit.id
    lang = data.desks["ubnd-phuong-lang-mot-cua"]
    assert (lang.name, lang.address) == ("Bộ phận một cửa UBND phường Láng", "Trụ sở UBND phường Láng")
    centre = data.city_desks(DeskKind.city_service_centre)
    assert centre[0].name.startswith("Trung tâm Phục vụ hành chính công thành phố Hà Nội")
    assert "258 Võ Chí Công" in centre[0].address


def test_procedures_point_at_real_procedures() -> None:
    data = load_desks()
    assert data.procedures["cap-the-can-cuoc"] == DeskKind.ward_police
    assert data.procedures["dang-ky-khai-sinh"] == DeskKind.ward_one_stop
    assert data.procedures["phieu-ly-lich-tu-phap"] == DeskKind.city_service_centre
    for pid in data.procedures:
        assert get_procedure(pid) is not None, pid


def _broken(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    shutil.copy(DATA_DIR / "desks.yaml", tmp_path / "desks.yaml")
    doc = yaml.safe_load((tmp_path / "desks.yaml").read_text(encoding="utf-8"))
    edit(doc)
    (tmp_path / "desks.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.pop("sources"), "sources"),
    (lambda d: d["desks"][0].update(unit="no-such-unit"), "unknown unit"),
    (lambda d: d["desks"][0].update(schedule="nope"), "unknown schedule"),
    (lambda d: d["desks"].append(dict(d["desks"][0])), "duplicate desk id"),
    (lambda d: d["schedules"]["one_stop"]["weekly"].update({"mon-fri": ["11:30-08:00"]}), "ends before"),
    (lambda d: d["schedules"]["one_stop"]["weekly"].update({"fri-mon": ["08:00-09:00"]}), "backwards"),
    (lambda d: d["schedules"]["one_stop"].update(capacity=0), "capacity"),
    (lambda d: d["schedules"]["one_stop"].update(source=99), "source"),
    (lambda d: d["procedures"]["ward_one_stop"].append("lam-hoa-chieu"), "unknown procedure"),
    (lambda d: d["procedures"]["ward_one_stop"].append("cap-the-can-cuoc"), "two desk kinds"),
    (lambda d: d["desks"][0].update(kind="kiosk"), "unknown kind"),
])
def test_bad_data_stops_at_load(tmp_path: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DeskDataError, match=message):
        load_desks(_broken(tmp_path, edit))


def test_hours_weekends_holidays_and_monthly_sessions() -> None:
    data = load_desks()
    one_stop = data.desks["ubnd-phuong-lang-mot-cua"].schedule
    times = [f"{local(s):%H:%M}" for s, _ in planned_slots(one_stop, MONDAY)]
    assert times[:3] == ["08:00", "08:30", "09:00"] and times[6] == "11:00" and times[7] == "13:30"
    assert times[-1] == "16:30" and len(times) == 14
    assert planned_slots(one_stop, MONDAY + dt.timedelta(days=5)) == []  # Saturday
    assert planned_slots(one_stop, MONDAY + dt.timedelta(days=6)) == []  # Sunday
    assert planned_slots(one_stop, dt.date(2026, 9, 2)) == []  # National Day (a Wednesday)
    assert planned_slots(one_stop, dt.date(2027, 2, 8)) == []  # Tết 2027 (a Monday)
    reception = data.desks["tiep-cong-dan-thanh-pho"].schedule
    third_tuesday = dt.date(2027, 3, 16)
    assert planned_slots(reception, third_tuesday) and not planned_slots(reception, dt.date(2027, 3, 9))
    ward_reception = data.desks["ubnd-phuong-lang-tiep-cong-dan"].schedule
    assert [d.weekday() for d in (MONDAY + dt.timedelta(days=i) for i in range(7))
            if planned_slots(ward_reception, d)] == [3]  # one day a week


def test_extra_holidays_from_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    one_stop = load_desks().desks["ubnd-phuong-lang-mot-cua"].schedule
    monkeypatch.setenv("SLA_EXTRA_HOLIDAYS", MONDAY.isoformat())
    assert planned_slots(one_stop, MONDAY) == []


def test_desks_synced_at_migration_and_seeding_is_idempotent(db_url: str) -> None:
    data = load_desks()
    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            assert s.scalar(select(func.count()).select_from(Desk)) == len(data.desks)  # by upgrade()
            sync_desks(s, data)
            s.commit()
            assert s.scalar(select(func.count()).select_from(Desk)) == len(data.desks)
        lang = ["ubnd-phuong-lang-mot-cua", "ttphcc-chi-nhanh-1"]
        expected = sum(len(planned_slots(data.desks[d].schedule, MONDAY + dt.timedelta(days=i)))
                       for d in lang for i in range(7))
        assert expected == 14 * 5 + 28 * 5
        with Session(engine) as s:
            assert seed_slots(s, days=7, today=MONDAY, desk_ids=lang, data=data) == expected
            s.commit()
        first = _slots(engine, lang[0])[0]
        booked = book(engine, slot_id=first, sender_id="telegram:1", procedure="x",
                      now=dt.datetime(2027, 3, 1, tzinfo=dt.timezone.utc))
        with Session(engine) as s:
            assert seed_slots(s, days=7, today=MONDAY, desk_ids=lang, data=data) == 0
            s.commit()
            assert s.scalar(select(func.count()).select_from(Slot)) == expected
            assert s.get(Slot, first).booked == 1  # a seeded slot keeps its bookings
            assert booked.slot_id == first
            # the next day's run adds only the new last day (Tuesday + 7 days reaches next Monday)
            assert seed_slots(s, days=6, today=MONDAY + dt.timedelta(days=1), desk_ids=lang, data=data) == 0
            assert seed_slots(s, days=7, today=MONDAY + dt.timedelta(days=1), desk_ids=lang, data=data) == 14 + 28
            s.commit()
    finally:
        engine.dispose()


def _slots(engine, desk_id: str) -> list[int]:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return list(s.scalars(select(Slot.id).where(Slot.desk_id == desk_id).order_by(Slot.starts_at)))


def test_two_seeders_at_once_make_each_slot_once(db_url: str) -> None:
    data = load_desks()
    engine = make_engine(db_url)
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def seed() -> None:
        try:
            barrier.wait()
            with Session(engine) as s:
                seed_slots(s, days=5, today=MONDAY, desk_ids=["ubnd-phuong-lang-mot-cua"], data=data)
                s.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=seed) for _ in range(4)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        assert len(_slots(engine, "ubnd-phuong-lang-mot-cua")) == 14 * 5
    finally:
        engine.dispose()


def test_a_saturday_morning_where_a_desk_announces_one(tmp_path: Path) -> None:
    def saturday(doc: dict) -> None:
        doc["schedules"]["one_stop"]["weekly"]["sat"] = ["08:00-11:30"]

    data = load_desks(_broken(tmp_path, saturday))
    one_stop = data.desks["ubnd-phuong-lang-mot-cua"].schedule
    saturday_slots = [f"{local(s):%H:%M}" for s, _ in planned_slots(one_stop, MONDAY + dt.timedelta(days=5))]
    assert saturday_slots == ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00"]
    assert planned_slots(one_stop, MONDAY + dt.timedelta(days=6)) == []  # still no Sunday
