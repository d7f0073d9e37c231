"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under ``/open311/v2/``.

Services are the complaint categories (data/categories.yaml; emergencies excluded: they
are calls to 112–115, not tickets). service_request_id is the ticket code. Dates are
ISO 8601 with the +07:00 offset. POST needs an ``api_key`` listed in OPEN311_API_KEYS
(comma-separated). Nothing about the reporter (contact, phone, e-mail) is ever returned, and a
request shows only what public_data allows: masked or moderated description, street or ward,
coordinates rounded to ~100 m. ``service_request_id`` lists are capped (MAX_IDS) so codes cannot
be enumerated in bulk; discovery names PUBLIC_BASE_URL, never the Host header.
"""

from __future__ import annotations

import hashlib
import hmac
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import Blueprint, Response, current_app, json, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_router.staff.auth import engine
from feedback_router.core.catalog import catalog
from feedback_router.core.codes import normalize_code
from feedback_router.tickets.lifecycle import OPEN, STATUS_VI
from feedback_router.core.models import Ticket, TicketStatus
from feedback_router.public.data import mask_personal, public_descriptions, public_ticket
from feedback_router.tickets.service import create_ticket
from nlu.text import clean_text
from feedback_router.core.settings import get_settings
from feedback_router.tickets.sla import TZ, as_utc
from nlu import clock

open311_bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

SPEC = "http://wiki.open311.org/GeoReport_v2"
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
MAX_RESULTS = 1000
MAX_IDS = 10  # service_request_id values per request
DEFAULT_WINDOW = timedelta(days=90)
CLOSED = (TicketStatus.resolved, TicketStatus.rejected, TicketStatus.merged)


def iso(dt: datetime | None) -> str | None:
    return None if dt is None else as_utc(dt).astimezone(TZ).isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    """An aware datetime, or ValueError (also for years whose UTC time overflows: 0001, 9999)."""
    dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    dt = dt.replace(tzinfo=TZ) if dt.tzinfo is None else dt
    try:
        dt.astimezone(timezone.utc)
    except OverflowError as exc:
        raise ValueError("date out of range") from exc
    if not 2000 <= dt.year <= 2100:
        raise ValueError("date out of range")
    return dt


def _xml(root: str, item: str, rows: list[dict[str, Any]]) -> str:
    top = ET.Element(root)
    for row in rows:
        el = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(el, key)
            if isinstance(value, bool):
                child.text = "true" if value else "false"
            elif isinstance(value, list):
                child.text = ",".join(str(v) for v in value)
            elif value is not None:
                child.text = str(value)
    return '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode")


def respond(fmt: str, root: str, item: str, rows: list[dict[str, Any]], status: int = 200) -> Response:
    if fmt == "xml":
        body = _xml(root, item, rows)
    else:
        body = json.dumps(rows, ensure_ascii=False)
    return Response(body, status=status, mimetype=FORMATS[fmt].split(";")[0], content_type=FORMATS[fmt])


def error(fmt: str, code: int, description: str) -> Response:
    fmt = fmt if fmt in FORMATS else "json"
    return respond(fmt, "errors", "error", [{"code": code, "description": description}], status=code)


def _services() -> list[dict[str, Any]]:
    rows = []
    for cat in catalog().categories.values():
        if cat.scope == "emergency":
            continue
        rows.append({"service_code": cat.id, "service_name": cat.name_vi,
                     "description": f"{cat.name_vi} ({cat.name_en})", "metadata": False,
                     "type": "realtime", "keywords": cat.intent, "group": cat.scope})
    return rows


def _request_row(t: Ticket, description: str) -> dict[str, Any]:
    cat = catalog().categories.get(t.category)
    closed = t.status in CLOSED
    notes = mask_personal(t.public_reply) if t.public_reply else STATUS_VI[t.status.value]
    public = public_ticket(t, description)
    return {
        "service_request_id": t.code,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": cat.name_vi if cat else t.category,
        "service_code": t.category,
        "description": public.description,
        "agency_responsible": public.unit_name,
        "service_notice": None,
        "requested_datetime": iso(t.created_at),
        "updated_datetime": iso(t.updated_at),
        "expected_datetime": iso(t.sla_due_at),
        "address": public.place,
        "address_id": None,
        "zipcode": None,
        "lat": public.latitude,
        "long": public.longitude,
        "media_url": None,
    }


def _api_keys() -> list[str]:
    configured = current_app.config.get("OPEN311_API_KEYS") or get_settings().open311_api_keys.get_secret_value()
    if isinstance(configured, str):
        configured = configured.split(",")
    return [k.strip() for k in configured if k and k.strip()]


def _key_ok(key: str) -> bool:
    return bool(key) and any(hmac.compare_digest(key, k) for k in _api_keys())


@open311_bp.route("/discovery.<fmt>")
def discovery(fmt: str) -> Response:
    if fmt not in FORMATS:
        return error("json", 404, "format not supported")
    base = _public_base() + "/open311/v2/"
    doc = {"changeset": "2026-11-22T00:00:00+07:00", "contact": "Hanoi citizen feedback assistant",
           "key_service": "API keys are issued by the city's operator of this service",
           "endpoints": [{"specification": SPEC, "url": base, "changeset": "2026-11-22T00:00:00+07:00",
                          "type": "production", "formats": ["application/json", "text/xml"]}]}
    if fmt == "json":
        return Response(json.dumps(doc, ensure_ascii=False), content_type=FORMATS["json"])
    root = ET.Element("discovery")
    for key in ("changeset", "contact", "key_service"):
        ET.SubElement(root, key).text = doc[key]
    eps = ET.SubElement(root, "endpoints")
    for ep in doc["endpoints"]:
        el = ET.SubElement(eps, "endpoint")
        for key in ("specification", "url", "changeset", "type"):
            ET.SubElement(el, key).text = ep[key]
        formats = ET.SubElement(el, "formats")
        for f in ep["formats"]:
            ET.SubElement(formats, "format").text = f
    return Response('<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="unicode"),
                    content_type=FORMATS["xml"])


@open311_bp.route("/services.<fmt>")
def services(fmt: str) -> Response:
    if fmt not in FORMATS:
        return error("json", 404, "format not supported")
    return respond(fmt, "services", "service", _services())


@open311_bp.route("/services/<code>.<fmt>")
def service_definition(code: str, fmt: str) -> Response:
    if fmt not in FORMATS:
        return error("json", 404, "format not supported")
    if code not in {s["service_code"] for s in _services()}:
        return error(fmt, 404, f"service_code {code} not found")
    if fmt == "json":
        return Response(json.dumps({"service_code": code, "attributes": []}), content_type=FORMATS["json"])
    root = ET.Element("service_definition")
    ET.SubElement(root, "service_code").text = code
    ET.SubElement(root, "attributes")
    return Response('<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="unicode"),
                    content_type=FORMATS["xml"])


@open311_bp.route("/requests.<fmt>", methods=["GET"])
def list_requests(fmt: str) -> Response:
    if fmt not in FORMATS:
        return error("json", 404, "format not supported")
    args = request.args
    stmt = select(Ticket)
    ids = [normalize_code(x) for x in args.get("service_request_id", "").split(",") if x.strip()]
    if len(ids) > MAX_IDS:
        return error(fmt, 400, f"at most {MAX_IDS} service_request_id values per request "
                               f"(tối đa {MAX_IDS} mã mỗi yêu cầu)")
    if ids:
        stmt = stmt.where(Ticket.code.in_(ids))  # the other filters are ignored, as the spec says
    else:
        try:
            start = parse_iso(args["start_date"]) if args.get("start_date") else None
            end = parse_iso(args["end_date"]) if args.get("end_date") else None
        except ValueError:
            return error(fmt, 400, "start_date and end_date must be ISO 8601 dates between 2000 and 2100 "
                                   "(ngày phải theo ISO 8601, từ năm 2000 đến 2100)")
        if start is None and end is None:
            start = clock.now() - DEFAULT_WINDOW
        if start is not None:
            stmt = stmt.where(Ticket.created_at >= start.astimezone(timezone.utc))
        if end is not None:
            stmt = stmt.where(Ticket.created_at <= end.astimezone(timezone.utc))
        codes = [c.strip() for c in args.get("service_code", "").split(",") if c.strip()]
        if codes:
            stmt = stmt.where(Ticket.category.in_(codes))
        statuses = {s.strip().lower() for s in args.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            return error(fmt, 400, "status must be open or closed")
        if statuses == {"open"}:
            stmt = stmt.where(Ticket.status.in_(OPEN))
        elif statuses == {"closed"}:
            stmt = stmt.where(Ticket.status.in_(CLOSED))
    stmt = stmt.order_by(Ticket.created_at.desc()).limit(MAX_RESULTS)
    with Session(engine()) as s:
        tickets = list(s.scalars(stmt))
        texts = public_descriptions(s, tickets)
        rows = [_request_row(t, texts[t.id]) for t in tickets]
    return respond(fmt, "service_requests", "request", rows)


@open311_bp.route("/requests/<rid>.<fmt>", methods=["GET"])
def get_request(rid: str, fmt: str) -> Response:
    if fmt not in FORMATS:
        return error("json", 404, "format not supported")
    with Session(engine()) as s:
        t = s.scalar(select(Ticket).where(Ticket.code == normalize_code(rid)))
        if t is None:
            return error(fmt, 404, f"service_request_id {rid} not found")
        row = _request_row(t, public_descriptions(s, [t])[t.id])
    return respond(fmt, "service_requests", "request", [row])


def _public_base() -> str:
    """Where this API is published: configured, or the root of the path (a Host header is the
    caller's to choose, so reflecting it would let anyone brand the discovery document)."""
    configured = current_app.config.get("PUBLIC_BASE_URL") or get_settings().public_base_url
    return configured.rstrip("/")


def _float(name: str) -> float | None:
    raw = request.values.get(name)
    if raw in (None, ""):
        return None
    value = float(raw)
    if not -180.0 <= value <= 180.0:
        raise ValueError(name)
    return value


@open311_bp.route("/requests.<fmt>", methods=["POST"])
def post_request(fmt: str) -> Response:
    if fmt not in FORMATS:
        return error("json", 404, "format not supported")
    form = request.values
    key = form.get("api_key", "")
    if not _key_ok(key):
        return error(fmt, 403, "api_key missing or not valid")
    code = form.get("service_code", "")
    if code not in {s["service_code"] for s in _services()}:
        return error(fmt, 400, "service_code missing or not valid")
    try:
        lat, lon = _float("lat"), _float("long")
    except ValueError:
        return error(fmt, 400, "lat and long must be WGS84 decimal degrees")
    address = clean_text(form.get("address_string") or "").strip() or None
    if (lat is None or lon is None) and not address and not form.get("address_id"):
        return error(fmt, 400, "a location is required: lat & long, address_string or address_id")
    description = clean_text(form.get("description") or "").strip()
    if not description:
        return error(fmt, 400, "description is required")
    if len(description) > 4000:
        return error(fmt, 400, "description is too long (4000 characters at most)")
    ward_unit_id = None
    if address:
        try:
            from nlu import gazetteer

            ward = gazetteer.find_ward(address)
            ward_unit_id = ward.unit_id if ward else None
        except Exception:  # the gazetteer is optional here: without it the report goes to triage
            ward_unit_id = None
    client = hashlib.sha256(key.encode()).hexdigest()[:8]
    who = (form.get("device_id") or form.get("account_id") or form.get("email") or "anonymous")[:120]
    sender = f"open311:{client}:{hashlib.sha256(who.encode()).hexdigest()[:16]}"
    receipt = create_ticket(category=code, description=description, sender_id=sender, location_text=address,
                            ward_unit_id=ward_unit_id, latitude=lat, longitude=lon,
                            phone=(form.get("phone") or None), engine=engine())
    notice = (f"Phản ánh trùng với {receipt.code}, đã được gộp." if receipt.merged
              else f"Đã chuyển tới {receipt.unit_name}.")
    return respond(fmt, "service_requests", "request",
                   [{"service_request_id": receipt.code, "service_notice": notice, "account_id": None}], status=201)
