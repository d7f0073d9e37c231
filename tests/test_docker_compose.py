"""docker-compose.yml is accepted by Compose and wires the production parts."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from scripts.procs import ROOT


def compose_config() -> str:
    """`docker compose config` when the v2 plugin exists, else Debian's docker-compose."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, check=False)
        if probe.returncode == 0:
            cmd = ["docker", "compose", "config"]
        else:
            cmd = []
    else:
        cmd = []
    if not cmd:
        if not shutil.which("docker-compose"):
            pytest.fail("neither `docker compose` nor `docker-compose` is installed (make sysdeps)")
        cmd = ["docker-compose", "config"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_compose_file_is_valid_and_complete() -> None:
    config = yaml.safe_load(compose_config())
    services = config["services"]
    assert {"rasa", "actions", "web", "postgres", "redis"} <= set(services)
    assert services["rasa"]["environment"]["TRACKER_DB_HOST"] == "postgres"
    assert services["rasa"]["environment"]["REDIS_HOST"] == "redis"
    assert services["web"]["environment"]["DATABASE_URL"].startswith("postgresql://")


def test_production_endpoints_use_sql_tracker_and_redis_lock() -> None:
    endpoints = yaml.safe_load((ROOT / "docker/endpoints.yml").read_text())
    # Rasa's SQL store, subclassed to write denunciation turns redacted (nlu/tracker_store.py)
    assert endpoints["tracker_store"]["type"] == "nlu.tracker_store.RedactingSQLTrackerStore"
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["lock_store"]["type"] == "redis"
