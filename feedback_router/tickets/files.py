"""Photos and voice notes attached to a ticket, and the files behind them.

Why events, not a table: an attachment is part of the ticket's history (who sent what,
when, with which report) exactly like a note, so it is a TicketEvent of kind "attachment"
(never public) whose note holds the stored reference as JSON. Files stay where the channel
stored them (bot.channels.attachments, in the shared file store feedback_router.messaging.blobs:
a path under UPLOAD_DIR, or ``db:<key>``); staff of the owning unit fetch them through the
dashboard (feedback_router.dashboard.files) on any replica; a path is followed only inside
UPLOAD_DIR.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from feedback_router.core.models import Ticket, TicketEvent
from feedback_router.messaging import blobs
from nlu import clock

KIND = "attachment"
MAX_PER_REPORT = 5
SHOWN_MIMES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})


@dataclass(frozen=True)
class TicketFile:
    event_id: int
    kind: str  # "image" | "audio" | "video"
    path: str
    mime: str | None
    size: int | None

    @property
    def is_image(self) -> bool:
        return self.mime in SHOWN_MIMES


def _clean(item: Mapping[str, Any]) -> dict[str, Any] | None:
    path, kind = item.get("path"), item.get("kind")
    if not isinstance(path, str) or not path or kind not in ("image", "audio", "video"):
        return None
    mime = item.get("mime") if isinstance(item.get("mime"), str) else None
    size = item.get("size") if isinstance(item.get("size"), int) else None
    return {"kind": kind, "path": path, "mime": mime, "size": size}


def record(session: Session, ticket: Ticket, items: Iterable[Mapping[str, Any]], *, actor: str,
           now: datetime | None = None) -> list[TicketEvent]:
    """One internal event per file the citizen sent with this report."""
    events = []
    for item in list(items)[:MAX_PER_REPORT]:
        clean = _clean(item)
        if clean is None:
            continue
        event = TicketEvent(status=ticket.status, actor=actor, kind=KIND, public=False,
                            note=json.dumps(clean, ensure_ascii=False), created_at=now or clock.now())
        ticket.events.append(event)
        events.append(event)
    if events:
        session.flush()
    return events


def files_of(ticket: Ticket) -> list[TicketFile]:
    out = []
    for event in ticket.events:
        if event.kind != KIND or not event.note:
            continue
        try:
            data = json.loads(event.note)
        except ValueError:
            continue
        out.append(TicketFile(event.id, data.get("kind", "image"), data.get("path", ""), data.get("mime"),
                              data.get("size")))
    return out


def content(item: TicketFile) -> bytes | None:
    """The file's bytes from the store that holds it; None when it is gone or its path lies
    outside UPLOAD_DIR."""
    return blobs.read(item.path)
