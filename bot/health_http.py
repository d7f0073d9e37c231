"""A tiny `/healthz` HTTP endpoint for worker processes that serve no HTTP of their own.

Every process here answers `/healthz` so `make run` and orchestrators can tell
when it is up; workers (delivery, hotline) get it from this helper.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve_health(host: str, port: int, service: str) -> ThreadingHTTPServer:
    """Start a daemon thread answering GET /healthz with {"status": "ok", "service": …}."""

    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            ok = self.path == "/healthz"
            body = json.dumps({"status": "ok", "service": service} if ok else {"error": "not found"})
            self.send_response(200 if ok else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer((host, port), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
