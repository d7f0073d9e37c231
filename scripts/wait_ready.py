"""Wait until every process answers /healthz, print "ready", then stay alive.

It runs as one of honcho's processes: honcho stops everything when any process
exits, so after printing it sleeps until honcho signals it to stop.
"""

from __future__ import annotations

import os
import signal
import sys
import time

import requests


def endpoints() -> dict[str, str]:
    return {
        "rasa": os.environ.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/") + "/healthz",
        "actions": (f"http://{os.environ.get('ACTIONS_HOST', '127.0.0.1')}:"
                    f"{os.environ.get('ACTIONS_PORT', '5055')}/healthz"),
        "web": f"http://{os.environ.get('WEB_HOST', '127.0.0.1')}:{os.environ.get('WEB_PORT', '8000')}/healthz",
        "hotline": f"http://127.0.0.1:{os.environ.get('HOTLINE_HEALTH_PORT', '8092')}/healthz",
        "delivery": f"http://127.0.0.1:{os.environ.get('DELIVERY_HEALTH_PORT', '8093')}/healthz",
        "asr_ws": (f"http://{os.environ.get('VOSK_WS_HOST', '127.0.0.1')}:"
                   f"{os.environ.get('VOSK_WS_PORT', '2700')}/healthz"),
    }


def wait_healthy(urls: dict[str, str], timeout: float = 600.0) -> list[str]:
    """Return the names still unhealthy when the timeout ran out (empty = all healthy)."""
    pending = dict(urls)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for name, url in list(pending.items()):
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    print(f"[ready] {name} healthy", flush=True)
                    del pending[name]
            except requests.RequestException:
                pass
        if pending:
            time.sleep(1)
    return list(pending)


def main() -> int:
    missing = wait_healthy(endpoints(), float(os.environ.get("READY_TIMEOUT", "600")))
    if missing:
        print(f"[ready] not healthy in time: {', '.join(missing)}", flush=True)
        return 1
    web = f"http://{os.environ.get('WEB_HOST', '127.0.0.1')}:{os.environ.get('WEB_PORT', '8000')}/"
    print(f"ready — open the web chat at {web}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
