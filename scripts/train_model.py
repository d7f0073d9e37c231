"""Train the Rasa model only when its inputs changed.

The model file is named by a hash of everything that shapes it (config, domain,
training data, our NLU components, the Rasa lock file), and kept in a cache
outside the checkout so fresh clones on the same machine (CI) reuse it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# data/dialogue/ holds one rules/stories file per capability (booking, suggestions, …).
TRAINING_DATA = ["data/nlu", "data/rules.yml", "data/stories.yml", "data/dialogue"]
HASHED_INPUTS = [
    "config.yml",
    "domain.yml",
    *TRAINING_DATA,
    "data/teencode.yaml",
    "nlu",
    "requirements/rasa.lock.txt",
]


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in {".py", ".yml", ".yaml", ".txt"}
                      and "__pycache__" not in p.parts)
    return [path] if path.exists() else []


def inputs_hash() -> str:
    digest = hashlib.sha256()
    for rel in HASHED_INPUTS:
        for file in _files(ROOT / rel):
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(b"\0")
            digest.update(file.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "hanoi-assistant" / "rasa-models"
    return Path(os.environ.get("RASA_MODEL_CACHE", default))


def model_path() -> Path:
    return ROOT / "models" / f"hanoi-{inputs_hash()}.tar.gz"


def ensure_model(force: bool = False) -> Path:
    """Return the path of an up-to-date model, training it if needed.

    Serialised by a lock file: test runs started side by side (or `make run` beside
    `make test`) must not train the same model twice into the same path.
    """
    lock_path = ROOT / "var" / "train.lock"
    lock_path.parent.mkdir(exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure_model_locked(force)


def _ensure_model_locked(force: bool) -> Path:
    target = model_path()
    cached = cache_dir() / target.name
    target.parent.mkdir(parents=True, exist_ok=True)
    if not force and target.exists():
        print(f"[train] model up to date: {target.name}", flush=True)
        return target
    if not force and cached.exists():
        shutil.copy2(cached, target)
        print(f"[train] model restored from cache: {cached}", flush=True)
        return target
    rasa = ROOT / ".venv-rasa" / "bin" / "rasa"
    cmd = [
        str(rasa), "train", "--config", "config.yml", "--domain", "domain.yml",
        "--data", *(p for p in TRAINING_DATA if (ROOT / p).exists()), "--out", str(target.parent),
        "--fixed-model-name", target.name.removesuffix(".tar.gz"),
    ]
    print(f"[train] training Rasa model {target.name} …", flush=True)
    started = time.monotonic()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    log = ROOT / "var" / "rasa-train.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if proc.returncode != 0:
        print(log.read_text()[-5000:], file=sys.stderr)
        raise SystemExit(f"[train] rasa train failed (exit {proc.returncode}); full log: {log}")
    elapsed = time.monotonic() - started
    print(f"[train] trained in {elapsed:.1f} s", flush=True)
    (ROOT / "var" / "last_train_seconds").write_text(f"{elapsed:.1f}\n")
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(target, cached)
    return target


if __name__ == "__main__":
    if "--print-path" in sys.argv:
        print(model_path())
    else:
        ensure_model(force="--force" in sys.argv)
