"""A tiny threaded HTTP server on 127.0.0.1 whose routes are plain Python callables."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


class Request:
    def __init__(self, method: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes) -> None:
        self.method, self.path, self.query, self.headers, self.body = method, path, query, headers, body

    def params(self) -> dict[str, Any]:
        """JSON body, or form fields (python-telegram-bot JSON-encodes each form value)."""
        ctype = self.headers.get("Content-Type", "")
        if "json" in ctype and self.body:
            return dict(json.loads(self.body))
        out: dict[str, Any] = {k: v[-1] for k, v in self.query.items()}
        if self.body and "multipart" not in ctype:
            for key, values in parse_qs(self.body.decode("utf-8")).items():
                value: Any = values[-1]
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
                out[key] = value
        return out


Response = tuple[int, dict[str, str], bytes]
Handler = Callable[[Request], Response]


def json_response(obj: Any, status: int = 200) -> Response:
    return status, {"Content-Type": "application/json"}, json.dumps(obj).encode()


class StandIn:
    """Start with `with StandIn(handler) as s:`; `s.url` is the base URL."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        outer = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                req = Request(self.command, unquote(parts.path), parse_qs(parts.query), self.headers, body)
                try:
                    status, headers, payload = outer.handler(req)
                except ConnectionAbortedError:
                    self.close_connection = True
                    return
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
