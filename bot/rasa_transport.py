"""The HTTP connection from the app to Rasa (or to the load balancer in front of its replicas).

Why these numbers (issue 15, docs/deployment.md "Timeouts and retries"):

- connect 3 s: a replica that does not accept a connection in 3 s is down; the request
  was not sent, so it is retried (HAProxy in front: on another replica).
- read 30 s: a turn waits behind an earlier turn of the same conversation (Rasa's lock,
  a lease of TICKET_LOCK_LIFETIME = 3 s renewed while its holder lives, rasa_ext/patches.py),
  so 30 s covers a slow turn under load; after that the inbound queue answers later.
  HAProxy's `timeout server` (60 s) is longer, so it never cuts a turn the app still awaits.
- retried: connection failures, a connection closed with no answer at all (the replica
  died mid-turn: nothing will answer it), and 502/503 from the load balancer (no replica
  available). Never retried: read timeouts and 504 (the turn may still be running). A
  replayed turn files no second ticket (feedback_router.tickets.replay).
- one pool of keep-alive connections shared by all request threads, as large as the web
  server's thread count, so no thread opens a fresh connection per turn. Behind HAProxy each
  request is balanced on its own: keep-alive does not pin a web worker to one replica.
"""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 30.0
POOL_SIZE = 64


class TurnRetry(Retry):
    """urllib3's Retry, except that a read *timeout* is never retried (a dropped connection is)."""

    def increment(self, method=None, url=None, response=None, error=None, _pool=None,  # type: ignore[no-untyped-def]
                  _stacktrace=None):
        if isinstance(error, ReadTimeoutError):
            raise error
        return super().increment(method, url, response, error, _pool, _stacktrace)


def retry_policy() -> Retry:
    return TurnRetry(total=3, connect=3, read=2, other=0, status=2, status_forcelist=(502, 503),
                     allowed_methods=None, backoff_factor=0.2, raise_on_status=False,
                     respect_retry_after_header=False)


def rasa_session() -> requests.Session:
    """A session for talking to Rasa with the policy above."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE, max_retries=retry_policy())
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def timeouts(read: float = READ_TIMEOUT) -> tuple[float, float]:
    return (CONNECT_TIMEOUT, read)
