"""The tree stays ruff-clean (configuration in pyproject.toml)."""

from __future__ import annotations

import subprocess

from scripts.procs import ROOT


def test_ruff_is_clean() -> None:
    proc = subprocess.run([str(ROOT / ".venv/bin/ruff"), "check", "."], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
