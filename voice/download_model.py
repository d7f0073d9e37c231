"""Download and unpack the Vietnamese Vosk model: ``python -m voice.download_model``.

Why a Python module and not a shell one-liner: it must behave the same on every machine
(no curl/unzip assumptions), refuse a half-downloaded or wrong archive, never leave a
broken model directory behind (unpack into a temp folder, check, then rename), and say
clearly what to do by hand when the download host cannot be reached.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath

from voice.asr.base import ModelMissing
from voice.asr.vosk_engine import check_model_dir
from voice.config import VOSK_MODEL_URL, VoiceSettings

CHUNK = 1 << 16
TIMEOUT = 60.0
MAX_ARCHIVE_BYTES = 2 * 1024**3  # the small model is ~32 MB; refuse absurd responses


class DownloadError(RuntimeError):
    """The model could not be fetched or is not a usable Vosk model."""


def _fetch(url: str, target: Path, timeout: float) -> str:
    """Stream ``url`` to ``target``; return the SHA-256 of what was written."""
    digest = hashlib.sha256()
    request = urllib.request.Request(url, headers={"User-Agent": "hanoi-assistant-voice/1"})
    try:
        with (
            urllib.request.urlopen(request, timeout=timeout) as response,
            target.open("wb") as out,
        ):
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while chunk := response.read(CHUNK):
                done += len(chunk)
                if done > MAX_ARCHIVE_BYTES:
                    raise DownloadError(f"{url} is larger than {MAX_ARCHIVE_BYTES} bytes")
                digest.update(chunk)
                out.write(chunk)
                if total:
                    print(f"\r  {done * 100 // total:3d}% of {total / 1e6:.1f} MB", end="",
                          file=sys.stderr)  # fmt: skip
            print(file=sys.stderr)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DownloadError(f"could not download {url}: {exc}") from exc
    return digest.hexdigest()


def _safe_extract(archive: Path, into: Path) -> Path:
    """Unzip refusing absolute paths and '..' (zip-slip); return the model's root folder."""
    try:
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                parts = PurePosixPath(name).parts
                if name.startswith("/") or ".." in parts:
                    raise DownloadError(f"unsafe path in archive: {name!r}")
            zf.extractall(into)
    except zipfile.BadZipFile as exc:
        raise DownloadError(f"{archive.name} is not a zip archive (truncated download?)") from exc
    entries = [p for p in into.iterdir() if not p.name.startswith("__MACOSX")]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]  # archives wrap the model in one top-level folder
    return into


def install_model(
    dest: Path,
    url: str = VOSK_MODEL_URL,
    sha256: str | None = None,
    timeout: float = TIMEOUT,
) -> Path:
    """Download ``url`` and install the unpacked model at ``dest`` (replacing it)."""
    dest = dest.resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".vosk-dl-", dir=dest.parent) as tmp:
        archive = Path(tmp) / "model.zip"
        print(f"Downloading {url}", file=sys.stderr)
        got = _fetch(url, archive, timeout)
        if sha256 and got.lower() != sha256.lower():
            raise DownloadError(f"checksum mismatch: expected {sha256}, got {got}")
        root = _safe_extract(archive, Path(tmp) / "unpacked")
        try:
            check_model_dir(root)
        except ModelMissing as exc:
            raise DownloadError(f"archive does not contain a Vosk model: {exc}") from exc
        if dest.exists():
            shutil.rmtree(dest)
        root.rename(dest)
    check_model_dir(dest)
    return dest


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; exit code 0 installed/already present, 2 failed."""
    settings = VoiceSettings.from_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=settings.vosk_model_dir,
                        help="target folder (default: VOSK_MODEL_DIR)")  # fmt: skip
    parser.add_argument("--url", default=VOSK_MODEL_URL)
    parser.add_argument("--sha256", default=None, help="expected archive checksum (optional)")
    parser.add_argument("--force", action="store_true", help="download even if present")
    args = parser.parse_args(argv)
    if not args.force:
        try:
            check_model_dir(args.dest)
            print(f"Vosk model already installed in {args.dest}")
            return 0
        except ModelMissing:
            pass
    try:
        path = install_model(args.dest, args.url, args.sha256)
    except DownloadError as exc:
        print(
            f"ERROR: {exc}\n"
            f"Manual install: download {args.url} on a machine with internet access, unzip "
            f"it and move the inner folder to {args.dest} (it must contain am/final.mdl and "
            "conf/model.conf); or run with ASR_ENGINE=viet-asr, whose model ships in its wheel.",
            file=sys.stderr,
        )
        return 2
    print(f"Vosk model installed in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
