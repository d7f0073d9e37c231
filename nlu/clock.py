"""The one source of "now" for dialogue, booking, SLA, ticket codes and reminders.

It lives in nlu/ because nlu is the bottom layer every package may import (bot, feedback_router,
tourism, voice) and it needs only the standard library, like the rest of nlu.

Code that reads the time calls ``now()`` (aware, UTC) or ``hanoi_now()`` / ``hanoi_today()``
(what a person in Hanoi sees on the wall) instead of ``datetime.now``: a ticket filed at 00:14
on 05/12 in Hanoi is a 05/12 ticket even though the server's clock still says 04/12 UTC.

Tests move time in two ways:

* in-process code: the maintained library ``time-machine`` (it patches ``datetime.now``, which
  ``now()`` calls);
* a running stack (action server, web app, workers started as processes): the environment
  variable ``CLOCK_FROZEN_AT`` holding an ISO instant with its offset
  (``2026-12-04T16:30+07:00``). It is a test switch: honoured only outside production
  (``APP_ENV`` unset, ``development`` or ``test``; feedback_router.core.settings), so it can never
  move a production clock (there it is ignored with a warning). The clock starts at that
  instant when the process first asks and ticks with the real monotonic clock, so events still
  come in order; ``CLOCK_TICK=0`` stops it from ticking (tests/conftest.py does, so a dialogue
  at 23:59 does not cross midnight half-way). The names carry no ``HANOI_`` prefix because
  feedback_router.core.settings refuses unknown ``HANOI_*`` variables.
"""

from __future__ import annotations

import logging
import os
import threading
import time as _time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
FROZEN_AT_ENV = "CLOCK_FROZEN_AT"
TICK_ENV = "CLOCK_TICK"
MODE_ENV = "APP_ENV"
PRODUCTION = "production"

log = logging.getLogger(__name__)
_lock = threading.Lock()
_start: tuple[str, datetime, float] | None = None  # (raw value, instant, monotonic at first read)


def parse_instant(raw: str) -> datetime:
    """An ISO instant that must carry its offset: a bare "2026-12-04T16:30" would mean UTC on
    one machine and Hanoi time in a person's head."""
    at = datetime.fromisoformat(raw.strip())
    if at.tzinfo is None:
        raise ValueError(f"{raw!r}: give the offset, e.g. 2026-12-04T16:30+07:00")
    return at.astimezone(timezone.utc)


def _frozen() -> datetime | None:
    global _start
    raw = os.environ.get(FROZEN_AT_ENV)
    if not raw:
        return None
    if os.environ.get(MODE_ENV, "development") == PRODUCTION:
        log.warning("%s is set in %s=%s: ignored, the real clock is used", FROZEN_AT_ENV, MODE_ENV, PRODUCTION)
        return None
    with _lock:
        if _start is None or _start[0] != raw:
            _start = (raw, parse_instant(raw), _time.monotonic())
        _, at, started = _start
    if os.environ.get(TICK_ENV, "1") == "0":
        return at
    return at + timedelta(seconds=_time.monotonic() - started)


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return _frozen() or datetime.now(timezone.utc)


def hanoi_now() -> datetime:
    """The current instant in Hanoi local time (Asia/Ho_Chi_Minh, UTC+7, no daylight saving)."""
    return now().astimezone(HANOI)


def hanoi_today() -> date:
    return hanoi_now().date()


def to_hanoi(at: datetime) -> datetime:
    """``at`` as shown to people; a naive value (SQLite drops the offset) is UTC."""
    return (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(HANOI)
