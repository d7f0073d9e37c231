"""The patches themselves, each one function replacing one Rasa method, with why.

1. ``RemoteAction._validate_action_result`` — Rasa validates every action-server
   response with ``jsonschema.validate(result, schema)``, which re-checks the schema
   itself and builds a new validator on every call: ~61% of the Rasa process's CPU under
   load (issue 15). Even compiled once, the schema's ``oneOf`` over 23 event kinds makes
   jsonschema try every kind for every event (~2.6 ms for a 9-event response). We keep the
   same schema and still validate *every* response, but check each event against the one
   ``oneOf`` branch its ``event`` name selects (the branches are told apart by a distinct
   ``const``, so exactly that branch must match; this is derived from the schema at start,
   not hard-coded). Anything unusual, and any failure, goes through the full compiled
   validator, so an invalid response still raises ``jsonschema.ValidationError`` with
   Rasa's own message (tests/test_rasa_patches.py shows both, against a real HTTP stand-in).

2. ``LockStore.lock`` — a conversation's lock ticket lived 60 s whatever happened to the
   process holding it, and the Redis key had no expiry: a replica killed mid-turn left the
   citizen's next message waiting a minute (issue 15). Tickets are now *leases*: short
   (``TICKET_LOCK_LIFETIME``, default 3 s) and renewed every third of that by the live
   process for as long as it waits or works, so a live turn keeps its lock however long it
   takes, and a dead one frees it within one lease. Waiters look again every
   ``RASA_LOCK_POLL_SECONDS`` (0.1 s, was 1 s). Renewal on Redis is a WATCH/MULTI
   transaction (it never overwrites a ticket another replica just issued), and every save
   gives the key a TTL of two leases, so nothing is left behind. Rasa's own ``issue_ticket``,
   ``update_lock`` and ``cleanup`` read the lock, change it and write it back: two replicas
   taking two messages of one citizen at the same instant both read an empty lock, both got
   ticket 0 and ran the turns together (one turn's events were lost in the tracker). On Redis
   these three and renewal are one server-side Lua script each (``TICKETS_LUA``: Redis runs a
   script atomically), one round trip instead of the four of a WATCH/MULTI transaction; the
   stored value keeps Rasa's format, so Rasa's ``get_lock`` reads it unchanged.

3. ``EndpointConfig.request`` — Rasa opens a new aiohttp session, hence a new TCP
   connection, for every call to the action server (≈15% of Rasa's CPU under load, in
   connection set-up). We keep one session per endpoint and event loop, with keep-alive
   (aiohttp's 15 s, under rasa_sdk's 120 s server keep-alive, so a reused connection is
   never one the server has just closed), encoding bodies with ujson (a Rasa dependency;
   the standard library for what ujson refuses). Everything else is Rasa's code as it was.

4. SQLite tracker store (``rasa.core.tracker_store.create_engine_kwargs``) — each save
   committed with a full fsync on Rasa's only event loop (≈16% of samples, every
   conversation waiting behind it), and SQLAlchemy 1.4 gave SQLite files no pool, so every
   retrieve and save opened and closed a connection (≈10%). SQLite now keeps a small pool
   and uses WAL with ``synchronous=NORMAL``: a committed turn survives a crash of Rasa;
   only a power cut can lose the last turns. PostgreSQL (cluster mode) is unchanged.

5. ``RemoteAction._action_call_format`` — every action call carried the whole domain
   (≈15 KB of JSON encoded, sent and parsed each time). rasa_sdk keeps the last domain it
   received and accepts a ``domain_digest`` instead; if it has not got that domain (a new or
   restarted action server) it answers HTTP 449 and we send the call again with the domain.
   So the domain travels once per action server, and the action server always acts on the
   domain Rasa runs with.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import aiohttp
import jsonschema
from aiohttp import ContentTypeError
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.core.lock import TicketLock
from rasa.core import tracker_store
from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.exceptions import FileNotFoundException
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url
import sqlalchemy
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)
_ORIGINALS: dict[str, Any] = {}


def _compile(schema: dict[str, Any]) -> Any:
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def full_validator() -> Any:
    """Rasa's action-server response schema, compiled once."""
    return _compile(RemoteAction.action_response_format_spec())


@lru_cache(maxsize=1)
def split_validators() -> tuple[Any, dict[str, Any]] | None:
    """(response shell with events unchecked, {event name: validator for that kind}).

    None when the schema is not the shape this relies on (a top-level ``oneOf`` whose
    branches each fix ``event`` to a distinct constant): then only the full validator runs.
    """
    spec = RemoteAction.action_response_format_spec()
    try:
        event_schema = spec["properties"]["events"]["items"]
        branches = event_schema["oneOf"]
        names = [branch["properties"]["event"]["const"] for branch in branches]
    except (KeyError, TypeError):
        return None
    if len(set(names)) != len(names) or "anyOf" in event_schema or "allOf" in event_schema:
        return None
    base = {k: v for k, v in event_schema.items() if k != "oneOf"}
    per_kind = {name: _compile({"allOf": [base, branch]}) for name, branch in zip(names, branches)}
    shell = copy.deepcopy(spec)
    shell["properties"]["events"] = {"type": "array"}
    return _compile(shell), per_kind


def is_valid_action_result(result: Any) -> bool:
    """The fast check: True only when the full schema would accept ``result`` too."""
    split = split_validators()
    if split is None:
        return bool(full_validator().is_valid(result))
    shell, per_kind = split
    if not shell.is_valid(result):
        return False
    for event in result.get("events") or []:
        validator = per_kind.get(event.get("event")) if isinstance(event, dict) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Same contract as Rasa's: True, or the best-matching ValidationError raised."""
    if is_valid_action_result(result):
        return True
    error = best_match(full_validator().iter_errors(result))
    if error is None:  # the fast check refused something the schema accepts: trust the schema
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def lease_seconds() -> float:
    return float(os.environ.get("TICKET_LOCK_LIFETIME") or 3)


def poll_seconds() -> float:
    return float(os.environ.get("RASA_LOCK_POLL_SECONDS") or 0.1)


def _extend(lock: TicketLock, number: int, lifetime: float) -> bool:
    for ticket in lock.tickets:
        if ticket.number == number:
            ticket.expires = time.time() + lifetime
            return True
    return False


# One script for every change to a conversation's lock on Redis. KEYS[1]: the lock key;
# ARGV: operation, now (the replica's clock, as Rasa's tickets use), key TTL in ms,
# conversation id, then the operation's arguments. The value is Rasa's TicketLock.dumps():
# {"conversation_id": …, "tickets": ["{\"number\": n, \"expires\": t}", …]} (each ticket a
# JSON string). Returns the ticket drawn (issue) or 1/0 (renew: the ticket was still there).
TICKETS_LUA = """
local raw = redis.call('GET', KEYS[1])
local op, now, ttl, conversation = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local tickets = {}
if raw then
  local lock = cjson.decode(raw)
  if type(lock.conversation_id) == 'string' then conversation = lock.conversation_id end
  if type(lock.tickets) == 'table' then
    for _, text in ipairs(lock.tickets) do table.insert(tickets, cjson.decode(text)) end
  end
end
local function without(keep)
  local kept = {}
  for _, t in ipairs(tickets) do if keep(t) then table.insert(kept, t) end end
  tickets = kept
end
local result = 0
if op == 'issue' then
  without(function(t) return not (now > t.expires) end)
  result = 0
  if #tickets > 0 then result = tickets[#tickets].number + 1 end
  table.insert(tickets, {number = result, expires = now + tonumber(ARGV[5])})
elseif op == 'expire' then
  without(function(t) return not (now > t.expires) end)
elseif op == 'finish' then
  local number = tonumber(ARGV[5])
  without(function(t) return t.number ~= number end)
elseif op == 'renew' then
  local number = tonumber(ARGV[5])
  for _, t in ipairs(tickets) do
    if t.number == number then t.expires = now + tonumber(ARGV[6]); result = 1 end
  end
end
if #tickets == 0 then
  redis.call('DEL', KEYS[1])
else
  local texts = {}
  for i, t in ipairs(tickets) do texts[i] = cjson.encode({number = t.number, expires = t.expires}) end
  redis.call('SET', KEYS[1], cjson.encode({conversation_id = conversation, tickets = texts}), 'PX', ttl)
end
return result
"""


def _tickets_script(store: RedisLockStore) -> Any:
    script = getattr(store, "_rasa_ext_tickets", None)
    if script is None:
        script = store._rasa_ext_tickets = store.red.register_script(TICKETS_LUA)
    return script


def _run_tickets(store: RedisLockStore, conversation_id: str, op: str, *args: float) -> int:
    """One atomic change to the lock on Redis (TICKETS_LUA), one round trip."""
    ttl_ms = int(2000 * lease_seconds())
    return int(_tickets_script(store)(keys=[store.key_prefix + conversation_id],
                                      args=[op, repr(time.time()), ttl_ms, conversation_id, *map(repr, args)]))


def renew_ticket(store: LockStore, conversation_id: str, number: int, lifetime: float) -> None:
    """Push ticket `number`'s expiry one lease ahead (no-op if it is gone)."""
    if not isinstance(store, RedisLockStore):
        lock = store.get_lock(conversation_id)
        if lock is not None and _extend(lock, number, lifetime):
            store.save_lock(lock)
        return
    _run_tickets(store, conversation_id, "renew", number, lifetime)


def issue_ticket_atomic(self: RedisLockStore, conversation_id: str, lock_lifetime: float = 60) -> int:
    """Rasa's issue_ticket in one atomic step: two replicas never draw the same number."""
    try:
        return _run_tickets(self, conversation_id, "issue", lock_lifetime)
    except Exception as exc:  # Rasa's contract: any failure here is a LockError
        raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc


def update_lock_atomic(self: RedisLockStore, conversation_id: str) -> None:
    """Rasa's update_lock (drop expired tickets) in one atomic step."""
    _run_tickets(self, conversation_id, "expire")


def cleanup_atomic(self: RedisLockStore, conversation_id: str, ticket_number: int) -> None:
    """Rasa's cleanup (finish serving, delete the lock when nobody waits) in one atomic step."""
    _run_tickets(self, conversation_id, "finish", ticket_number)


async def _keep_alive(store: LockStore, conversation_id: str, number: int, lifetime: float) -> None:
    while True:
        await asyncio.sleep(lifetime / 3)
        try:
            renew_ticket(store, conversation_id, number, lifetime)
        except Exception:  # a Redis blip: the next beat tries again; the lease covers two misses
            log.warning("could not renew the lock lease of a conversation", exc_info=True)


@asynccontextmanager
async def leased_lock(self: LockStore, conversation_id: str, lock_lifetime: float | None = None,
                      wait_time_in_seconds: float | None = None) -> AsyncIterator[TicketLock]:
    """Rasa's ticket lock, with a short lease renewed while this process is alive."""
    lifetime = lease_seconds() if lock_lifetime is None else lock_lifetime
    ticket = self.issue_ticket(conversation_id, lifetime)
    heartbeat = asyncio.create_task(_keep_alive(self, conversation_id, ticket, lifetime))
    try:
        yield await self._acquire_lock(conversation_id, ticket,
                                       poll_seconds() if wait_time_in_seconds is None else wait_time_in_seconds)
    finally:
        heartbeat.cancel()
        self.cleanup(conversation_id, ticket)


def save_lock_with_ttl(self: RedisLockStore, lock: TicketLock) -> None:
    """Rasa's save, plus a TTL of two leases: a dead replica's key disappears by itself."""
    self.red.set(self.key_prefix + lock.conversation_id, lock.dumps(), px=int(2000 * lease_seconds()))


_SESSIONS: dict[tuple[int, int], aiohttp.ClientSession] = {}
_DOMAINS: dict[str, dict[str, Any]] = {}  # digest → the domain as a dict
_DELIVERED: set[tuple[str, str]] = set()  # (action server URL, digest) it has acknowledged
MISSING_DOMAIN = 449  # rasa_sdk: "send me the domain"


def domain_digest(domain: Any) -> str:
    """A digest of the domain, computed once per Domain object."""
    cached = getattr(domain, "_rasa_ext_digest", None)
    if cached is None:
        import hashlib

        as_dict = domain.as_dict()
        cached = hashlib.sha256(json.dumps(as_dict, sort_keys=True, default=str).encode()).hexdigest()
        _DOMAINS[cached] = as_dict
        domain._rasa_ext_digest = cached
    return str(cached)


def action_call_with_digest(self: RemoteAction, tracker: Any, domain: Any) -> dict[str, Any]:
    """Rasa's action call, with the domain replaced by its digest once the server has it."""
    result = _ORIGINALS["action_call_format"](self, tracker, domain)
    if "domain" in result:
        digest = result["domain_digest"] = domain_digest(domain)
        if (self.action_endpoint.url or "", digest) in _DELIVERED:
            del result["domain"]
    return result


def fast_dumps(obj: Any) -> str:
    """The request body as JSON: ujson (a Rasa dependency, ~4× faster on a tracker), falling
    back to the standard library for anything ujson refuses (NaN, odd types)."""
    import ujson

    try:
        return str(ujson.dumps(obj, ensure_ascii=True, escape_forward_slashes=False))
    except (OverflowError, TypeError, ValueError):
        return json.dumps(obj)


def shared_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """One keep-alive session per endpoint and event loop (Rasa runs one loop per process),
    configured like ``EndpointConfig.session`` (headers, basic auth, timeout)."""
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    key = (id(asyncio.get_running_loop()), id(endpoint))
    session = _SESSIONS.get(key)
    if session is None or session.closed:
        auth = (aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
                if endpoint.basic_auth else None)
        session = _SESSIONS[key] = aiohttp.ClientSession(
            headers=endpoint.headers, auth=auth, timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            json_serialize=fast_dumps)
    return session


async def request_keep_alive(self: EndpointConfig, method: str = "post", subpath: str | None = None,
                             content_type: str | None = "application/json", compress: bool = False,
                             **kwargs: Any) -> Any:
    """Rasa's ``EndpointConfig.request`` on a shared session instead of a new one per call."""
    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if "headers" in kwargs:
        headers.update(kwargs.pop("headers"))
    if self.headers:
        headers.update(self.headers)
    url = concat_url(self.url, subpath)
    sslcontext = None
    if self.cafile:
        try:
            sslcontext = ssl.create_default_context(cafile=self.cafile)
        except FileNotFoundError as e:
            raise FileNotFoundException(f"Failed to find certificate file, "
                                        f"'{os.path.abspath(self.cafile)}' does not exist.") from e
    params = self.combine_parameters(kwargs)
    body = kwargs.get("json")
    digest = body.get("domain_digest") if isinstance(body, dict) else None
    for _attempt in range(2):
        async with shared_session(self).request(method, url, headers=headers, params=params,
                                                compress=compress, ssl=sslcontext, **kwargs) as response:
            if response.status == MISSING_DOMAIN and digest and "domain" not in kwargs["json"]:
                _DELIVERED.discard((self.url or "", digest))  # a new action server: send it the domain
                kwargs["json"] = {**kwargs["json"], "domain": _DOMAINS[digest]}
                continue
            if response.status >= 400:
                raise ClientResponseError(response.status, response.reason, await response.content.read())
            if digest:
                _DELIVERED.add((self.url or "", digest))
            try:
                return await response.json()
            except ContentTypeError:
                return None
    raise ClientResponseError(MISSING_DOMAIN, "action server refused the domain", b"")


def sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def engine_kwargs_pooled_sqlite(url: Any) -> dict[str, Any]:
    """Rasa's engine arguments, plus a connection pool for SQLite files."""
    kwargs = _ORIGINALS["create_engine_kwargs"](url)
    if str(url).startswith("sqlite") and ":memory:" not in str(url):
        kwargs = {**kwargs, "poolclass": sqlalchemy.pool.QueuePool, "pool_size": 2, "max_overflow": 2,
                  "connect_args": {"check_same_thread": False}}
    return kwargs


def apply() -> None:
    """Install every patch (idempotent)."""
    if _ORIGINALS:
        return
    _ORIGINALS["validate_action_result"] = RemoteAction._validate_action_result
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    _ORIGINALS["lock"] = LockStore.lock
    LockStore.lock = leased_lock  # type: ignore[method-assign,assignment]
    _ORIGINALS["redis_save_lock"] = RedisLockStore.save_lock
    RedisLockStore.save_lock = save_lock_with_ttl  # type: ignore[method-assign]
    RedisLockStore.issue_ticket = issue_ticket_atomic  # type: ignore[method-assign]
    RedisLockStore.update_lock = update_lock_atomic  # type: ignore[method-assign]
    RedisLockStore.cleanup = cleanup_atomic  # type: ignore[method-assign]
    _ORIGINALS["request"] = EndpointConfig.request
    _ORIGINALS["action_call_format"] = RemoteAction._action_call_format
    RemoteAction._action_call_format = action_call_with_digest  # type: ignore[method-assign]
    EndpointConfig.request = request_keep_alive  # type: ignore[method-assign]
    sqlalchemy.event.listen(Engine, "connect", sqlite_wal)
    _ORIGINALS["create_engine_kwargs"] = tracker_store.create_engine_kwargs
    tracker_store.create_engine_kwargs = engine_kwargs_pooled_sqlite
