"""Fingerprints of our own source files for Rasa's training cache.

Rasa reuses a component's trained output when its config and inputs are
unchanged; it does not see the code the component imports. Components return
this from `fingerprint_addon` so that editing nlu/*.py retrains them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def source_fingerprint(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()
