"""Cluster mode (scripts/cluster.py, issue 15): two Rasa replicas, one conversation.

Real processes: PostgreSQL (tickets and Rasa's tracker), Redis (Rasa's lock store), two
Rasa replicas with their action servers, web workers and HAProxy. A citizen whose turns go
to alternate replicas gets one consistent dialogue and its ticket; two messages of the same
citizen arriving at both replicas at once are taken one after the other (the lock store);
the tracker tables were created once, before the replicas started.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import create_engine, text

from scripts.cluster import Cluster, scratch_cluster
from scripts.procs import API_HEADERS

TURNS = ["Xin chào", "Ở số 9 ngõ 41 Láng Hạ rác thải ba ngày không ai thu gom", "phường Láng", "/affirm"]


@pytest.fixture(scope="module")
def cluster(pg_server: str) -> Iterator[Cluster]:
    with scratch_cluster(2) as c:
        yield c


def say(cluster: Cluster, replica: int, sender: str, message: str, message_id: str) -> list[dict]:
    resp = requests.post(f"http://127.0.0.1:{cluster.rasa_ports[replica]}/webhooks/rest/webhook",
                         json={"sender": sender, "message": message, "metadata": {"message_id": message_id}},
                         timeout=60)
    resp.raise_for_status()
    return resp.json()


def test_turns_on_alternate_replicas_make_one_dialogue_and_one_ticket(cluster: Cluster) -> None:
    sender = f"web:cluster-{uuid.uuid4().hex}"
    replies = [say(cluster, i % 2, sender, turn, f"m{i}") for i, turn in enumerate(TURNS)]
    texts = [" ".join(r.get("text") or "" for r in turn) for turn in replies]
    assert "phường" in texts[1]  # replica 2 asks where …
    assert "Xác nhận" in texts[2]  # … replica 1 knows the description replica 2 stored
    assert "Mã phản ánh" in texts[3]  # … and replica 2 files what replica 1 summarised
    engine = create_engine(cluster.database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT t.code, t.ward_unit_id FROM tickets t JOIN contacts c ON c.id = t.contact_id "
                                 "WHERE c.sender_id = :s"), {"s": sender}).all()
    engine.dispose()
    assert len(rows) == 1 and rows[0][0] in texts[3]


def test_two_messages_at_once_on_two_replicas_are_taken_in_turn(cluster: Cluster) -> None:
    sender = f"web:cluster-{uuid.uuid4().hex}"
    threads = [threading.Thread(target=say, args=(cluster, i, sender, text_, f"c{i}"))
               for i, text_ in enumerate(["Xin chào", "Cảm ơn bạn"])]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    tracker = requests.get(f"http://127.0.0.1:{cluster.rasa_ports[0]}/conversations/{sender}/tracker",
                           timeout=30).json()
    kinds = [e["event"] for e in tracker["events"] if e["event"] in ("user", "bot")]
    assert kinds.count("user") == 2
    first_user, second_user = [i for i, k in enumerate(kinds) if k == "user"]
    assert "bot" in kinds[first_user:second_user]  # the first turn was answered before the second began


def test_the_web_app_reaches_the_replicas_through_haproxy(cluster: Cluster) -> None:
    resp = requests.post(f"{cluster.web_url}/api/v1/messages", headers=API_HEADERS, timeout=60,
                         json={"sender_id": f"cluster-{uuid.uuid4().hex}", "text": "Xin chào"})
    assert resp.status_code == 200 and resp.json()["replies"]


def test_tracker_tables_were_created_once(cluster: Cluster) -> None:
    assert cluster.workdir is not None
    for log in cluster.workdir.glob("rasa*.log"):
        body = log.read_text()
        assert "UniqueViolation" not in body and "Could not create tables" not in body, log.name
