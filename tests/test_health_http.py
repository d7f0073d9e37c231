"""Worker processes answer /healthz like the servers do."""

from __future__ import annotations

import requests

from bot.health_http import serve_health
from scripts.procs import free_port


def test_worker_health_endpoint() -> None:
    port = free_port()
    server = serve_health("127.0.0.1", port, "delivery")
    try:
        ok = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert ok.status_code == 200 and ok.json() == {"status": "ok", "service": "delivery"}
        assert requests.get(f"http://127.0.0.1:{port}/other", timeout=5).status_code == 404
    finally:
        server.shutdown()
