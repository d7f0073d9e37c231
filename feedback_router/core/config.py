"""Paths of the checkout and the database address (from the validated settings, core/settings.py)."""

from __future__ import annotations

from pathlib import Path

from feedback_router.core.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"


def database_url() -> str:
    """SQLite file under var/ unless DATABASE_URL says otherwise (PostgreSQL in production)."""
    return get_settings().database_url.get_secret_value()
