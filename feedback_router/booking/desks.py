"""Booking desks and their opening hours from data/desks.yaml; slots generated from them.

The ward/commune desks are derived from data/units.yaml (one per unit of the listed kinds), so
the 126 wards are never copied by hand. The database keeps only what bookings point at (desk
identity, slots with capacity); addresses, hours and the procedures a desk takes are data,
read here. ``seed_slots`` creates the slots of the next N days with ``INSERT … ON CONFLICT DO
NOTHING`` on the (desk, start) unique key, so running it twice, or from two processes at once
(the delivery worker's daily pass and a citizen asking for a desk), never duplicates a slot
nor touches one that already has bookings.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import holidays
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_router.booking.service import HANOI, Desk, DeskKind, Slot
from feedback_router.core.catalog import Catalog, catalog
from feedback_router.core.config import DATA_DIR
from feedback_router.core.settings import get_settings
from nlu import clock

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SESSION_RE = re.compile(r"^(\d{2}:\d{2})-(\d{2}:\d{2})$")
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A session held once a month (a leader's reception day) is published this far ahead, so the
# next one can always be booked even when the weekly desks publish only two weeks.
MONTHLY_HORIZON_DAYS = 35


class DeskDataError(ValueError):
    """data/desks.yaml contradicts itself or the other data files; the message says where."""


@dataclass(frozen=True)
class Schedule:
    id: str
    weekly: dict[int, tuple[tuple[time, time], ...]]  # weekday -> sessions
    monthly_nth: int | None
    monthly_weekday: int | None
    monthly_sessions: tuple[tuple[time, time], ...]
    slot_minutes: int
    capacity: int
    assumed: bool

    def sessions_on(self, day: date) -> tuple[tuple[time, time], ...]:
        """Opening sessions on ``day`` (holidays not considered here)."""
        out = list(self.weekly.get(day.weekday(), ()))
        if self.monthly_nth is not None and day.weekday() == self.monthly_weekday \
                and (day.day - 1) // 7 + 1 == self.monthly_nth:
            out.extend(self.monthly_sessions)
        return tuple(sorted(set(out)))


@dataclass(frozen=True)
class DeskInfo:
    id: str
    kind: DeskKind
    name: str
    address: str
    phone: str | None
    unit_id: str
    ward_unit_id: str | None  # the ward/commune the desk serves (None: the whole city)
    schedule: Schedule


@dataclass(frozen=True)
class DeskData:
    desks: dict[str, DeskInfo]
    schedules: dict[str, Schedule]
    procedures: dict[str, DeskKind]  # procedure id -> kind of desk that takes it

    def for_ward(self, ward_unit_id: str, kind: DeskKind) -> DeskInfo | None:
        for desk in self.desks.values():
            if desk.ward_unit_id == ward_unit_id and desk.kind == kind:
                return desk
        return None

    def city_desks(self, kind: DeskKind) -> list[DeskInfo]:
        return [d for d in self.desks.values() if d.ward_unit_id is None and d.kind == kind]


def _nfc(value: object) -> str:
    return unicodedata.normalize("NFC", str(value))


def _sessions(raw: Any, where: str) -> tuple[tuple[time, time], ...]:
    if not isinstance(raw, list) or not raw:
        raise DeskDataError(f"{where}: expected a list of \"HH:MM-HH:MM\" sessions")
    out = []
    for item in raw:
        m = _SESSION_RE.match(str(item))
        if not m:
            raise DeskDataError(f"{where}: bad session {item!r}")
        start, end = time.fromisoformat(m.group(1)), time.fromisoformat(m.group(2))
        if start >= end:
            raise DeskDataError(f"{where}: session {item!r} ends before it starts")
        out.append((start, end))
    return tuple(out)


def _weekdays(spec: str, where: str) -> list[int]:
    parts = spec.split("-")
    if not all(p in WEEKDAY_NAMES for p in parts) or len(parts) > 2:
        raise DeskDataError(f"{where}: bad weekday {spec!r} (use mon..sun or a range mon-fri)")
    lo, hi = WEEKDAY_NAMES.index(parts[0]), WEEKDAY_NAMES.index(parts[-1])
    if hi < lo:
        raise DeskDataError(f"{where}: weekday range {spec!r} runs backwards")
    return list(range(lo, hi + 1))


def _schedule(sid: str, raw: dict[str, Any], n_sources: int) -> Schedule:
    where = f"desks.yaml: schedule {sid!r}"
    weekly: dict[int, tuple[tuple[time, time], ...]] = {}
    for spec, sessions in (raw.get("weekly") or {}).items():
        for wd in _weekdays(str(spec), where):
            if wd in weekly:
                raise DeskDataError(f"{where}: weekday {WEEKDAY_NAMES[wd]} given twice")
            weekly[wd] = _sessions(sessions, f"{where} {spec}")
    monthly = raw.get("monthly")
    nth = wd_m = None
    m_sessions: tuple[tuple[time, time], ...] = ()
    if monthly:
        nth = int(monthly.get("nth", 0))
        if not 1 <= nth <= 4:
            raise DeskDataError(f"{where}: monthly nth must be 1..4")
        if monthly.get("weekday") not in WEEKDAY_NAMES:
            raise DeskDataError(f"{where}: monthly weekday must be one of {WEEKDAY_NAMES}")
        wd_m = WEEKDAY_NAMES.index(monthly["weekday"])
        m_sessions = _sessions(monthly.get("sessions"), f"{where} monthly")
    if not weekly and not monthly:
        raise DeskDataError(f"{where}: needs weekly or monthly hours")
    minutes, capacity = raw.get("slot_minutes"), raw.get("capacity")
    if not isinstance(minutes, int) or not 5 <= minutes <= 240:
        raise DeskDataError(f"{where}: slot_minutes must be an integer 5..240")
    if not isinstance(capacity, int) or not 1 <= capacity <= 100:
        raise DeskDataError(f"{where}: capacity must be an integer 1..100")
    src = raw.get("source")
    if not isinstance(src, int) or not 0 <= src < n_sources:
        raise DeskDataError(f"{where}: source must index `sources`")
    return Schedule(sid, weekly, nth, wd_m, m_sessions, minutes, capacity, bool(raw.get("assumed")))


def _place(unit_name: str) -> str:
    return unit_name.removeprefix("UBND ").strip()


def load_desks(data_dir: Path = DATA_DIR, cat: Catalog | None = None) -> DeskData:
    """Read and check data/desks.yaml against units and procedures; raises DeskDataError."""
    path = data_dir / "desks.yaml"
    if not path.exists():
        raise DeskDataError(f"missing data file: {path}")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not doc.get("sources"):
        raise DeskDataError("desks.yaml: every data file must list its sources")
    cat = cat or catalog()
    n_sources = len(doc["sources"])
    schedules = {str(k): _schedule(str(k), v or {}, n_sources) for k, v in (doc.get("schedules") or {}).items()}
    desks: dict[str, DeskInfo] = {}

    def add(desk: DeskInfo) -> None:
        if not _ID_RE.match(desk.id) or len(desk.id) > 80:
            raise DeskDataError(f"desks.yaml: bad desk id {desk.id!r}")
        if desk.id in desks:
            raise DeskDataError(f"desks.yaml: duplicate desk id {desk.id!r}")
        if desk.unit_id not in cat.units:
            raise DeskDataError(f"desks.yaml: desk {desk.id!r} belongs to unknown unit {desk.unit_id!r}")
        desks[desk.id] = desk

    def common(raw: dict[str, Any], where: str) -> tuple[DeskKind, Schedule]:
        try:
            kind = DeskKind(raw.get("kind"))
        except ValueError:
            raise DeskDataError(f"{where}: unknown kind {raw.get('kind')!r}") from None
        if raw.get("schedule") not in schedules:
            raise DeskDataError(f"{where}: unknown schedule {raw.get('schedule')!r}")
        src = raw.get("source")
        if not isinstance(src, int) or not 0 <= src < n_sources:
            raise DeskDataError(f"{where}: source must index `sources`")
        return kind, schedules[raw["schedule"]]

    for i, rule in enumerate(doc.get("generated") or []):
        where = f"desks.yaml: generated[{i}]"
        kind, schedule = common(rule, where)
        kinds = set(rule.get("from_unit_kinds") or [])
        if not kinds:
            raise DeskDataError(f"{where}: from_unit_kinds is required")
        for unit in cat.units.values():
            if unit.kind not in kinds:
                continue
            fill = {"unit_id": unit.id, "unit_name": unit.name, "place": _place(unit.name)}
            add(DeskInfo(id=str(rule["id"]).format(**fill), kind=kind, name=_nfc(str(rule["name"]).format(**fill)),
                         address=_nfc(str(rule["address"]).format(**fill)), phone=None,
                         unit_id=str(rule["unit"]).format(**fill), ward_unit_id=unit.id, schedule=schedule))
    for i, raw in enumerate(doc.get("desks") or []):
        where = f"desks.yaml: desks[{i}]"
        kind, schedule = common(raw, where)
        for field in ("id", "name", "address", "unit"):
            if not str(raw.get(field) or "").strip():
                raise DeskDataError(f"{where}: {field} is required")
        add(DeskInfo(id=str(raw["id"]), kind=kind, name=_nfc(raw["name"]), address=_nfc(raw["address"]),
                     phone=_nfc(raw["phone"]) if raw.get("phone") else None, unit_id=str(raw["unit"]),
                     ward_unit_id=None, schedule=schedule))
    procedures: dict[str, DeskKind] = {}
    known_procedures = _procedure_ids(data_dir)
    for kind_name, ids in (doc.get("procedures") or {}).items():
        try:
            kind = DeskKind(kind_name)
        except ValueError:
            raise DeskDataError(f"desks.yaml: procedures for unknown desk kind {kind_name!r}") from None
        for pid in ids or []:
            if str(pid) not in known_procedures:
                raise DeskDataError(f"desks.yaml: unknown procedure {pid!r} (not in procedures.yaml)")
            if pid in procedures:
                raise DeskDataError(f"desks.yaml: procedure {pid!r} listed for two desk kinds")
            procedures[str(pid)] = kind
    return DeskData(desks=desks, schedules=schedules, procedures=procedures)


def _procedure_ids(data_dir: Path) -> frozenset[str]:
    """Only the ids of data/procedures.yaml: the procedures' own rules are checked by
    tourism.procedures, and a slip there must not stop the worker from sending reminders."""
    path = data_dir / "procedures.yaml"
    if not path.exists():
        path = DATA_DIR / "procedures.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return frozenset(str(p.get("id")) for p in doc.get("procedures") or [] if isinstance(p, dict))


@functools.lru_cache(maxsize=1)
def desk_data() -> DeskData:
    return load_desks()


# ---------------------------------------------------------------- holidays and slots


@functools.lru_cache(maxsize=16)
def _holidays(year: int, extra: str) -> frozenset[date]:
    days = set(holidays.country_holidays("VN", years=[year]).keys())
    for item in extra.split(","):
        if item.strip():
            days.add(date.fromisoformat(item.strip()))
    return frozenset(days)


def is_public_holiday(day: date) -> bool:
    """Vietnamese public holidays (Tết included) plus SLA_EXTRA_HOLIDAYS (the same list the
    SLA clock uses: a day the offices close is closed for both)."""
    return day in _holidays(day.year, get_settings().sla_extra_holidays)


def planned_slots(schedule: Schedule, day: date) -> list[tuple[datetime, datetime]]:
    """The (start, end) of each slot of ``day`` in UTC; none on a public holiday."""
    if is_public_holiday(day):
        return []
    step = timedelta(minutes=schedule.slot_minutes)
    out = []
    for start, end in schedule.sessions_on(day):
        cur = datetime.combine(day, start, HANOI)
        stop = datetime.combine(day, end, HANOI)
        while cur + step <= stop:
            out.append((cur.astimezone(timezone.utc), (cur + step).astimezone(timezone.utc)))
            cur += step
    return out


def sync_desks(session: Session, data: DeskData | None = None) -> int:
    """Make the desks table mirror the data (insert or update, never delete: bookings keep
    pointing at a desk that closed)."""
    data = data or desk_data()
    existing = {d.id: d for d in session.scalars(select(Desk))}
    for info in data.desks.values():
        row = existing.get(info.id)
        if row is None:
            session.add(Desk(id=info.id, name=info.name, kind=info.kind, unit_id=info.unit_id))
        elif (row.name, row.kind, row.unit_id) != (info.name, info.kind, info.unit_id):
            row.name, row.kind, row.unit_id = info.name, info.kind, info.unit_id
    session.flush()
    return len(data.desks)


def _insert_ignoring_existing(session: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"seeding slots is not written for {dialect}")
    conn = session.connection()
    stmt = dialect_insert(Slot.__table__).on_conflict_do_nothing(index_elements=["desk_id", "starts_at"])
    for i in range(0, len(rows), 2000):
        conn.execute(stmt, rows[i:i + 2000])


def _count(session: Session, desk_ids: list[str] | None, lo: datetime, hi: datetime) -> int:
    stmt = select(func.count()).select_from(Slot).where(Slot.starts_at >= lo, Slot.starts_at < hi)
    if desk_ids is not None:
        stmt = stmt.where(Slot.desk_id.in_(desk_ids))
    return int(session.scalar(stmt) or 0)


def seed_slots(session: Session, *, days: int, today: date | None = None,
               desk_ids: list[str] | None = None, data: DeskData | None = None) -> int:
    """Create the missing slots of the next ``days`` days (today included; monthly sessions:
    at least MONTHLY_HORIZON_DAYS) for every desk, or for ``desk_ids``; returns how many were
    created. Idempotent and safe to run concurrently."""
    data = data or desk_data()
    today = today or clock.hanoi_today()
    chosen = [data.desks[i] for i in desk_ids] if desk_ids is not None else list(data.desks.values())
    rows: list[dict[str, Any]] = []
    horizon = max(days, MONTHLY_HORIZON_DAYS) if any(d.schedule.monthly_nth for d in chosen) else days
    for offset in range(max(horizon, 0)):
        day = today + timedelta(days=offset)
        for desk in chosen:
            if offset >= days and not desk.schedule.monthly_nth:
                continue
            for start, end in planned_slots(desk.schedule, day):
                rows.append({"desk_id": desk.id, "starts_at": start, "ends_at": end,
                             "capacity": desk.schedule.capacity, "booked": 0})
    lo = datetime.combine(today, time(0, 0), HANOI).astimezone(timezone.utc)
    hi = datetime.combine(today + timedelta(days=max(horizon, 0)), time(0, 0), HANOI).astimezone(timezone.utc)
    before = _count(session, desk_ids, lo, hi)
    _insert_ignoring_existing(session, rows)
    return _count(session, desk_ids, lo, hi) - before


def last_planned_start(desk: DeskInfo, today: date, days: int) -> datetime | None:
    """The start of the last slot ``seed_slots`` would create for this desk (None: none)."""
    horizon = max(days, MONTHLY_HORIZON_DAYS) if desk.schedule.monthly_nth else days
    for offset in range(horizon - 1, -1, -1):
        planned = planned_slots(desk.schedule, today + timedelta(days=offset))
        if planned:
            return planned[-1][0]
    return None


def seed_days() -> int:
    """How many days ahead slots are published (BOOKING_SEED_DAYS, default 14)."""
    try:
        return max(1, min(get_settings().booking_seed_days, 120))
    except ValueError:
        return 14


def desk_for_slot(slot: Slot) -> DeskInfo | None:
    return desk_data().desks.get(slot.desk_id)
