"""docker-compose.yml is accepted by Compose and ships the production shape (issue 15).

No Docker engine here: the file is rendered by `docker compose config` (or Debian's
docker-compose) and the rendered configuration is checked for what a deployment needs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from scripts.procs import ROOT

SECRETS = ("POSTGRES_PASSWORD", "SECRET_KEY", "RASA_TOKEN", "ACTIONS_TOKEN", "DENOUNCE_KEY")
ONE_SHOT = {"migrate", "rasa-tables"}


def compose_cmd() -> list[str]:
    """`docker compose config` when the v2 plugin exists, else Debian's docker-compose."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose", "config"]
    if not shutil.which("docker-compose"):
        pytest.fail("neither `docker compose` nor `docker-compose` is installed (make sysdeps)")
    return ["docker-compose", "config"]


def render(secrets: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    if secrets:
        env.update({name: f"test-{name.lower()}" for name in SECRETS})
    return subprocess.run(compose_cmd(), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def services() -> dict:
    proc = render()
    assert proc.returncode == 0, proc.stderr
    return yaml.safe_load(proc.stdout)["services"]


def test_every_procfile_process_is_a_service(services: dict) -> None:
    procfile = {line.split(":", 1)[0] for line in (ROOT / "Procfile").read_text().splitlines() if ":" in line}
    assert procfile - {"ready"} <= set(services), procfile - set(services)
    assert {"postgres", "redis", "rasa-lb", "migrate", "rasa-tables"} <= set(services)


def test_long_running_services_restart_and_have_health_checks(services: dict) -> None:
    for name, svc in services.items():
        if name in ONE_SHOT:
            assert svc["restart"] == "on-failure", name  # a finished job must not be restarted forever
            continue
        assert svc.get("restart") == "unless-stopped", name
        assert svc.get("healthcheck", {}).get("test"), name


def test_named_volumes_for_uploads_recordings_and_models(services: dict) -> None:
    def mounts(name: str) -> set[str]:
        out = set()
        for v in services[name].get("volumes", []):
            out.add(v["source"] if isinstance(v, dict) else v.split(":", 1)[0])
        return out

    for name in ("web", "delivery", "hotline"):
        assert {"uploads", "recordings"} <= mounts(name), name
    assert "models" in mounts("rasa") and "models" in mounts("asr_ws")
    assert services["web"]["environment"]["UPLOAD_DIR"] == "/data/uploads"
    for name in ("web", "delivery", "hotline", "retention"):  # files any replica can serve (issue 15)
        assert services[name]["environment"]["BLOB_STORE"] == "database", name


def test_secrets_only_from_the_environment() -> None:
    proc = render(secrets=False)
    assert proc.returncode != 0  # no secret, no deployment
    text = (ROOT / "docker-compose.yml").read_text()
    assert "change-me" not in text
    for name in SECRETS:
        assert not re.search(r"\$\{" + name + r":-", text), f"{name} has a default"
        assert "${" + name + ":?" in text, name


def test_rasa_behind_the_balancer_with_auth_and_patches(services: dict) -> None:
    rasa = services["rasa"]
    command = " ".join(rasa["command"])
    assert "--auth-token" in command and "-m rasa_ext run" in command
    assert rasa["deploy"]["replicas"] >= 2 and "ports" not in rasa
    assert rasa["depends_on"]["rasa-tables"]["condition"] == "service_completed_successfully"
    assert rasa["environment"]["REDIS_HOST"] == "redis" and rasa["environment"]["TRACKER_DB_HOST"] == "postgres"
    assert services["rasa-lb"]["image"].startswith("haproxy")
    assert services["web"]["environment"]["RASA_URL"] == "http://rasa-lb:5005"
    assert services["web"]["environment"]["DATABASE_URL"].startswith("postgresql://")
    haproxy = (ROOT / "docker/haproxy.cfg").read_text()
    assert "server-template rasa" in haproxy and "option httpchk GET /healthz" in haproxy
    assert "retry-on conn-failure empty-response" in haproxy


def test_action_server_is_not_published(services: dict) -> None:
    assert "ports" not in services["actions"]


def test_images_leave_local_state_out_and_fail_on_failed_installs() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"var/", ".venv*/", "models/", ".git/", ".env"} <= set(ignored)
    for dockerfile in (ROOT / "docker").glob("*.Dockerfile"):
        text = dockerfile.read_text()
        assert "; true" not in text and "|| true" not in text, dockerfile.name


def test_production_endpoints_use_sql_tracker_and_redis_lock() -> None:
    endpoints = yaml.safe_load((ROOT / "docker/endpoints.yml").read_text())
    # Rasa's SQL store, subclassed to write denunciation turns redacted (nlu/tracker_store.py)
    assert endpoints["tracker_store"]["type"] == "nlu.tracker_store.RedactingSQLTrackerStore"
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["lock_store"]["type"] == "redis"
