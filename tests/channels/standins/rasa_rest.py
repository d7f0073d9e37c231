"""Stand-in for Rasa's REST channel (`POST /webhooks/rest/webhook`) that counts calls.

Used only where the assistant's answer does not matter (dedupe, transport, auth);
the real Rasa is exercised by the lead's end-to-end tests.
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
        self._lock = threading.Lock()
        super().__init__(self._handle)

    def _handle(self, req: Request) -> Response:
        if req.path != "/webhooks/rest/webhook" or req.method != "POST":
            return json_response({"error": "not found"}, 404)
        if self.down:
            return json_response({"error": "down"}, 503)
        body = json.loads(req.body)
        with self._lock:
            self.calls.append(body)
        return json_response(self.answer(body))
