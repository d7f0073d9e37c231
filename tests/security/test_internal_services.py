"""Internal services require a token (issue 14): the action server behind a shared secret
header (sent by Rasa from endpoints.yml), and every caller of Rasa's HTTP API sends RASA_TOKEN."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from bot.gateway import Gateway
from scripts import procs


def test_action_server_refuses_calls_without_the_shared_secret(tmp_path: Path) -> None:
    """Old code: the action server ran any action for anyone who reached it (fails on old code)."""
    port = procs.free_port()
    env = procs.base_env(ACTIONS_PORT=str(port), ACTIONS_TOKEN="actions-secret-for-tests")
    call = {"next_action": "action_restart_conversation_tidy", "sender_id": "web:x", "version": "3.6.21",
            "tracker": {"sender_id": "web:x", "slots": {}, "events": [], "latest_message": {}}, "domain": {}}
    with procs.running(procs.actions_cmd(), env, f"http://127.0.0.1:{port}/healthz", tmp_path / "actions.log",
                       timeout=120):
        url = f"http://127.0.0.1:{port}/webhook"
        assert requests.post(url, json=call, timeout=10).status_code == 401
        assert requests.post(url, json=call, headers={"X-Actions-Token": "wrong"}, timeout=10).status_code == 401
        allowed = requests.post(url, json=call, headers={"X-Actions-Token": "actions-secret-for-tests"}, timeout=10)
        assert allowed.status_code != 401  # past the gate (404 for an unknown action name is fine)


def test_production_endpoints_send_the_secret() -> None:
    import yaml

    doc = yaml.safe_load((procs.ROOT / "docker/endpoints.yml").read_text())
    assert doc["action_endpoint"]["headers"] == {"X-Actions-Token": "${ACTIONS_TOKEN}"}


class _RasaStandIn(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_POST(self) -> None:
        query = parse_qs(urlparse(self.path).query)
        self.seen.append({"path": urlparse(self.path).path, "token": query.get("token", [None])[0]})
        body = json.dumps({"text": "x", "intent": {"name": "greet", "confidence": 1.0}, "entities": []}).encode()
        self.send_response(200 if query.get("token") == ["rasa-secret"] else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_gateway_parse_sends_the_rasa_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """Old code: Gateway.parse ignored RASA_TOKEN: /api/v1/nlu/parse broke on a protected Rasa (fails on old code)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RasaStandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("RASA_TOKEN", "rasa-secret")
        result = Gateway(f"http://127.0.0.1:{server.server_address[1]}", timeout=5).parse("xin chào")
        assert result["intent"]["name"] == "greet"
        assert _RasaStandIn.seen[-1] == {"path": "/model/parse", "token": "rasa-secret"}
    finally:
        server.shutdown()
