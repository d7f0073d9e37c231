"""Reply templates: the answers a department gives again and again, per category.

A supervisor writes them once ("Phản ánh {code} đã được {unit} tiếp nhận, hạn xử lý
{deadline}."); an operator picks one and the placeholders are filled from the ticket, so
the citizen gets a specific answer and nobody retypes it. Unknown placeholders are refused
when the template is saved, not when a citizen is waiting for the answer.
"""

from __future__ import annotations

import string
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from feedback_router.core.models import Base, Ticket, utcnow
from feedback_router.tickets.sla import TZ, as_utc
from nlu.text import nfc

PLACEHOLDERS = ("code", "deadline", "unit", "category")
MAX_TITLE, MAX_BODY = 120, 2000


class ReplyTemplate(Base):
    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str | None] = mapped_column(String(40), index=True)  # None: every category
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class TemplateError(ValueError):
    """A template that could not be filled in for a citizen (bad placeholder, empty text)."""


def check_body(body: str) -> str:
    body = nfc(body or "").strip()
    if not body:
        raise TemplateError("nội dung trống / empty template")
    if len(body) > MAX_BODY:
        raise TemplateError(f"nội dung quá {MAX_BODY} ký tự / longer than {MAX_BODY} characters")
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(body) if name is not None}
    except ValueError as exc:
        raise TemplateError(f"dấu ngoặc {{ }} không khớp / unbalanced braces: {exc}") from None
    unknown = sorted(fields - set(PLACEHOLDERS))
    if unknown:
        raise TemplateError("chỗ trống không có / unknown placeholders: " + ", ".join(unknown)
                            + " (dùng / use: " + ", ".join("{" + p + "}" for p in PLACEHOLDERS) + ")")
    return body


def save(session: Session, *, category: str | None, title: str, body: str, actor: str,
         template_id: int | None = None) -> ReplyTemplate:
    title = nfc(title or "").strip()[:MAX_TITLE]
    if not title:
        raise TemplateError("thiếu tiêu đề / title required")
    body = check_body(body)
    row = session.get(ReplyTemplate, template_id) if template_id else None
    if template_id and row is None:
        raise TemplateError("không có mẫu này / no such template")
    if row is None:
        row = ReplyTemplate(created_by=actor)
        session.add(row)
    row.category, row.title, row.body, row.active = category or None, title, body, True
    session.flush()
    return row


def for_category(session: Session, category: str | None) -> list[ReplyTemplate]:
    """The active templates an operator may use on a ticket of ``category`` (and the general ones)."""
    stmt = select(ReplyTemplate).where(ReplyTemplate.active.is_(True))
    if category is not None:
        stmt = stmt.where((ReplyTemplate.category == category) | ReplyTemplate.category.is_(None))
    return list(session.scalars(stmt.order_by(ReplyTemplate.category, ReplyTemplate.title)))


def render(template: ReplyTemplate | str, ticket: Ticket, *, unit_name: str, category_name: str) -> str:
    body = template if isinstance(template, str) else template.body
    deadline = as_utc(ticket.sla_due_at).astimezone(TZ).strftime("%H:%M %d/%m/%Y") if ticket.sla_due_at else "—"
    try:
        return check_body(body).format(code=ticket.code, deadline=deadline, unit=unit_name, category=category_name)
    except (KeyError, IndexError) as exc:
        raise TemplateError(f"không điền được mẫu / cannot fill template: {exc}") from None
