"""The queue's query: scope, filters, diacritic-free search, sort and keyset pages.

Keyset ("after this row") instead of OFFSET so page 2 000 costs what page 1 costs: the
next page starts where the last row left off, through the (sort column, id) index.
Search: PostgreSQL matches an unaccented full-text index (configuration ``vi_unaccent``,
created by migration e5a1b7c9d2f3); SQLite matches every word with LIKE in the folded
``search_text`` column. Both take "ngo 12 lang ha" for "ngõ 12 Láng Hạ".
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Select, and_, or_, select, text, tuple_

from feedback_router.tickets import lifecycle
from feedback_router.core.codes import normalize_code
from feedback_router.core.models import DashboardUser, Ticket, TicketStatus
from feedback_router.tickets.sla import TZ, as_utc
from nlu.text import fold

PAGE_SIZE = 50
MAX_WORDS = 8
PREFIX_MIN = 3
# Words of nearly every Vietnamese address (folded): not worth an index walk, see _pg_match.
COMMON_WORDS = frozenset({"ngo", "ngach", "hem", "kiet", "pho", "duong", "so", "phuong", "xa", "quan", "huyen",
                          "thi", "tran", "to", "dan", "o", "tai", "gan", "canh", "truoc"})
# The exact expression of the GIN index ix_tickets_fts (see the migration): keep them equal.
PG_DOCUMENT = ("coalesce(tickets.code, '') || ' ' || coalesce(tickets.description, '') || ' ' "
               "|| coalesce(tickets.location_text, '')")
SORTS = {"created": Ticket.created_at, "ack": Ticket.ack_due_at, "sla": Ticket.sla_due_at, "code": Ticket.code}
CODE_RE = re.compile(r"^HN-\d{4}-[0-9A-Z]{4}$")


@dataclass
class QueueParams:
    """What the queue form asked for, validated (unknown values are ignored, not errors)."""

    status: str = ""
    category: str = ""
    ward: str = ""
    unit: str = ""
    date_from: date | None = None
    date_to: date | None = None
    overdue: bool = False
    q: str = ""
    sort: str = "created"
    desc: bool = True
    after: tuple[str, int] | None = None
    args: dict[str, str] = field(default_factory=dict)  # the filters to keep in links


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip()) if raw else None
    except ValueError:
        return None


def decode_cursor(raw: str | None) -> tuple[str, int] | None:
    if not raw:
        return None
    try:
        value, ident = json.loads(base64.urlsafe_b64decode(raw.encode() + b"==="))
        return str(value), int(ident)
    except (ValueError, TypeError):
        return None


def encode_cursor(value: object, ident: int) -> str:
    if isinstance(value, datetime):
        value = as_utc(value).isoformat()
    return base64.urlsafe_b64encode(json.dumps([value, ident]).encode()).decode().rstrip("=")


def parse(args: Mapping[str, str]) -> QueueParams:
    sort = args.get("sort", "created")
    p = QueueParams(
        status=args.get("status", "") if args.get("status", "") in (*TicketStatus.__members__, "open") else "",
        category=(args.get("category") or "")[:40], ward=(args.get("ward") or "")[:80],
        unit=(args.get("unit") or "")[:80], date_from=_date(args.get("from")), date_to=_date(args.get("to")),
        overdue=args.get("overdue") in ("1", "true", "on"), q=(args.get("q") or "").strip()[:200],
        sort=sort if sort in SORTS else "created", desc=args.get("dir", "desc") != "asc",
        after=decode_cursor(args.get("after")))
    p.args = {k: v for k, v in args.items() if k not in ("after",) and v}
    return p


def scope(stmt: Select, user: DashboardUser) -> Select:
    """Operators (and inspectors) see their own unit's tickets only."""
    if user.role not in ("supervisor", "admin"):
        return stmt.where(Ticket.unit_id == (user.unit_id or ""))
    return stmt


def overdue_clause(now: datetime):  # type: ignore[no-untyped-def]
    """Open and late: flagged by the SLA worker, or past a deadline right now (the worker runs
    every minute or so; the queue should not wait for it)."""
    return and_(Ticket.status.in_(lifecycle.OPEN),
                or_(Ticket.overdue.is_(True), Ticket.sla_due_at < now,
                    and_(Ticket.status == TicketStatus.received, Ticket.ack_due_at < now)))


def search_words(q: str) -> list[str]:
    return re.findall(r"\w+", fold(q))[:MAX_WORDS]


def search_clause(q: str, dialect: str):  # type: ignore[no-untyped-def]
    words = search_words(q)
    if not words:
        return None
    code = normalize_code(q)
    by_code = Ticket.code == code if CODE_RE.match(code or "") else None
    if dialect == "postgresql":
        match = _pg_match(words)
    else:
        match = and_(*[Ticket.search_text.like("%" + w.replace("_", r"\_") + "%", escape="\\") for w in words])
    return match if by_code is None else or_(by_code, match)


def _pg_match(words: list[str]):  # type: ignore[no-untyped-def]
    """Full-text match in two steps, both on the unaccented document.

    The GIN index finds the rows with the telling words; words that nearly every address has
    ("ngõ", "phố", "số") are checked only on those rows, through an expression the index does not
    cover (``|| ''``): walking the index entry of a word present in every row cost ~190 ms at 1M
    tickets, the recheck a few. The last word may be half typed ("lang h…"): it is a prefix from
    three letters on (shorter prefixes match half the dictionary)."""
    last = words[-1] + (":*" if len(words[-1]) >= PREFIX_MIN and not words[-1].isdigit() else "")
    terms = words[:-1] + [last]
    telling = [t for t in terms if t not in COMMON_WORDS] or terms
    match = text(f"to_tsvector('vi_unaccent'::regconfig, {PG_DOCUMENT}) "
                 "@@ to_tsquery('vi_unaccent'::regconfig, :tsq)").bindparams(tsq=" & ".join(telling))
    if len(telling) == len(terms):
        return match
    recheck = text(f"to_tsvector('vi_unaccent'::regconfig, {PG_DOCUMENT} || '') "
                   "@@ to_tsquery('vi_unaccent'::regconfig, :all_terms)").bindparams(all_terms=" & ".join(terms))
    return and_(match, recheck)


def _local_day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), TZ).astimezone(timezone.utc)


def filtered(user: DashboardUser, p: QueueParams, *, dialect: str, now: datetime) -> Select:
    """Tickets the user may see that match the filters (no order, no page)."""
    stmt = scope(select(Ticket), user)
    if p.status == "open":
        stmt = stmt.where(Ticket.status.in_(lifecycle.OPEN))
    elif p.status:
        stmt = stmt.where(Ticket.status == TicketStatus(p.status))
    if p.category:
        stmt = stmt.where(Ticket.category == p.category)
    if p.ward:
        stmt = stmt.where(Ticket.ward_unit_id == p.ward)
    if p.unit and user.role in ("supervisor", "admin"):
        stmt = stmt.where(Ticket.unit_id == p.unit)
    if p.date_from:
        stmt = stmt.where(Ticket.created_at >= _local_day_start(p.date_from))
    if p.date_to:
        stmt = stmt.where(Ticket.created_at < _local_day_start(p.date_to + timedelta(days=1)))
    if p.overdue:
        stmt = stmt.where(overdue_clause(now))
    if p.q:
        clause = search_clause(p.q, dialect)
        if clause is not None:
            stmt = stmt.where(clause)
    return stmt


def _sort_key(p: QueueParams):  # type: ignore[no-untyped-def]
    return SORTS[p.sort]


def _cursor_value(p: QueueParams, raw: str) -> object:
    if p.sort == "code":
        return raw
    return datetime.fromisoformat(raw)


def page_query(user: DashboardUser, p: QueueParams, *, dialect: str, now: datetime) -> Select:
    """One page (PAGE_SIZE + 1 rows: the extra one says whether there is a next page)."""
    stmt = filtered(user, p, dialect=dialect, now=now)
    key = _sort_key(p)
    if p.sort in ("ack", "sla"):
        # every ticket gets both deadlines when filed (service.create_ticket, split); a row
        # without one cannot take part in a keyset order, and the (deadline, id) index serves it
        stmt = stmt.where(key.is_not(None))
    if p.after is not None:
        try:
            value = _cursor_value(p, p.after[0])
        except ValueError:
            value = None
        if value is not None:
            cmp = tuple_(key, Ticket.id) < tuple_(value, p.after[1]) if p.desc else \
                tuple_(key, Ticket.id) > tuple_(value, p.after[1])
            stmt = stmt.where(cmp)
    order = (key.desc(), Ticket.id.desc()) if p.desc else (key.asc(), Ticket.id.asc())
    return stmt.order_by(*order).limit(PAGE_SIZE + 1)


def next_cursor(p: QueueParams, rows: list[Ticket]) -> str | None:
    if len(rows) <= PAGE_SIZE:
        return None
    last = rows[PAGE_SIZE - 1]
    value = getattr(last, {"created": "created_at", "ack": "ack_due_at", "sla": "sla_due_at", "code": "code"}[p.sort])
    return encode_cursor(value, last.id)


def deadline_class(due: datetime | None, now: datetime, *, open_: bool, warn: timedelta = timedelta(hours=4)) -> str:
    """'late' past the deadline, 'soon' within ``warn`` of it (only while the ticket is open)."""
    if due is None or not open_:
        return ""
    due = as_utc(due)
    if due < now:
        return "late"
    return "soon" if due - now <= warn else ""
