"""Fault injection on the real stack (issue 14): nothing lost, nothing twice.

The CI size is small (a dozen conversations, each fault kind once) to stay within a few
minutes on two cores; `make test-faults` runs the full plan (200 conversations, every kind
5 times) through the same test, `make bench-faults` prints the figures without pytest.
FAULTS_CONVERSATIONS, FAULTS_PER_KIND and FAULTS_SEED override the size and the plan.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.faults.run import FAULT_KINDS, Config, run
from tests.faults.services import PrivateRedis


@pytest.mark.real_clock  # Zalo turns carry the wall-clock time the web app checks (replay window)
def test_no_conversation_ticket_or_reply_is_lost_or_doubled(tmp_path: Path) -> None:
    if not PrivateRedis.available() and not os.environ.get("CI"):
        pytest.skip("redis-server not installed")
    config = Config(conversations=int(os.environ.get("FAULTS_CONVERSATIONS", "12")),
                    per_kind=int(os.environ.get("FAULTS_PER_KIND", "1")),
                    seed=int(os.environ.get("FAULTS_SEED", "14")), concurrency=6,
                    workdir=tmp_path / "faults")
    figures = run(config)
    print("\n[faults] " + figures.line())
    assert figures.failures == [], "\n".join(figures.failures[:20])
    assert figures.completed == figures.conversations == figures.tickets
    assert figures.lost_tickets == figures.duplicate_tickets == figures.duplicate_replies == 0
    assert figures.duplicate_reports == 0 and figures.gave_up_sentences == 0
    assert figures.faults == dict.fromkeys(FAULT_KINDS, config.per_kind)
