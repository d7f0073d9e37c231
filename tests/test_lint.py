"""The tree stays ruff-clean (configuration in pyproject.toml)."""

from __future__ import annotations

import subprocess

from scripts.procs import ROOT


def test_ruff_is_clean() -> None:
    proc = subprocess.run([str(ROOT / ".venv/bin/ruff"), "check", "."], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_import_layers_are_kept() -> None:
    """The layer contract in pyproject.toml ([tool.importlinter]) holds: nothing imports upward."""
    proc = subprocess.run([str(ROOT / ".venv/bin/lint-imports")], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
