"""`POST /api/v1/nlu/parse`: intent, category, entities and route for one text.

Used by the dashboard, the CLI (`python -m nlu.parse`) and integrators; it
touches no conversation state. Entity offsets refer to `normalized`, the text
the model actually read.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from bot.gateway import Gateway, GatewayError
from bot.web.request_json import BadRequest, json_body
from feedback_router.tickets.routing import route
from nlu.entities import ward_unit_for
from nlu.selection import selected_category
from nlu.text import TextError, normalize, validate_user_text

nlu_bp = Blueprint("nlu_api", __name__, url_prefix="/api/v1/nlu")

CATEGORY_INTENTS = ("report_issue", "emergency")


def build_result(text: str, parse: dict[str, Any]) -> dict[str, Any]:
    intent = parse.get("intent") or {}
    name = intent.get("name")
    category = None
    if name in CATEGORY_INTENTS:
        cat, conf = selected_category(parse, name)
        if cat:
            category = {"name": cat, "confidence": round(conf, 4)}
    entities = [
        {"entity": e["entity"], "value": e["value"], "start": e.get("start"), "end": e.get("end")}
        for e in parse.get("entities") or []
    ]
    route_info = None
    if category is not None:
        wards = [e["value"] for e in entities if e["entity"] == "ward"]
        ward_unit = ward_unit_for(wards[0]) if wards else None
        route_info = route(category["name"], ward_unit).as_dict()
    return {
        "text": text,
        "normalized": normalize(text),
        "intent": {"name": name, "confidence": round(float(intent.get("confidence") or 0.0), 4)},
        "category": category,
        "entities": entities,
        "route": route_info,
    }


@nlu_bp.post("/parse")
def parse():  # type: ignore[no-untyped-def]
    try:
        body = json_body(request)
        if "text" not in body:
            raise BadRequest("Thiếu trường 'text' (missing 'text').")
        text = validate_user_text(body["text"])
    except (BadRequest, TextError) as exc:
        return jsonify(error=str(exc)), 400
    gateway: Gateway = current_app.extensions["gateway"]
    try:
        result = gateway.parse(text)
    except GatewayError:
        current_app.logger.exception("parse failure")
        return jsonify(error="Bộ hiểu ngôn ngữ tạm thời không phản hồi (NLU temporarily unavailable)."), 503
    return jsonify(build_result(text, result))
