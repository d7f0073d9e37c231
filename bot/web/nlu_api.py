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
from feedback_router.routing import route
from nlu.text import TextError, normalize, validate_user_text

nlu_bp = Blueprint("nlu_api", __name__, url_prefix="/api/v1/nlu")

CATEGORY_INTENTS = ("report_issue", "emergency")


def selected(parse: dict[str, Any], intent: str) -> tuple[str | None, float]:
    for key in (intent, "default"):
        response = ((parse.get("response_selector") or {}).get(key) or {}).get("response") or {}
        full = response.get("intent_response_key") or ""
        if full.startswith(intent + "/"):
            return full.split("/", 1)[1], round(float(response.get("confidence") or 0.0), 4)
    return None, 0.0


def build_result(text: str, parse: dict[str, Any]) -> dict[str, Any]:
    intent = parse.get("intent") or {}
    name = intent.get("name")
    category = None
    if name in CATEGORY_INTENTS:
        cat, conf = selected(parse, name)
        if cat:
            category = {"name": cat, "confidence": conf}
    entities = [
        {"entity": e["entity"], "value": e["value"], "start": e.get("start"), "end": e.get("end")}
        for e in parse.get("entities") or []
    ]
    route_info = None
    if category is not None:
        ward_unit = None
        wards = [e["value"] for e in entities if e["entity"] == "ward"]
        if wards:
            from nlu import gazetteer

            ward = gazetteer.find_ward(wards[0])
            ward_unit = ward.unit_id if ward else None
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
