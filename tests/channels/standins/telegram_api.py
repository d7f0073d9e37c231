"""Stand-in for the Telegram Bot API: /bot<token>/<method> and /file/bot<token>/<path>.

Speaks the real response shapes ({"ok": true, "result": …}) for getMe, sendMessage,
getFile (+ file download), setWebhook, deleteWebhook, getUpdates, answerCallbackQuery.
`down = True` makes every method answer 502 (an outage); `sent` records sendMessage calls.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from tests.channels.standins.base import Request, Response, StandIn, json_response

BOT_USER = {"id": 777000111, "is_bot": True, "first_name": "Hanoi Feedback", "username": "hanoi_feedback_bot"}


class TelegramStandIn(StandIn):
    def __init__(self, token: str) -> None:
        self.token = token
        self.sent: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, bytes)
        self.updates: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.down = False
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        super().__init__(self._handle)

    def add_file(self, file_id: str, file_path: str, data: bytes) -> None:
        self.files[file_id] = (file_path, data)

    def _handle(self, req: Request) -> Response:
        file_prefix = f"/file/bot{self.token}/"
        if req.path.startswith(file_prefix):
            wanted = req.path[len(file_prefix):]
            for path, data in self.files.values():
                if path == wanted:
                    return 200, {"Content-Type": "application/octet-stream"}, data
            return json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        prefix = f"/bot{self.token}/"
        if not req.path.startswith(prefix):
            return json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        method = req.path[len(prefix):]
        with self._lock:
            self.calls.append(method)
        if self.down:
            return json_response({"ok": False, "error_code": 502, "description": "Bad Gateway"}, 502)
        params = req.params()
        if method == "getMe":
            return self._ok(BOT_USER)
        if method == "sendMessage":
            with self._lock:
                self.sent.append(params)
            chat_id = int(params["chat_id"])
            return self._ok({"message_id": next(self._ids), "date": int(time.time()),
                             "chat": {"id": chat_id, "type": "private"}, "from": BOT_USER,
                             "text": params.get("text", "")})
        if method == "getFile":
            entry = self.files.get(str(params.get("file_id")))
            if entry is None:
                return json_response({"ok": False, "error_code": 400,
                                      "description": "Bad Request: invalid file_id"}, 400)
            return self._ok({"file_id": params["file_id"], "file_unique_id": "u" + str(params["file_id"]),
                             "file_size": len(entry[1]), "file_path": entry[0]})
        if method == "setWebhook":
            self.webhook = params
            return self._ok(True)
        if method == "deleteWebhook":
            self.webhook = {}
            return self._ok(True)
        if method == "answerCallbackQuery":
            return self._ok(True)
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            with self._lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                batch = list(self.updates)
            if not batch:
                time.sleep(min(float(params.get("timeout") or 0), 0.2))
            return self._ok(batch)
        return json_response({"ok": False, "error_code": 404, "description": "Not Found: method not found"}, 404)

    @staticmethod
    def _ok(result: Any) -> Response:
        return json_response({"ok": True, "result": result})
