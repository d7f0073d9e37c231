"""Public pages, no login: `/status/<code>`, `/reports` (map + list) and its JSON twin.

Pages are bilingual (Vietnamese first, English beside it) because the same link is sent to
citizens and tourists; an unknown code is a proper 404 page, never raw JSON. The map uses
Leaflet vendored from npm (the dashboard's static/vendor, one copy for both), never a CDN;
only the map tiles come from outside.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from sqlalchemy.orm import Session

from feedback_router.staff.auth import engine
from feedback_router.core.codes import is_valid_code, normalize_code
from feedback_router.public.feedback import rating_stats
from feedback_router.public.reports import filter_choices, public_list, status_view

status_bp = Blueprint("public_status", __name__, template_folder="templates")

TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILE_ATTRIBUTION = "&copy; OpenStreetMap contributors"


def _not_found(code: str):  # type: ignore[no-untyped-def]
    return render_template("public/not_found.html", code=code[:40]), 404


@status_bp.route("/status/<path:code>")
def public_status(code: str):  # type: ignore[no-untyped-def]
    """Status, timeline, category, unit, approximate place, deadlines and a small map."""
    if not is_valid_code(code):
        return _not_found(code)
    with Session(engine()) as s:
        view = status_view(s, normalize_code(code))
    if view is None:
        return _not_found(code)
    return render_template("public/status.html", v=view, tile_url=TILE_URL, tile_attribution=TILE_ATTRIBUTION)


def _filters() -> tuple[str | None, str | None]:
    ward = (request.args.get("ward") or "").strip()[:80] or None
    category = (request.args.get("category") or "").strip()[:40] or None
    return ward, category


@status_bp.route("/reports")
def public_reports():  # type: ignore[no-untyped-def]
    """FixMyStreet's core: everyone sees what was reported where, approximately and masked."""
    ward, category = _filters()
    with Session(engine()) as s:
        rows = public_list(s, ward=ward, category=category)
        wards, categories = filter_choices(s)
    return render_template("public/reports.html", rows=rows, wards=wards, categories=categories,
                           ward=ward, category=category, tile_url=TILE_URL, tile_attribution=TILE_ATTRIBUTION)


@status_bp.route("/api/v1/public/reports")
def public_reports_json():  # type: ignore[no-untyped-def]
    ward, category = _filters()
    with Session(engine()) as s:
        return jsonify(reports=public_list(s, ward=ward, category=category))


@status_bp.route("/api/v1/public/ratings")
def public_ratings():  # type: ignore[no-untyped-def]
    """Citizens' satisfaction (1–5 after resolution) overall and per unit, as iHanoi publishes it;
    the dashboard's statistics page shows the same numbers (feedback.rating_stats)."""
    with Session(engine()) as s:
        return jsonify(rating_stats(s).as_dict())
