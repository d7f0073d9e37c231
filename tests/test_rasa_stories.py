"""The main flows as Rasa test conversations (tests/rasa/test_*.yml), run by Rasa's own
`rasa test core` on the trained model, as RasaHQ's reference assistants do.

`rasa test core` replays each story's user turns and slot events and checks every action the
model predicts; it runs no action (no action server, no database). Our end-to-end tests check
what the actions then say and store; these check the dialogue model's decisions, in Rasa's format.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import yaml

from scripts.procs import ROOT, base_env
from tests.components import require

STORIES = ROOT / "tests" / "rasa"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
# the flows every change must keep: the intent that starts each one
MAIN_FLOWS = {"report_issue": "complaint", "emergency": "emergency", "check_status": "status",
              "book_appointment": "booking", "suggest": "suggestion", "denounce": "denunciation",
              "ask_tourism": "tourism", "ask_procedure": "procedure"}


def _stories() -> list[dict]:
    return [story for path in sorted(STORIES.glob("test_*.yml"))
            for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]]


def test_every_main_flow_has_a_test_conversation() -> None:
    starts = {story["steps"][0].get("intent") for story in _stories()}
    assert {MAIN_FLOWS[i] for i in MAIN_FLOWS if i not in starts} == set()
    for story in _stories():
        users = [s for s in story["steps"] if "intent" in s]
        assert users and all(s.get("user", "").strip() for s in users), story["story"]  # text + intent


def test_rasa_test_core_predicts_every_action(tmp_path: Path) -> None:
    require("rasa-venv", RASA.exists(), f"{RASA} missing (make venvs)")
    from scripts.train_model import ensure_model

    model = Path(os.environ["RASA_MODEL"]) if os.environ.get("RASA_MODEL") else ensure_model()
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("")  # no action server, no tracker store: rasa test only predicts
    out = tmp_path / "results"
    cmd = [str(RASA), "test", "core", "--stories", str(STORIES), "--model", str(model),
           "--fail-on-prediction-errors", "--no-plot", "--out", str(out), "--endpoints", str(endpoints)]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=base_env(), capture_output=True, text=True, timeout=600, check=False)
    output = proc.stdout + proc.stderr
    # on a wrong prediction Rasa stops and prints the failed story with "# predicted: …"
    failed = out / "failed_test_stories.yml"
    detail = failed.read_text(encoding="utf-8") if failed.exists() else ""
    assert proc.returncode == 0, f"rasa test core failed:\n{output[-8000:]}\n{detail}"
    summary = [line.split(" - ", 1)[-1].strip() for line in output.splitlines() if "Correct:" in line]
    print(f"rasa test core: {len(_stories())} stories in {time.monotonic() - started:.1f} s; {summary}")
    assert "None of the test stories failed" in detail, detail
    assert len(summary) == 2 and all(s.split()[1] == s.split()[3] for s in summary), summary
