"""Call-backs recorded in the history of what the call answered (a ticket or a suggestion).

The outbox knows only the owning unit (stored when the message was enqueued); which history
a call-back belongs to is the domains' business, so the dashboard, above them all, hands this
function to ``outbox.mark_called``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.civic.models import Suggestion, SuggestionEvent
from feedback_router.core.models import Ticket, TicketEvent
from feedback_router.messaging.models import Outbox


def record_callback(session: Session, item: Outbox, actor: str, note: str, when: datetime) -> None:
    """An internal event on the ticket or suggestion the called-back message was about."""
    payload = item.payload or {}
    if item.ticket_id is not None:
        ticket = session.get(Ticket, item.ticket_id)
        if ticket is not None:
            session.add(TicketEvent(ticket_id=ticket.id, status=ticket.status, actor=actor, note=note,
                                    kind="callback", public=False, created_at=when))
    elif payload.get("suggestion_code"):
        suggestion = session.scalar(select(Suggestion).where(Suggestion.code == payload["suggestion_code"]))
        if suggestion is not None:
            session.add(SuggestionEvent(suggestion_id=suggestion.id, kind="callback", status=suggestion.status,
                                        actor=actor, note=note, created_at=when))
