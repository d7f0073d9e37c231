"""Settings read from environment variables, with safe defaults for one machine."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"


def database_url() -> str:
    """SQLite file under var/ unless DATABASE_URL says otherwise (PostgreSQL in production)."""
    default = f"sqlite:///{ROOT / 'var' / 'hanoi.db'}"
    return os.environ.get("DATABASE_URL", default)
