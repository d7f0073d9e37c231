"""What a test needs from outside Python (PostgreSQL, Chromium, ffmpeg, espeak-ng, the speech
recordings, the Rasa stack), one rule for when it is missing, and the per-component count.

Every "this component is absent" goes through ``require``: in CI (``CI`` set, as .ci/run does)
the test FAILS with the reason, so a green CI run has exercised every component; on a
developer's machine it skips with the same reason, and the run ends with one line counting
passed / skipped per component (tests/conftest.py: pytest_terminal_summary).
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections import Counter
from collections.abc import Iterable
from types import ModuleType

import pytest

# component -> the fixtures (or markers) that say a test uses it
COMPONENT_FIXTURES: dict[str, tuple[str, ...]] = {
    "postgresql": ("pg_server", "db_url_postgresql"),
    "redis": ("redis_server",),
    "rasa-stack": ("stack", "rasa_server", "rasa_server_production"),
    "chromium": ("chromium",),
    "ffmpeg": ("ffmpeg",),
    "espeak-ng": ("espeak",),
    "speech-fixtures": ("speech_dir", "speech"),
}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def require(component: str, available: bool, why: str) -> None:
    """Go on if ``available``; else fail in CI, skip elsewhere, saying what is missing and how
    to get it."""
    if available:
        return
    message = f"{component} missing: {why}"
    if in_ci():
        pytest.fail(f"[CI=true: a missing component fails, never skips] {message}", pytrace=False)
    pytest.skip(message)


def require_executable(component: str, exe: str, install: str) -> str:
    path = shutil.which(exe)
    require(component, path is not None, f"{exe} not found ({install})")
    assert path is not None
    return path


def require_module(name: str) -> ModuleType:
    """A Python package of requirements/ (make test installs it): skip or fail as one."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        require(name, False, f"cannot import {name}: {exc} (pip install -r requirements/voice.txt)")
        raise


def components_of(item: pytest.Item) -> list[str]:
    names = set(getattr(item, "fixturenames", ()))
    params = getattr(getattr(item, "callspec", None), "params", {})
    if params.get("db_url") == "postgresql" or params.get("stack") == "postgresql":
        names.add("db_url_postgresql")
    if params.get("stack") == "postgresql":
        names.add("redis_server")  # the production stores: Rasa's lock store in Redis
    found = [c for c, fixtures in COMPONENT_FIXTURES.items() if names & set(fixtures)]
    found += [m.args[0] for m in item.iter_markers("component") if m.args]
    return sorted(set(found))


class ComponentTally:
    """Outcome counts per component, fed by pytest_runtest_logreport."""

    def __init__(self) -> None:
        self.by_node: dict[str, list[str]] = {}
        self.counts: dict[str, Counter[str]] = {}

    def collect(self, items: Iterable[pytest.Item]) -> None:
        for item in items:
            self.by_node[item.nodeid] = components_of(item) or ["plain"]

    def record(self, report: pytest.TestReport) -> None:
        outcome = None
        if report.when == "call" or (report.when == "setup" and not report.passed):
            outcome = "skipped" if report.skipped else report.outcome
        if outcome is None:
            return
        carried = dict(report.user_properties).get("components")
        for component in carried or self.by_node.get(report.nodeid, ["plain"]):
            self.counts.setdefault(component, Counter())[outcome] += 1

    def line(self) -> str:
        order = [*COMPONENT_FIXTURES, *sorted(set(self.counts) - set(COMPONENT_FIXTURES) - {"plain"}), "plain"]
        parts = []
        for component in order:
            c = self.counts.get(component)
            if c:
                failed = f" {c['failed']} failed" if c["failed"] else ""
                parts.append(f"{component} {c['passed']} passed {c['skipped']} skipped{failed}")
        return "components: " + " · ".join(parts) if parts else "components: no tests ran"
