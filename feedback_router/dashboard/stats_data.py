"""The numbers behind the statistics page: one period (7–365 days, Hanoi calendar days),
the viewer's scope (an operator sees their unit), each chart with its table and CSV.

* reports per day (every day of the period, zero days included, so the axis is a calendar);
* by category, unit and ward;
* time to acknowledge (tickets.acknowledged_at: the first staff action) and to resolve:
  median and 90th percentile, hours;
* on-time rate (closed before the resolution deadline) by unit and by ward;
* citizens' ratings (1–5) by unit, once there are any.
Percentiles are computed by PostgreSQL (percentile_cont) or, on SQLite, in Python.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import ARRAY, Float, Select, case, func, literal, select
from sqlalchemy.orm import Session

from feedback_router.dashboard import labels
from feedback_router.dashboard.search import scope
from feedback_router.models import DashboardUser, Ticket, TicketStatus, Unit
from feedback_router.sla import TZ

PERIODS = (7, 30, 90, 365)
TOP = 25
TABLES = ("trend", "category", "unit", "ward", "ontime_unit", "ontime_ward", "ratings", "times")
CLOSED = (TicketStatus.resolved, TicketStatus.rejected)


def period_days(raw: str | None) -> int:
    try:
        days = int(raw or 30)
    except ValueError:
        return 30
    return days if days in PERIODS else 30


def _local_day(col, dialect: str):  # type: ignore[no-untyped-def]
    if dialect == "postgresql":
        return func.date(func.timezone("Asia/Ho_Chi_Minh", col))
    return func.date(col, "+7 hours")


def _hours(start, end, dialect: str):  # type: ignore[no-untyped-def]
    if dialect == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def _percentiles(s: Session, expr, where: Select, dialect: str) -> tuple[float | None, float | None, int]:  # type: ignore[no-untyped-def]
    """(median, p90, n) of ``expr`` over the rows of ``where``'s FROM/WHERE."""
    if dialect == "postgresql":  # both percentiles from one sort
        quantiles = literal([0.5, 0.9], ARRAY(Float))
        row = s.execute(where.with_only_columns(func.percentile_cont(quantiles).within_group(expr),
                                                func.count())).one()
        if row[0] is None:
            return None, None, int(row[1])
        return float(row[0][0]), float(row[0][1]), int(row[1])
    values = sorted(float(v) for (v,) in s.execute(where.with_only_columns(expr)) if v is not None)
    if not values:
        return None, None, 0

    def pct(q: float) -> float:  # linear interpolation, as percentile_cont
        pos = q * (len(values) - 1)
        lo, hi = int(pos), min(int(pos) + 1, len(values) - 1)
        return values[lo] + (values[hi] - values[lo]) * (pos - lo)

    return pct(0.5), pct(0.9), len(values)


def compute(s: Session, user: DashboardUser, *, days: int, now: datetime) -> dict:
    dialect = s.get_bind().dialect.name
    today = now.astimezone(TZ).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time(0), TZ).astimezone(timezone.utc)
    names = {uid: name for uid, name in s.execute(select(Unit.id, Unit.name))}
    in_period = scope(select(Ticket), user).where(Ticket.created_at >= since).subquery()
    t = in_period.c

    day = _local_day(t.created_at, dialect)
    per_day = {str(d): n for d, n in s.execute(select(day, func.count()).group_by(day))}
    trend = [((first + timedelta(days=i)).isoformat(), per_day.get((first + timedelta(days=i)).isoformat(), 0))
             for i in range(days)]

    by = {}
    for name, col, label in (("category", t.category, labels.category_vi), ("ward", t.ward_unit_id, names.get)):
        rows = s.execute(select(col, func.count()).group_by(col).order_by(func.count().desc(), col).limit(TOP))
        by[name] = [(key, (label(key) if key else None) or key or "(không rõ)", n) for key, n in rows]
    # every unit (a few hundred at most): the period's totals are their sums, no extra scan
    per_unit = s.execute(select(t.unit_id, func.count(), func.count().filter(t.overdue.is_(True)))
                         .group_by(t.unit_id).order_by(func.count().desc(), t.unit_id)).all()
    by["unit"] = [(key, names.get(key, key), n) for key, n, _ in per_unit[:TOP]]
    total, open_overdue = sum(r[1] for r in per_unit), sum(r[2] for r in per_unit)

    # closed in the period (whenever created), against the resolution deadline
    closed = scope(select(Ticket), user).where(Ticket.status.in_(CLOSED), Ticket.resolved_at >= since).subquery()
    c = closed.c
    on_time_expr = func.sum(case((c.resolved_at <= c.sla_due_at, 1), else_=0))
    ontime = {}
    for name, col in (("unit", c.unit_id), ("ward", c.ward_unit_id)):
        rows = s.execute(select(col, func.count(), on_time_expr).group_by(col).order_by(func.count().desc(), col)
                         .limit(None if name == "unit" else TOP)).all()
        ontime[name] = [(key, names.get(key or "", key or "(không rõ)"), n, int(ok or 0),
                         round(100.0 * int(ok or 0) / n, 1) if n else None) for key, n, ok in rows]
    closed_n, closed_ok = sum(r[2] for r in ontime["unit"]), sum(r[3] for r in ontime["unit"])
    ontime["unit"] = ontime["unit"][:TOP]

    resolve = _percentiles(s, _hours(c.created_at, c.resolved_at, dialect),
                           select(c.id).where(c.status == TicketStatus.resolved.value), dialect)
    ack = _percentiles(s, _hours(t.created_at, t.acknowledged_at, dialect),
                       select(t.id).where(t.acknowledged_at.is_not(None)), dialect)

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


