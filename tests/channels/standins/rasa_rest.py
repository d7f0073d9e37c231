"""Stand-in for Rasa's REST channel (`POST /webhooks/rest/webhook`) that counts calls, and
for the two tracker routes the inbound queue uses: `GET /conversations/<id>/tracker` (the
events: each user turn with its metadata, a `last_text` slot set by the turn, the bot replies)
and `POST /conversations/<id>/tracker/events` (appending events, e.g. the slots an undo restores).

Used only where the assistant's answer does not matter (dedupe, transport, auth, queueing);
the real Rasa is exercised by the end-to-end and fault-injection tests.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from tests.channels.standins.base import Request, Response, StandIn, json_response

Answer = Callable[[dict[str, Any]], list[dict[str, Any]]]


def echo(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"recipient_id": body["sender"], "text": f"Đã nhận: {body['message']}"}]


class RasaStandIn(StandIn):
    def __init__(self, answer: Answer = echo) -> None:
        self.answer = answer
        self.calls: list[dict[str, Any]] = []
        self.down = False
        self.events: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        super().__init__(self._handle)

    def _handle(self, req: Request) -> Response:
        if self.down:
            return json_response({"error": "down"}, 503)
        if req.path.startswith("/conversations/"):
            return self._tracker(req)
        if req.path != "/webhooks/rest/webhook" or req.method != "POST":
            return json_response({"error": "not found"}, 404)
        body = json.loads(req.body)
        answer = self.answer(body)
        with self._lock:
            self.calls.append(body)
            events = self.events.setdefault(body["sender"], [])
            events.append({"event": "user", "text": body["message"], "metadata": body.get("metadata") or {}})
            events.append({"event": "slot", "name": "last_text", "value": body["message"]})
            events.extend({"event": "bot", "text": a.get("text"),
                           "data": {k: a.get(k) for k in ("buttons", "custom", "image")}} for a in answer)
        return json_response(answer)

    def _tracker(self, req: Request) -> Response:
        sender, _, rest = req.path[len("/conversations/"):].partition("/")
        with self._lock:
            events = self.events.setdefault(sender, [])
            if rest == "tracker" and req.method == "GET":
                return json_response({"sender_id": sender, "events": list(events)})
            if rest == "tracker/events" and req.method == "POST":
                posted = json.loads(req.body)
                events.extend(posted if isinstance(posted, list) else [posted])
                return json_response({"sender_id": sender, "events": list(events)})
        return json_response({"error": "not found"}, 404)
