"""`POST /api/v1/nlu/parse` and the `python -m nlu.parse` CLI against the real stack."""

from __future__ import annotations

import json
import subprocess

import pytest
import requests
from flask.testing import FlaskClient

from bot.gateway import Gateway
from bot.web import create_app
from feedback_router.core.catalog import catalog
from scripts.procs import ROOT, base_env, free_port
from tests.conftest import Stack


@pytest.fixture
def offline_client() -> FlaskClient:
    return create_app({"GATEWAY": Gateway(f"http://127.0.0.1:{free_port()}", timeout=2)}).test_client()


@pytest.mark.parametrize(("body", "needle"), [
    (b'{"text": ""}', "empty"),
    (b'{"text": "' + b"x" * 5001 + b'"}', "too long"),
    (b"not json", "malformed JSON"),
    (b'{"text": "\xc3\x28"}', "UTF-8"),
    (b'{"texte": "hi"}', "missing 'text'"),
])
def test_parse_rejects_bad_input(offline_client: FlaskClient, body: bytes, needle: str) -> None:
    resp = offline_client.post("/api/v1/nlu/parse", data=body, content_type="application/json")
    assert resp.status_code == 400 and needle in resp.get_json()["error"]


def test_parse_without_rasa_is_503(offline_client: FlaskClient) -> None:
    resp = offline_client.post("/api/v1/nlu/parse", json={"text": "xin chào"})
    assert resp.status_code == 503


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_parse_contract_on_real_model(stack: Stack) -> None:
    resp = requests.post(f"{stack.web_url}/api/v1/nlu/parse",
                         json={"text": "duong Nguyen Trai bi ngap nang qua, nuoc ngap den dau goi p. Thanh Xuan"},
                         timeout=30)
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"text", "normalized", "intent", "category", "entities", "route"}
    assert body["intent"]["name"] == "report_issue"
    assert body["category"]["name"] == "flooding_drainage"
    assert 0 < body["category"]["confidence"] <= 1
    assert "phường" in body["normalized"]  # "p." expanded by the normaliser
    wards = [e for e in body["entities"] if e["entity"] == "ward"]
    assert wards and wards[0]["value"] == "phường Thanh Xuân"
    assert body["normalized"][wards[0]["start"]:wards[0]["end"]].lower().startswith("phường")
    expected_unit = catalog().categories["flooding_drainage"].unit
    assert body["route"]["unit_id"] == expected_unit and body["route"]["urgency"] in ("urgent", "normal")

    greet = requests.post(f"{stack.web_url}/api/v1/nlu/parse", json={"text": "chào bạn"}, timeout=30).json()
    assert greet["intent"]["name"] == "greet" and greet["category"] is None and greet["route"] is None


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_cli_parses_lines_and_jsonl(stack: Stack) -> None:
    lines = "cháy nhà ở ngõ 5 Kim Mã, cứu với\n" + json.dumps({"text": "cam on ban nhieu"}) + "\n\n"
    proc = subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "nlu.parse"], input=lines, text=True,
                          capture_output=True, cwd=ROOT, env=base_env(WEB_URL=stack.web_url), timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == 2
    assert out[0]["intent"]["name"] == "emergency" and out[0]["category"]["name"] == "fire"
    assert out[0]["route"]["urgency"] == "emergency" and "114" in out[0]["route"]["hotline"]
    assert out[1]["intent"]["name"] == "thank"
