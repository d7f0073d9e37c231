"""Run by tests/test_rasa_patches.py in the Rasa venv: two RedisLockStore instances (two
replicas) issue tickets for one conversation from 24 threads at once; prints the numbers drawn
and what is left of the lock after every ticket is cleaned up, as JSON."""

from __future__ import annotations

import json
import sys
import threading
import time
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
    left = replicas[0].get_lock(conversation) is not None

    # the lease operations on one lock, read back with Rasa's own get_lock
    one, store = f"lease-{uuid.uuid4().hex}", replicas[0]
    first = store.issue_ticket(one, 0.2)
    second = store.issue_ticket(one, 30.0)
    rasa_ext.patches.renew_ticket(store, one, second, 60.0)
    lock = store.get_lock(one)
    expires = {t.number: t.expires - time.time() for t in lock.tickets}
    ttl_ms = store.red.pttl(store.key_prefix + one)
    time.sleep(0.3)
    store.update_lock(one)  # the first ticket's lease ran out: dropped, the second now serves
    after_expiry = [t.number for t in store.get_lock(one).tickets]
    serving = store.get_lock(one).now_serving
    store.cleanup(one, second)
    print(json.dumps({"drawn": sorted(drawn), "left": left, "lease": {
        "numbers": [first, second], "renewed_s": round(expires[second]), "ttl_ms": ttl_ms,
        "after_expiry": after_expiry, "serving": serving, "gone": store.get_lock(one) is None}}))


if __name__ == "__main__":
    main(sys.argv[1])
