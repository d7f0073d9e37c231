"""DENOUNCE_KEY handling: sealing, rotation, wrong keys, the dev key file, refusing to start
without a key, and data/civic.yaml validation."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

from feedback_router.civic import identity_crypto as ic
from feedback_router.core.catalog import CatalogError
from feedback_router.civic.data import load_civic, route_suggestion, topic_for
from feedback_router.core.config import DATA_DIR
from scripts import procs
from tests.civic.conftest import Secret


def _identity() -> ic.Identity:
    s = Secret()
    return ic.Identity(s.name, s.phone, s.address, s.sender_id)


def test_seal_roundtrip_and_ciphertext_hides_everything(denounce_key: str) -> None:
    token = ic.seal(_identity())
    for plain in (Secret.name, Secret.phone, Secret.address, Secret.sender_id, "777000111"):
        assert plain not in token
    assert ic.unseal(token) == _identity()


def test_repr_is_masked() -> None:
    text = repr(_identity()) + str(_identity()) + f"{_identity()}"
    assert Secret.name not in text and Secret.phone not in text and Secret.sender_id not in text


def test_wrong_key_and_rotation(monkeypatch: pytest.MonkeyPatch, denounce_key: str) -> None:
    token = ic.seal(_identity())
    monkeypatch.setenv("DENOUNCE_KEY", Fernet.generate_key().decode())
    with pytest.raises(ic.IdentityUnreadable):
        ic.unseal(token)
    new = Fernet.generate_key().decode()
    monkeypatch.setenv("DENOUNCE_KEY", f"{new},{denounce_key}")  # rotation: new key first, old still read
    assert ic.unseal(token).name == Secret.name
    rotated = ic.seal(_identity())
    monkeypatch.setenv("DENOUNCE_KEY", new)
    assert ic.unseal(rotated).phone == Secret.phone


def test_missing_or_malformed_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DENOUNCE_KEY", raising=False)
    monkeypatch.delenv("DENOUNCE_KEY_FILE", raising=False)
    with pytest.raises(ic.KeyConfigError, match="DENOUNCE_KEY is not set"):
        ic.require_key()
    monkeypatch.setenv("DENOUNCE_KEY", "not-a-key")
    with pytest.raises(ic.KeyConfigError, match="malformed"):
        ic.require_key()


def test_dev_key_file_is_generated_once_private_and_warned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "var" / "denounce.key"
    monkeypatch.delenv("DENOUNCE_KEY", raising=False)
    monkeypatch.setenv("DENOUNCE_KEY_FILE", str(path))
    with caplog.at_level("WARNING", logger="feedback_router.civic.identity_crypto"):
        token = ic.seal(_identity())
    assert "generated a development key" in caplog.text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_text().strip()
    assert key not in caplog.text
    assert ic.unseal(token).name == Secret.name  # same file, same key
    monkeypatch.setenv("DENOUNCE_KEY", key)
    assert ic.unseal(token).name == Secret.name


def test_action_server_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    env = procs.base_env(ACTIONS_PORT=str(procs.free_port()), DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    env.pop("DENOUNCE_KEY", None)
    env.pop("DENOUNCE_KEY_FILE", None)
    proc = subprocess.run(procs.actions_cmd(), cwd=procs.ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode != 0
    assert "DENOUNCE_KEY is not set" in proc.stdout + proc.stderr


def test_genkey_cli_prints_a_usable_key() -> None:
    out = subprocess.run([str(procs.ROOT / ".venv/bin/python"), "-m",
                          "feedback_router.civic.identity_crypto", "genkey"],
                         cwd=procs.ROOT, capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    Fernet(out.encode())


def test_civic_data_loads_and_validates(tmp_path: Path) -> None:
    data = load_civic()
    assert data.inspection_unit == "thanh-tra-thanh-pho"
    assert "Luật Tố cáo" in data.notice_vi and "ẩn danh" in data.choice_vi
    raw = yaml.safe_load((DATA_DIR / "civic.yaml").read_text(encoding="utf-8"))
    assert raw["sources"] and all(s.get("url") and s.get("title") for s in raw["sources"])
    assert topic_for("nên trồng thêm cây xanh ở công viên Thống Nhất").id == "greenery"  # type: ignore[union-attr]
    assert route_suggestion("de nghi tang tan suat xe buyt tuyen 32", None) == ("transport", "so-xay-dung")
    for broken, match in ((lambda r: r["suggestion_topics"][0].update(unit="khong-co"), "unknown unit"),
                          (lambda r: r["denunciation"].update(inspection_unit="ubnd-phuong-lang"), "inspection"),
                          (lambda r: r.pop("sources"), "sources")):
        copy = yaml.safe_load((DATA_DIR / "civic.yaml").read_text(encoding="utf-8"))
        broken(copy)
        (tmp_path / "civic.yaml").write_text(yaml.safe_dump(copy, allow_unicode=True), encoding="utf-8")
        with pytest.raises(CatalogError, match=match):
            load_civic(tmp_path)
