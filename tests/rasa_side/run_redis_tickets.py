"""Run by tests/test_rasa_patches.py in the Rasa venv: two RedisLockStore instances (two
replicas) issue tickets for one conversation from 24 threads at once; prints the numbers drawn
and what is left of the lock after every ticket is cleaned up, as JSON."""

from __future__ import annotations

import json
import sys
import threading
import uuid
from urllib.parse import urlparse

import rasa_ext.patches

rasa_ext.patches.apply()

from rasa.core.lock_store import RedisLockStore  # noqa: E402


def main(url: str) -> None:
    parsed = urlparse(url)
    db = int((parsed.path or "/0").lstrip("/") or 0)
    replicas = [RedisLockStore(host=parsed.hostname or "127.0.0.1", port=parsed.port or 6379, db=db,
                               key_prefix="patchtest") for _ in range(2)]
    conversation = f"race-{uuid.uuid4().hex}"
    drawn: list[int] = []
    start = threading.Barrier(24)

    def draw(store: RedisLockStore) -> None:
        start.wait()
        drawn.append(store.issue_ticket(conversation, 30.0))

    threads = [threading.Thread(target=draw, args=(replicas[i % 2],)) for i in range(24)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for i, number in enumerate(sorted(drawn)):
        replicas[i % 2].cleanup(conversation, number)
    print(json.dumps({"drawn": sorted(drawn), "left": replicas[0].get_lock(conversation) is not None}))


if __name__ == "__main__":
    main(sys.argv[1])
