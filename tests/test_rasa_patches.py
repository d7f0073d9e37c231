"""rasa_ext: what we change in Rasa keeps its safety (issue 15).

The patched response validation still rejects every invalid action-server response (over
real HTTP from a stand-in action server speaking rasa_sdk's protocol) and agrees with
jsonschema on a corpus; the domain is sent once and again when the server asks (449); lock
tickets are leases, freed within one lease when their holder died, kept while it lives.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from scripts import procs
from scripts.procs import ROOT


@pytest.fixture(scope="module")
def patched() -> dict:
    proc = subprocess.run([str(ROOT / ".venv-rasa/bin/python"), "tests/rasa_side/run_patches.py"], cwd=ROOT,
                          env=procs.base_env(), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_valid_response_is_accepted(patched: dict) -> None:
    assert patched["actions"]["valid"] == "accepted 3 events"  # 1 bot utterance + 2 events


@pytest.mark.parametrize("case", ["slot_without_value", "unknown_event", "events_not_a_list",
                                  "response_not_an_object", "bad_timestamp", "user_with_bad_entities"])
def test_an_invalid_response_is_still_rejected(patched: dict, case: str) -> None:
    assert patched["actions"][case].startswith("rejected: "), patched["actions"][case]


def test_the_domain_travels_once_per_action_server(patched: dict) -> None:
    assert patched["domain_calls"] == [[True, 200], [False, 200]]  # first call carries it, then the digest
    assert patched["restart_calls"] == [[False, 449], [True, 200]]  # a restarted server asks, gets it
    assert patched["after_restart"] == "accepted 3 events"


def test_fast_check_agrees_with_jsonschema(patched: dict) -> None:
    assert all(patched["agreement"]), patched["agreement"]


def test_a_dead_holders_lock_is_free_within_one_lease(patched: dict) -> None:
    assert patched["locks"]["waited_behind_dead_s"] < 2.0  # lease 1 s, was 60 s


def test_a_live_holder_keeps_its_lock_beyond_the_lease(patched: dict) -> None:
    assert patched["locks"]["live_order"] == ["holder in", "holder out", "second in"]


def test_every_rasa_we_start_is_patched() -> None:
    assert procs.rasa_cmd(ROOT / "models/x.tar.gz", 5005)[1:3] == ["-m", "rasa_ext"]
    assert "-m rasa_ext run" in (ROOT / "Procfile").read_text()
    assert '"rasa_ext"' in (ROOT / "docker/rasa.Dockerfile").read_text()


def test_two_replicas_never_draw_the_same_ticket(redis_server: str) -> None:
    """Rasa's issue_ticket read, changed and wrote the Redis lock: two replicas taking two
    messages of one citizen at once both drew ticket 0 and ran both turns together."""
    proc = subprocess.run([str(ROOT / ".venv-rasa/bin/python"), "tests/rasa_side/run_redis_tickets.py", redis_server],
                          cwd=ROOT, env=procs.base_env(), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["drawn"] == list(range(24))
    assert out["left"] is False  # the last cleanup removed the key
    lease = out["lease"]  # issue, renew, expire and finish in Rasa's stored format
    assert lease["numbers"] == [0, 1] and lease["renewed_s"] == 60
    assert 0 < lease["ttl_ms"] <= 2000 * 3  # the key never outlives two leases (default 3 s)
    assert lease["after_expiry"] == [1] and lease["serving"] == 1
    assert lease["gone"] is True
