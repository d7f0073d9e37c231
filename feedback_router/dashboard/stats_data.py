"""The numbers behind the statistics page: one period (7–365 days, Hanoi calendar days),
the viewer's scope (an operator sees their unit), each chart with its table and CSV.

* reports per day (every day of the period, zero days included, so the axis is a calendar);
* by category, unit and ward;
* time to acknowledge (tickets.acknowledged_at: the first staff action) and to resolve:
  median and 90th percentile, hours;
* on-time rate (closed before the resolution deadline) by unit and by ward;
* citizens' ratings (1–5) by unit, once there are any.
Percentiles come from a histogram by the minute (see _percentiles), the same on both databases.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import BigInteger, Integer, Select, case, cast, func, select, text, tuple_
from sqlalchemy.orm import Session

from feedback_router.dashboard import labels
from feedback_router.dashboard.search import scope
from feedback_router.core.models import DashboardUser, Ticket, TicketStatus, Unit
from feedback_router.tickets.sla import TZ

PERIODS = (7, 30, 90, 365)
TOP = 25
TABLES = ("trend", "category", "unit", "ward", "ontime_unit", "ontime_ward", "ratings", "times")
CLOSED = (TicketStatus.resolved, TicketStatus.rejected)
HANOI_OFFSET_S = 7 * 3600
EPOCH_DAY = date(1970, 1, 1)
WORK_MEM = "32MB"  # this transaction only (SET LOCAL)


def period_days(raw: str | None) -> int:
    try:
        days = int(raw or 30)
    except ValueError:
        return 30
    return days if days in PERIODS else 30


def _local_day(col, dialect: str):  # type: ignore[no-untyped-def]
    """The Hanoi calendar day of ``col`` (UTC+7 all year: Vietnam has no daylight saving).
    PostgreSQL: days since 1970 from the epoch, three times cheaper than timezone() per row."""
    if dialect == "postgresql":  # integer arithmetic: extract() is numeric, slow over 80k rows
        return (cast(func.extract("epoch", col), BigInteger) + HANOI_OFFSET_S) // 86400
    return func.date(col, "+7 hours")


def _day_key(value: object) -> str:
    if isinstance(value, (int, float, Decimal)):
        return (EPOCH_DAY + timedelta(days=int(value))).isoformat()
    return str(value)


def _minutes(start, end, dialect: str):  # type: ignore[no-untyped-def]
    """Whole minutes from ``start`` to ``end``."""
    if dialect == "postgresql":
        return cast(func.extract("epoch", end - start), BigInteger) // 60
    return cast((func.julianday(end) - func.julianday(start)) * 1440, Integer)


def _percentiles(s: Session, minutes, where: Select) -> tuple[float | None, float | None, int]:  # type: ignore[no-untyped-def]
    """(median, p90, n) in hours of ``minutes`` over the rows of ``where``'s FROM/WHERE.

    From a histogram by the minute (a hash aggregate: a few thousand buckets) instead of
    sorting every duration: percentile_cont over 60,000 rows was a third of the page at 1M
    tickets; the answer is the same to the minute, on both databases."""
    label = minutes.label("m")
    hist = sorted((int(m), int(n)) for m, n in s.execute(where.with_only_columns(label, func.count())
                                                           .group_by(label)) if m is not None)
    total = sum(n for _, n in hist)
    if not total:
        return None, None, 0

    def value_at(rank: int) -> int:  # the rank-th duration (0-based) in sorted order
        seen = 0
        for m, n in hist:
            seen += n
            if rank < seen:
                return m
        return hist[-1][0]

    def pct(q: float) -> float:  # linear interpolation between ranks, as percentile_cont
        pos = q * (total - 1)
        lo, hi = value_at(int(pos)), value_at(min(int(pos) + 1, total - 1))
        return (lo + (hi - lo) * (pos - int(pos))) / 60.0

    return pct(0.5), pct(0.9), total


def _group_by_each(s: Session, keys: dict, aggregates: list, dialect: str) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    """``aggregates`` grouped by each of ``keys`` separately: {name: [(key, *values)], biggest
    first}. PostgreSQL does it in one scan (GROUPING SETS; GROUPING() tells which key a row
    belongs to, even when the key is NULL); SQLite in one query per key."""
    out: dict[str, list[tuple]] = {name: [] for name in keys}  # type: ignore[type-arg]
    cols = list(keys.values())
    if dialect == "postgresql":
        flags = [func.grouping(col) for col in cols]
        stmt = select(*cols, *flags, *aggregates).group_by(func.grouping_sets(*[tuple_(col) for col in cols]))
        for row in s.execute(stmt):
            which = [i for i in range(len(cols)) if row[len(cols) + i] == 0][0]
            out[list(keys)[which]].append((row[which], *row[2 * len(cols):]))
    else:
        for name, col in keys.items():
            out[name] = [tuple(r) for r in s.execute(select(col, *aggregates).group_by(col))]
    for rows in out.values():
        rows.sort(key=lambda r: (-(r[1] or 0), "" if r[0] is None else str(r[0])))
    return out


def compute(s: Session, user: DashboardUser, *, days: int, now: datetime) -> dict:
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":  # hash the period's groups in memory instead of sorting on disk
        s.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    today = now.astimezone(TZ).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time(0), TZ).astimezone(timezone.utc)
    names = {uid: name for uid, name in s.execute(select(Unit.id, Unit.name))}
    in_period = scope(select(Ticket), user).where(Ticket.created_at >= since).subquery()
    t = in_period.c

    # one scan of the period for the four breakdowns (PostgreSQL GROUPING SETS)
    period = _group_by_each(s, {"day": _local_day(t.created_at, dialect), "category": t.category,
                                "ward": t.ward_unit_id, "unit": t.unit_id},
                            [func.count(), func.count().filter(t.overdue.is_(True))], dialect)
    per_day = {_day_key(d): n for d, n, _ in period["day"]}
    trend = [((first + timedelta(days=i)).isoformat(), per_day.get((first + timedelta(days=i)).isoformat(), 0))
             for i in range(days)]
    by = {"category": [(k, labels.category_vi(k) if k else "(không rõ)", n) for k, n, _ in period["category"][:TOP]],
          "ward": [(k, names.get(k or "", k or "(không rõ)"), n) for k, n, _ in period["ward"][:TOP]],
          "unit": [(k, names.get(k, k), n) for k, n, _ in period["unit"][:TOP]]}
    # every unit is in the list, so the period's totals are its sums
    total, open_overdue = sum(r[1] for r in period["unit"]), sum(r[2] or 0 for r in period["unit"])

    # closed in the period (whenever created), against the resolution deadline
    closed = scope(select(Ticket), user).where(Ticket.status.in_(CLOSED), Ticket.resolved_at >= since).subquery()
    c = closed.c
    on_time_expr = func.sum(case((c.resolved_at <= c.sla_due_at, 1), else_=0))
    closing = _group_by_each(s, {"unit": c.unit_id, "ward": c.ward_unit_id}, [func.count(), on_time_expr], dialect)
    ontime = {name: [(key, names.get(key or "", key or "(không rõ)"), n, int(ok or 0),
                      round(100.0 * int(ok or 0) / n, 1) if n else None) for key, n, ok in rows]
              for name, rows in closing.items()}
    closed_n, closed_ok = sum(r[2] for r in ontime["unit"]), sum(r[3] for r in ontime["unit"])
    ontime = {name: rows[:TOP] for name, rows in ontime.items()}

    resolve = _percentiles(s, _minutes(c.created_at, c.resolved_at, dialect),
                           select(c.id).where(c.status == TicketStatus.resolved.value))
    ack = _percentiles(s, _minutes(t.created_at, t.acknowledged_at, dialect),
                       select(t.id).where(t.acknowledged_at.is_not(None)))

    rated = scope(select(Ticket), user).where(Ticket.rating.is_not(None), Ticket.resolved_at >= since).subquery()
    ratings = [(key, names.get(key, key), n, round(float(avg), 2)) for key, n, avg in s.execute(
        select(rated.c.unit_id, func.count(), func.avg(rated.c.rating)).group_by(rated.c.unit_id)
        .order_by(func.count().desc()).limit(TOP))]

    return {"days": days, "first": first.isoformat(), "last": today.isoformat(), "total": int(total or 0),
            "overdue": int(open_overdue or 0), "closed": int(closed_n or 0), "on_time": int(closed_ok or 0),
            "on_time_rate": round(100.0 * int(closed_ok or 0) / closed_n, 1) if closed_n else None,
            "trend": trend, "by": by, "ontime": ontime, "ratings": ratings,
            "resolve": {"median": _round(resolve[0]), "p90": _round(resolve[1]), "n": resolve[2]},
            "ack": {"median": _round(ack[0]), "p90": _round(ack[1]), "n": ack[2]}}


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


def table(d: dict, name: str) -> tuple[list[str], list[list[object]]]:
    """(header, rows) of one chart's table: what the page shows under the chart and the CSV holds."""
    if name == "trend":
        return ["ngay", "so_phan_anh"], [[day, n] for day, n in d["trend"]]
    if name in ("category", "unit", "ward"):
        return ["ma", "ten", "so_phan_anh"], [[k or "", label, n] for k, label, n in d["by"][name]]
    if name in ("ontime_unit", "ontime_ward"):
        return (["ma", "ten", "da_dong", "dung_han", "ty_le_dung_han_pct"],
                [[k or "", label, n, ok, "" if r is None else r] for k, label, n, ok, r in d["ontime"][name[7:]]])
    if name == "ratings":
        return ["ma_don_vi", "don_vi", "so_danh_gia", "diem_trung_binh"], [list(r) for r in d["ratings"]]
    return (["chi_so", "trung_vi_gio", "p90_gio", "so_phan_anh"],
            [["tiep_nhan", d["ack"]["median"], d["ack"]["p90"], d["ack"]["n"]],
             ["xu_ly", d["resolve"]["median"], d["resolve"]["p90"], d["resolve"]["n"]]])


