"""Talking to a running stack as an integrator does: one turn through POST /api/v1/messages."""

from __future__ import annotations

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.core.db import make_engine
from scripts.procs import API_HEADERS
from tests.conftest import Stack


def say(stack: Stack, sender: str, text: str) -> list[dict]:
    """One citizen turn; the API token lets the test name the sender, as a channel integrator does."""
    resp = requests.post(f"{stack.web_url}/api/v1/messages", json={"sender_id": sender, "text": text},
                         headers=API_HEADERS, timeout=60)
    assert resp.status_code == 200, resp.text
    return resp.json()["replies"]


def joined(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def rows(db: str, model: type) -> list:
    """Every row of a table, oldest first, read from outside the stack's processes."""
    engine = make_engine(db)
    try:
        with Session(engine) as s:
            return list(s.scalars(select(model).order_by(model.id)))
    finally:
        engine.dispose()
