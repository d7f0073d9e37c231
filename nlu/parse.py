"""CLI: parse texts through the running assistant, one JSON result per line.

    echo "duong bi ngap nang qua" | python -m nlu.parse
    python -m nlu.parse < texts.jsonl          # lines like {"text": "..."}

Reads one text per line (plain, or JSON with a "text" field) from stdin and
posts each to `POST /api/v1/nlu/parse` of the web app at $WEB_URL.
"""

from __future__ import annotations

import json
import os
import sys

import requests


def web_url() -> str:
    default = f"http://{os.environ.get('WEB_HOST', '127.0.0.1')}:{os.environ.get('WEB_PORT', '8000')}"
    return os.environ.get("WEB_URL", default).rstrip("/")


def line_text(line: str) -> str:
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError:
            return stripped
        if isinstance(obj, dict) and isinstance(obj.get("text"), str):
            return obj["text"]
    return stripped


def main() -> int:
    http = requests.Session()
    url = f"{web_url()}/api/v1/nlu/parse"
    failures = 0
    stdin = open(sys.stdin.fileno(), encoding="utf-8", errors="replace", closefd=False)
    for line in stdin:
        if not line.strip():
            continue
        text = line_text(line)
        try:
            resp = http.post(url, json={"text": text}, timeout=30)
            out = resp.json() if resp.headers.get("content-type", "").startswith("application/json") else {
                "error": f"HTTP {resp.status_code}"}
            if resp.status_code != 200:
                out = {"text": text, "error": out.get("error", f"HTTP {resp.status_code}")}
                failures += 1
        except requests.RequestException as exc:
            out = {"text": text, "error": f"server unreachable at {url}: {exc.__class__.__name__}"}
            failures += 1
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
