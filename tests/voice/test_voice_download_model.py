"""Model download: real code path against local file:// archives (no network here)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from voice.download_model import DownloadError, install_model, main

FILES = {"am/final.mdl": b"am", "conf/model.conf": b"--beam=10", "graph/phones.txt": b"x"}


def _zip(path: Path, files: dict[str, bytes], root: str = "vosk-model-small-vn-0.4") -> str:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(f"{root}/{name}" if root else name, data)
    return path.as_uri()


def test_installs_and_replaces_atomically(tmp_path):
    url = _zip(tmp_path / "m.zip", FILES)
    dest = tmp_path / "var" / "models" / "vosk-model-small-vn-0.4"
    assert install_model(dest, url) == dest.resolve()
    assert (dest / "am" / "final.mdl").read_bytes() == b"am"
    assert main(["--dest", str(dest), "--url", url]) == 0  # already there: no download
    leftovers = [p.name for p in dest.parent.iterdir() if p.name.startswith(".vosk-dl-")]
    assert leftovers == []


def test_checksum_mismatch_is_refused(tmp_path):
    url = _zip(tmp_path / "m.zip", FILES)
    with pytest.raises(DownloadError, match="checksum"):
        install_model(tmp_path / "model", url, sha256="0" * 64)
    assert not (tmp_path / "model").exists()


def test_archive_without_a_model_is_refused(tmp_path):
    url = _zip(tmp_path / "m.zip", {"README": b"hello"})
    with pytest.raises(DownloadError, match="does not contain a Vosk model"):
        install_model(tmp_path / "model", url)


def test_zip_slip_is_refused(tmp_path):
    url = _zip(tmp_path / "m.zip", {"../../evil": b"x"}, root="")
    with pytest.raises(DownloadError, match="unsafe path"):
        install_model(tmp_path / "model", url)


def test_not_a_zip(tmp_path):
    bad = tmp_path / "m.zip"
    bad.write_bytes(b"<html>503</html>")
    with pytest.raises(DownloadError, match="not a zip"):
        install_model(tmp_path / "model", bad.as_uri())


def test_unreachable_source_explains_the_manual_step(tmp_path, capsys):
    missing = (tmp_path / "nowhere.zip").as_uri()
    assert main(["--dest", str(tmp_path / "model"), "--url", missing]) == 2
    err = capsys.readouterr().err
    assert "Manual install" in err and "ASR_ENGINE=viet-asr" in err
