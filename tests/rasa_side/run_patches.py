"""Exercise rasa_ext's patches inside the Rasa venv and print what happened as one JSON line.

Executed with .venv-rasa/bin/python by tests/test_rasa_patches.py. The action server is a
stand-in on 127.0.0.1 speaking the action-server protocol over real HTTP, answering each
action name with a fixed JSON body.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

os.environ["TICKET_LOCK_LIFETIME"] = "1"

from rasa_ext.patches import apply, is_valid_action_result

apply()

import jsonschema  # noqa: E402
from rasa.core.actions.action import RemoteAction  # noqa: E402
from rasa.core.channels.channel import CollectingOutputChannel  # noqa: E402
from rasa.core.lock_store import InMemoryLockStore  # noqa: E402
from rasa.core.nlg import TemplatedNaturalLanguageGenerator  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402
from rasa.utils.endpoints import EndpointConfig  # noqa: E402

SLOT = {"event": "slot", "name": "location", "value": "phường Láng", "timestamp": None}
RESPONSES: dict[str, Any] = {
    "valid": {"events": [SLOT, {"event": "active_loop", "name": "report_form"}],
              "responses": [{"text": "Đã tiếp nhận"}]},
    "slot_without_value": {"events": [{"event": "slot", "name": "location"}], "responses": []},
    "unknown_event": {"events": [{"event": "teleport", "name": "x"}], "responses": []},
    "events_not_a_list": {"events": {"event": "slot"}, "responses": []},
    "response_not_an_object": {"events": [], "responses": ["hello"]},
    "bad_timestamp": {"events": [{**SLOT, "timestamp": "yesterday"}], "responses": []},
    "user_with_bad_entities": {"events": [{"event": "user", "text": "x", "parse_data": {"entities": [{"x": 1}]}}],
                               "responses": []},
}
CORPUS = [*RESPONSES.values(), {}, {"events": []}, {"events": [None]}, {"events": [{"event": 3}]},
          {"events": [{"name": "x"}]}, {"events": [{"event": "bot", "text": None, "data": {}}]},
          {"events": [{"event": "action", "name": "utter_x", "policy": None, "confidence": "high"}]},
          {"events": [{"event": "reset_slots", "metadata": "no"}]}, {"events": [{"event": "restart"}]},
          {"events": [{"event": "followup", "name": "action_x"}]}, {"responses": [{"text": 1}]}, []]


class StandIn(BaseHTTPRequestHandler):
    """rasa_sdk's contract: keeps the last domain; a call without it whose digest does not
    match gets 449 ("send the domain")."""

    known_digest: str | None = None
    calls: list[tuple[bool, int]] = []  # (domain in the body, status answered)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        status = 200
        if "domain" in body:
            StandIn.known_digest = body.get("domain_digest")
        elif not body.get("domain_digest") or body.get("domain_digest") != StandIn.known_digest:
            status = 449
        StandIn.calls.append(("domain" in body, status))
        payload = json.dumps(RESPONSES[body["next_action"]] if status == 200 else
                             {"action_name": body["next_action"], "error": "domain missing"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


DOMAIN = Domain.from_dict({"intents": ["greet"], "slots": {"location": {"type": "text", "mappings": []}}})


async def run_action(url: str, name: str) -> str:
    action = RemoteAction(name, EndpointConfig(url))
    try:
        events = await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}),
                                  DialogueStateTracker("citizen", []), DOMAIN)
    except jsonschema.ValidationError as exc:
        return f"rejected: {exc.message[:60]}"
    return f"accepted {len(events)} events"


async def lock_leases() -> dict[str, float]:
    """A ticket whose holder died (never renewed) frees the lock within one lease (1 s);
    a live holder keeps it for 3 leases while a second request waits."""
    store = InMemoryLockStore()
    store.issue_ticket("dead", 1.0)  # a replica took the lock, then was killed
    t0 = time.monotonic()
    async with store.lock("dead"):
        waited_dead = time.monotonic() - t0
    order: list[str] = []

    async def holder() -> None:
        async with store.lock("live"):
            order.append("holder in")
            await asyncio.sleep(3.0)
            order.append("holder out")

    async def second() -> None:
        await asyncio.sleep(0.2)
        async with store.lock("live"):
            order.append("second in")

    await asyncio.gather(holder(), second())
    return {"waited_behind_dead_s": round(waited_dead, 2), "live_order": order}  # type: ignore[dict-item]


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/webhook"
    schema = RemoteAction.action_response_format_spec()

    async def everything() -> dict[str, Any]:
        results = {name: await run_action(url, name) for name in RESPONSES}
        StandIn.known_digest = None  # the action server restarts and forgets the domain
        after_restart = await run_action(url, "valid")
        return {"actions": results, "after_restart": after_restart, "domain_calls": StandIn.calls[:2],
                "restart_calls": StandIn.calls[-2:], "locks": await lock_leases()}

    out = asyncio.run(everything())
    reference = jsonschema.validators.validator_for(schema)(schema)  # what jsonschema.validate uses
    out["agreement"] = [is_valid_action_result(r) == reference.is_valid(r) for r in CORPUS]
    server.shutdown()
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
