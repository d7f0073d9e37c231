"""Settings (issue 14): outside development a process refuses default or missing secrets,
typo'd HANOI_* variables are refused, and the effective configuration is printed masked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from feedback_router.core.settings import SettingsError, load
from scripts import procs

GOOD = {"APP_ENV": "production", "SECRET_KEY": "k" * 48, "RASA_TOKEN": "rasa-token-for-tests-0123456789",
        "DATABASE_URL": "postgresql://hanoi:s3cret-pw-9@127.0.0.1:5432/hanoi",
        "DENOUNCE_KEY": Fernet.generate_key().decode()}


def _start(module: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    full = procs.base_env(**env)
    full.pop("DENOUNCE_KEY_FILE", None)
    return subprocess.run([sys.executable, "-m", module], check=False, env=full, cwd=procs.ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.parametrize("module", ["bot.web.serve", "bot.action_server"])
def test_production_refuses_the_shipped_secret_key(module: str) -> None:
    """Old code: the web app started with SECRET_KEY=dev-only-change-me and its cookies could be forged."""
    env = {**GOOD, "SECRET_KEY": "dev-only-change-me", "WEB_PORT": str(procs.free_port()),
           "ACTIONS_PORT": str(procs.free_port())}
    done = _start(module, env)
    assert done.returncode != 0
    assert "refusing to start" in done.stderr and "SECRET_KEY" in done.stderr


@pytest.mark.parametrize(("name", "value", "why"), [
    ("RASA_TOKEN", "", "RASA_TOKEN"),
    ("DATABASE_URL", "postgresql://hanoi:change-me@127.0.0.1:5432/hanoi", "DATABASE_URL"),
    ("DATABASE_URL", "postgresql://hanoi@127.0.0.1:5432/hanoi", "DATABASE_URL"),
    ("DENOUNCE_KEY", "", "DENOUNCE_KEY"),
    ("SECRET_KEY", "change-me", "SECRET_KEY"),
])
def test_each_missing_secret_is_named(name: str, value: str, why: str) -> None:
    reasons = load({**GOOD, name: value}).unsafe_reasons()
    assert len(reasons) == 1 and why in reasons[0]


def test_development_mode_keeps_embedded_defaults() -> None:
    settings = load({})
    assert settings.development and settings.secret_key.get_secret_value() == "dev-only-change-me"
    assert not settings.cookies_secure


def test_typo_in_prefixed_variable_is_refused() -> None:
    with pytest.raises(SettingsError, match="HANOI_SECRT_KEY.*HANOI_SECRET_KEY"):
        load({"HANOI_SECRT_KEY": "x" * 40})
    assert load({"HANOI_WEB_PORT": "9001"}).web_port == 9001
    with pytest.raises(SettingsError, match="web_port"):
        load({"WEB_PORT": "eighty"})


def test_production_start_prints_masked_configuration(tmp_path: Path, db_url_postgresql: str) -> None:
    """A safe production configuration starts, and the secrets never reach the log."""
    port = procs.free_port()
    db = db_url_postgresql.replace("postgresql://postgres@", "postgresql://postgres:s3cret-pw-9@")
    env = {**GOOD, "DATABASE_URL": db, "WEB_PORT": str(port)}
    with procs.running(procs.web_cmd(), procs.base_env(**env), f"http://127.0.0.1:{port}/healthz",
                       tmp_path / "web.log", timeout=60):
        pass
    out = (tmp_path / "web.log").read_text()
    assert '"effective_configuration"' in out and '"app_env": "production"' in out
    for secret in ("s3cret-pw-9", GOOD["SECRET_KEY"], GOOD["RASA_TOKEN"], GOOD["DENOUNCE_KEY"]):
        assert secret not in out
