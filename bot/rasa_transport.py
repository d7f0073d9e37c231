"""The HTTP connection from the app to Rasa (or to the load balancer in front of its replicas).

Why these numbers (issue 15, docs/deployment.md "Timeouts and retries"):

- connect 3 s: a replica that does not accept a connection in 3 s is down; the request
  was not sent, so it is retried (HAProxy in front: on another replica).
- read 30 s: a turn waits behind an earlier turn of the same conversation (Rasa's lock,
  a lease of TICKET_LOCK_LIFETIME = 5 s renewed while its holder lives, rasa_ext/patches.py),
  so 30 s covers a slow turn under load; after that the inbound queue answers later.
  HAProxy's `timeout server` (60 s) is longer, so it never cuts a turn the app still awaits.
- retried: connection failures and 502/503 from the load balancer (no replica available,
  or the replica died before answering; HAProxy has already retried those on another one).
  Never retried: read timeouts and 504 (the turn may still be running). A replayed turn
  files no second ticket (feedback_router.replay).
- one pool of keep-alive connections shared by all request threads, as large as the web
  server's thread count, so no thread opens a fresh connection per turn. Behind HAProxy each
  request is balanced on its own: keep-alive does not pin a web worker to one replica.
"""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 30.0
POOL_SIZE = 64


def retry_policy() -> Retry:
    return Retry(total=3, connect=3, read=0, other=0, status=2, status_forcelist=(502, 503),
                 allowed_methods=None, backoff_factor=0.2, raise_on_status=False, respect_retry_after_header=False)


def rasa_session() -> requests.Session:
    """A session for talking to Rasa with the policy above."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE, max_retries=retry_policy())
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def timeouts(read: float = READ_TIMEOUT) -> tuple[float, float]:
    return (CONNECT_TIMEOUT, read)
