"""Zalo OA tokens in the database, refreshed by one process at a time (issue 15, part 4).

Why the database: Zalo's refresh tokens are single use. They used to live in a local file
serialised by ``flock``, which holds on one host only: two web or delivery replicas on two
hosts that both saw an expired access token would both spend the same refresh token, and the
loser's refresh would be refused for good (the channel is bricked until someone pastes a new
token from the Zalo console).

Now one row per OA account (the Zalo app id) holds the pair. A refresh runs inside one
transaction that first locks that row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite a
write as the transaction's first statement, which takes the database's write lock like
``BEGIN IMMEDIATE``), then reads it again: a process that waited behind another one's refresh
finds the fresh access token and uses it instead of spending the new refresh token. The HTTP
exchange happens while the lock is held, so the new pair is committed before anyone else may
look. On SQLite that blocks other writers for the length of one refresh call (about once a
day, embedded mode only); on PostgreSQL only this row is locked.

The first process that finds no row seeds it from the old token file (``ZALO_TOKEN_FILE``,
existing deployments) or from ``ZALO_ACCESS_TOKEN``/``ZALO_REFRESH_TOKEN``; after that the
file is never read again and may be deleted.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import DateTime, Engine, Integer, String, Text, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from feedback_router.core.db import get_engine, session_scope
from feedback_router.core.models import Base, utcnow
from nlu import clock

log = logging.getLogger(__name__)

EXPIRY_MARGIN = timedelta(seconds=60)  # refresh a little before Zalo says the token expires


class ZaloToken(Base):
    """The current token pair of one OA account; ``version`` counts refreshes."""

    __tablename__ = "zalo_tokens"

    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text, default="")
    refresh_token: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # None: not known, use it
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: datetime | None = None
    version: int = 0

    def usable(self, now: datetime | None = None) -> bool:
        """An access token that is there and not (nearly) expired."""
        if not self.access_token:
            return False
        return self.expires_at is None or _aware(self.expires_at) - EXPIRY_MARGIN > (now or clock.now())


@dataclass(frozen=True)
class Exchanged:
    """What Zalo's OAuth endpoint answered to a refresh."""

    access_token: str
    refresh_token: str | None
    expires_in: float


class NoRefreshToken(RuntimeError):
    """Nothing to refresh with: an operator must set ZALO_REFRESH_TOKEN (or the row)."""


Exchange = Callable[[str], Exchanged]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _tokens(row: ZaloToken) -> Tokens:
    return Tokens(row.access_token or "", row.refresh_token or "", row.expires_at, row.version or 0)


def seed_from(token_file: Path | None, access_token: str, refresh_token: str) -> Tokens:
    """The pair an existing deployment had: the old token file if readable, else the variables."""
    if token_file is not None and token_file.is_file():
        try:
            data = dict(json.loads(token_file.read_text("utf-8")))
            expires = float(data.get("expires_at") or 0)
            log.info("zalo tokens: seeding the database from %s (the file is not read again)", token_file)
            return Tokens(str(data.get("access_token") or ""), str(data.get("refresh_token") or ""),
                          datetime.fromtimestamp(expires, timezone.utc) if expires else None)
        except (OSError, ValueError, TypeError):
            log.warning("zalo token file %s unreadable: seeding from ZALO_ACCESS_TOKEN/ZALO_REFRESH_TOKEN",
                        token_file)
    return Tokens(access_token, refresh_token)


class TokenStore:
    """The token pair of one account, shared by every process through the database."""

    def __init__(self, account: str, seed: Callable[[], Tokens], engine: Engine | None = None) -> None:
        self.account = account or "default"
        self._seed = seed
        self._engine = engine

    @property
    def engine(self) -> Engine:
        return self._engine or get_engine()

    def current(self) -> Tokens:
        """The stored pair (seeded on first use)."""
        with session_scope(self.engine) as session:
            row = session.get(ZaloToken, self.account)
            if row is not None:
                return _tokens(row)
        self._insert_seed()
        with session_scope(self.engine) as session:
            row = session.get(ZaloToken, self.account)
            assert row is not None
            return _tokens(row)

    def refresh(self, stale: str, exchange: Exchange) -> Tokens:
        """Exchange the refresh token for a new pair, unless someone already did.

        ``stale`` is the access token the caller found unusable (expired, or refused by Zalo).
        Under the row lock the row is read again: if it holds another, usable access token,
        another process refreshed meanwhile and that pair is returned without a call.
        """
        with session_scope(self.engine) as session:
            row = self._locked(session)
            if row is None:
                session.rollback()
                self._insert_seed()
                row = self._locked(session)
                assert row is not None
            held = _tokens(row)
            if held.usable() and held.access_token != stale:
                return held  # refreshed by another process while we waited for the lock
            if not held.refresh_token:
                raise NoRefreshToken("no Zalo refresh token (set ZALO_REFRESH_TOKEN)")
            got = exchange(held.refresh_token)  # the lock is held: nobody else spends this token
            now = clock.now()
            row.access_token = got.access_token
            row.refresh_token = got.refresh_token or held.refresh_token
            row.expires_at = now + timedelta(seconds=got.expires_in)
            row.version = held.version + 1
            row.updated_at = now
            session.flush()
            fresh = _tokens(row)
        log.info("zalo access token refreshed (account %s, version %d)", self.account, fresh.version)
        return fresh

    def _locked(self, session: Session) -> ZaloToken | None:
        """The row, locked for the rest of the transaction (None when it does not exist yet)."""
        if session.get_bind().dialect.name == "sqlite":
            # A write first: the transaction takes SQLite's write lock now (BEGIN IMMEDIATE), so
            # a second refresher waits here and reads the row only after the first committed.
            session.execute(update(ZaloToken).where(ZaloToken.account == self.account)
                            .values(version=ZaloToken.version))
            return session.scalar(select(ZaloToken).where(ZaloToken.account == self.account))
        return session.scalar(select(ZaloToken).where(ZaloToken.account == self.account)
                              .with_for_update().execution_options(populate_existing=True))

    def _insert_seed(self) -> None:
        seed = self._seed()
        try:
            with session_scope(self.engine) as session:
                session.add(ZaloToken(account=self.account, access_token=seed.access_token,
                                      refresh_token=seed.refresh_token, expires_at=seed.expires_at, version=0))
        except IntegrityError:
            pass  # another process seeded it first: theirs is the same pair, or a newer one
