"""Stand-in for Zalo OA: message API v3 (`POST /v3.0/oa/message/cs`, header access_token)
and OAuth v4 token refresh (`POST /v4/oa/access_token`, header secret_key, form fields).

Access tokens expire on demand (`expire()`): the message API then answers error -216 as the
real one does. `down = True` answers 503. Refresh tokens are single use, as in Zalo;
`refresh_delay` (seconds) makes a refresh slow, so that concurrent refreshers overlap.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any
from urllib.parse import parse_qs

from tests.channels.standins.base import Request, Response, StandIn, json_response


class ZaloStandIn(StandIn):
    def __init__(self, app_id: str, app_secret: str, access_token: str, refresh_token: str) -> None:
        self.app_id, self.app_secret = app_id, app_secret
        self.valid_access = {access_token}
        self.valid_refresh = {refresh_token}
        self.sent: list[dict[str, Any]] = []
        self.refreshes = 0
        self.refresh_calls = 0  # every call, refused ones included
        self.refresh_delay = 0.0
        self.down = False
        self.media: dict[str, bytes] = {}
        self._n = itertools.count(1)
        self._lock = threading.Lock()
        super().__init__(self._handle)

    def expire(self) -> None:
        self.valid_access.clear()

    def _handle(self, req: Request) -> Response:
        if req.path.startswith("/media/"):
            data = self.media.get(req.path[len("/media/"):])
            return (200, {"Content-Type": "image/jpeg"}, data) if data else (404, {}, b"")
        if self.down:
            return json_response({"error": -1, "message": "service unavailable"}, 503)
        if req.path == "/v3.0/oa/message/cs" and req.method == "POST":
            if req.headers.get("access_token") not in self.valid_access:
                return json_response({"error": -216, "message": "Access token is invalid"})
            body = json.loads(req.body)
            with self._lock:
                self.sent.append(body)
            return json_response({"data": {"message_id": f"m{next(self._n)}",
                                           "user_id": body["recipient"]["user_id"]},
                                  "error": 0, "message": "Success"})
        if req.path == "/v4/oa/access_token" and req.method == "POST":
            form = {k: v[-1] for k, v in parse_qs(req.body.decode()).items()}
            with self._lock:
                self.refresh_calls += 1
            time.sleep(self.refresh_delay)
            if req.headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
                return json_response({"error": -14014, "error_name": "Invalid app secret key"})
            if form.get("grant_type") != "refresh_token" or form.get("refresh_token") not in self.valid_refresh:
                return json_response({"error": -14002, "error_name": "Invalid refresh token"})
            with self._lock:
                self.refreshes += 1
                self.valid_refresh.discard(form["refresh_token"])
                access, refresh = f"acc-{self.refreshes}", f"ref-{self.refreshes}"
                self.valid_access = {access}
                self.valid_refresh.add(refresh)
            return json_response({"access_token": access, "refresh_token": refresh, "expires_in": "90000"})
        return json_response({"error": -201, "message": "not found"}, 404)
