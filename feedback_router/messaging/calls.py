"""What the hotline knows about a call outside its audio, kept in the database so that any
hotline replica can answer for any call (issue 15, part 4).

Asterisk's dialplan talks to the hotline over HTTP around ``AudioSocket()`` (bot/hotline.py):
before it, ``/caller`` says who is calling (AudioSocket itself carries only the call's UUID);
after it, ``/calls/<uuid>/next`` asks whether the caller asked for an operator. With several
hotline processes behind a balancer these three requests may reach three different replicas;
held in one process's memory, the number was lost (the ticket had no phone to call back) and
the transfer was answered ``hangup``. Here each is one row per (call, kind), read once and
deleted, and forgotten after a while when nobody asks (a call that never connected).
"""

from __future__ import annotations

import uuid as uuidlib
from datetime import datetime, timedelta, timezone

from sqlalchemy import DateTime, Engine, String, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from feedback_router.core.db import get_engine, session_scope
from feedback_router.core.models import Base, utcnow
from nlu import clock

CALLER, NEXT = "caller", "next"
CALLER_TTL = timedelta(minutes=5)  # a number whose call never connected is forgotten
NEXT_STEP_TTL = timedelta(minutes=10)  # a transfer decision the dialplan never asked for


class HotlineCallState(Base):
    """One fact about one call: its caller's number, or the dialplan's next step."""

    __tablename__ = "hotline_call_state"

    call_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # caller | next
    value: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


def _uuid(call_uuid: str) -> str:
    return str(uuidlib.UUID(call_uuid))  # ValueError for anything else


class CallRegistry:
    """The calls' numbers and next steps, shared by every hotline replica.

    ``registry(uuid)`` returns the caller's number once (then forgets it), so an instance is
    usable directly as ``CallDeps.caller_lookup`` (blocking: call it off the event loop).
    """

    def __init__(self, engine: Engine | None = None) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        return self._engine or get_engine()

    def _put(self, call_uuid: str, kind: str, value: str) -> None:
        now = clock.now()
        with session_scope(self.engine) as session:
            session.execute(delete(HotlineCallState).where(  # old rows of calls nobody asked about
                HotlineCallState.created_at < now - max(CALLER_TTL, NEXT_STEP_TTL)))
            session.execute(delete(HotlineCallState).where(HotlineCallState.call_uuid == call_uuid,
                                                           HotlineCallState.kind == kind))
            session.add(HotlineCallState(call_uuid=call_uuid, kind=kind, value=value, created_at=now))
            try:
                session.flush()
            except IntegrityError:  # the same fact registered at the same moment by another replica
                session.rollback()

    def _take(self, call_uuid: str, kind: str, ttl: timedelta) -> str | None:
        try:
            key = _uuid(call_uuid)
        except ValueError:
            return None
        with session_scope(self.engine) as session:
            row = session.execute(delete(HotlineCallState).where(
                HotlineCallState.call_uuid == key, HotlineCallState.kind == kind)
                .returning(HotlineCallState.value, HotlineCallState.created_at)).first()
        if row is None:
            return None
        value, created = row
        if created.tzinfo is None:  # SQLite gives naive UTC back
            created = created.replace(tzinfo=timezone.utc)
        return value if clock.now() - created <= ttl else None

    def register(self, call_uuid: str, number: str) -> None:
        """The number of a call about to connect (ValueError if the uuid is not a UUID)."""
        self._put(_uuid(call_uuid), CALLER, number)

    def __call__(self, call_uuid: str) -> str | None:
        """The caller's number, once: only the call's start needs it."""
        return self._take(call_uuid, CALLER, CALLER_TTL)

    def __len__(self) -> int:
        """Numbers waiting for their call."""
        with session_scope(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(HotlineCallState)
                                      .where(HotlineCallState.kind == CALLER)) or 0)

    def transfer(self, call_uuid: str) -> None:
        """The caller asked for a person: the dialplan's next question gets ``operator``."""
        self._put(_uuid(call_uuid), NEXT, "operator")

    def next_step(self, call_uuid: str) -> str:
        """``operator`` or ``hangup`` for a call whose AudioSocket leg ended (asked once)."""
        return self._take(call_uuid, NEXT, NEXT_STEP_TTL) or "hangup"
