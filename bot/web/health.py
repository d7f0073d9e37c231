"""`GET /healthz`: the web app is up and its database answers."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from feedback_router.core.db import get_engine

health_bp = Blueprint("health", __name__)


@health_bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        return jsonify(status="error", service="web", error=exc.__class__.__name__), 503
    return jsonify(status="ok", service="web")
