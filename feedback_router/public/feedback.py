"""A reporter rates a resolved report or reopens it; ratings summed up for the dashboard.

Wraps lifecycle.rate / lifecycle.reopen with the one check the dialogue cannot make: the
sender must be a reporter of the ticket (its contact or a follower after a merge).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from feedback_router.tickets import lifecycle
from feedback_router.core.codes import normalize_code
from feedback_router.core.db import session_scope
from feedback_router.core.models import Ticket, TicketEvent


class FeedbackRefused(ValueError):
    """The rating or reopen is not allowed; the message is bilingual, shown to the citizen."""


_WHY = {
    "only a resolved ticket can be rated":
        "chỉ đánh giá được phản ánh đã xử lý xong (only a resolved report can be rated)",
    "a ticket can be reopened only once": "mỗi phản ánh chỉ được mở lại một lần (a report can be reopened only once)",
    "only a resolved or rejected ticket can be reopened":
        "phản ánh chưa đóng nên không cần mở lại (the report is still open)",
}


def _reporter_ticket(session: Session, code: str, sender_id: str) -> Ticket:
    ticket = session.scalar(select(Ticket).where(Ticket.code == normalize_code(code or "")))
    if ticket is None or sender_id not in {c.sender_id for c in lifecycle.recipients(session, ticket)}:
        # someone else's code: do not even confirm that it exists
        raise FeedbackRefused(f"không tìm thấy phản ánh {code} của bạn (no report {code} of yours)")
    return ticket


def _refused(exc: lifecycle.LifecycleError) -> FeedbackRefused:
    text = str(exc)
    if text.startswith("a ticket can be reopened only within"):
        return FeedbackRefused(f"đã quá {lifecycle.REOPEN_DAYS} ngày kể từ khi xử lý xong "
                               f"(more than {lifecycle.REOPEN_DAYS} days since it was resolved)")
    return FeedbackRefused(_WHY.get(text, text))


def rate_ticket(code: str, rating: int, *, sender_id: str, engine: Engine | None = None,
                now: datetime | None = None) -> str:
    """Record 1–5 stars on a resolved ticket; returns its code."""
    if not 1 <= rating <= 5:
        raise FeedbackRefused("điểm phải từ 1 đến 5 (rating must be 1–5)")
    with session_scope(engine) as session:
        ticket = _reporter_ticket(session, code, sender_id)
        try:
            lifecycle.rate(session, ticket, rating, actor=f"citizen:{sender_id}", now=now)
        except lifecycle.LifecycleError as exc:
            raise _refused(exc) from exc
        return ticket.code


def reopen_ticket(code: str, *, sender_id: str, engine: Engine | None = None, now: datetime | None = None) -> str:
    """Back to in progress with a reopen event the unit sees in its queue; returns the code."""
    with session_scope(engine) as session:
        ticket = _reporter_ticket(session, code, sender_id)
        try:
            lifecycle.reopen(session, ticket, actor=f"citizen:{sender_id}", reason="người phản ánh mở lại",
                             now=now)
        except lifecycle.LifecycleError as exc:
            raise _refused(exc) from exc
        return ticket.code


@dataclass(frozen=True)
class RatingStats:
    """Citizens' satisfaction with resolved reports, overall and per unit."""

    count: int
    average: float | None
    distribution: dict[int, int]  # stars -> number of ratings
    by_unit: dict[str, tuple[int, float]]  # unit id -> (ratings, average)
    reopened: int

    def as_dict(self) -> dict[str, object]:
        return {"count": self.count, "average": self.average,
                "distribution": {str(k): v for k, v in self.distribution.items()},
                "by_unit": {u: {"count": n, "average": a} for u, (n, a) in self.by_unit.items()},
                "reopened": self.reopened}


def rating_stats(session: Session, since: datetime | None = None) -> RatingStats:
    """Ratings currently held by tickets (a reopen clears a rating until the next resolution)."""
    rated = select(Ticket.unit_id, Ticket.rating).where(Ticket.rating.is_not(None))
    if since is not None:
        rated = rated.where(Ticket.resolved_at >= since)
    rows = session.execute(rated).all()
    distribution = {n: 0 for n in range(1, 6)}
    per_unit: dict[str, list[int]] = {}
    for unit_id, stars in rows:
        distribution[int(stars)] += 1
        per_unit.setdefault(unit_id, []).append(int(stars))
    reopened_q = select(func.count()).select_from(TicketEvent).where(TicketEvent.kind == "reopen")
    if since is not None:
        reopened_q = reopened_q.where(TicketEvent.created_at >= since)
    total = sum(distribution.values())
    return RatingStats(
        count=total,
        average=round(sum(k * v for k, v in distribution.items()) / total, 2) if total else None,
        distribution=distribution,
        by_unit={u: (len(v), round(sum(v) / len(v), 2)) for u, v in sorted(per_unit.items())},
        reopened=int(session.scalar(reopened_q) or 0),
    )


__all__ = ["FeedbackRefused", "RatingStats", "rate_ticket", "rating_stats", "reopen_ticket"]
