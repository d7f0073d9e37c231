"""Open311 GeoReport v2: discovery, services, requests in JSON and XML, errors, keys."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from flask import Flask
from sqlalchemy import Engine

from feedback_router.tickets.service import create_ticket

from .conftest import API_KEY, Units

FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
          "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
          "address", "address_id", "zipcode", "lat", "long", "media_url"}


def test_discovery_and_services(app: Flask) -> None:
    c = app.test_client()
    d = c.get("/open311/v2/discovery.json").get_json()
    assert d["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert ET.fromstring(c.get("/open311/v2/discovery.xml").data).tag == "discovery"
    services = c.get("/open311/v2/services.json").get_json()
    codes = {s["service_code"] for s in services}
    assert "waste" in codes and "fire" not in codes
    assert set(services[0]) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    root = ET.fromstring(c.get("/open311/v2/services.xml").data)
    assert root.tag == "services" and {s.findtext("service_code") for s in root} == codes
    assert c.get("/open311/v2/services/waste.json").get_json() == {"service_code": "waste", "attributes": []}
    r = c.get("/open311/v2/services/nope.json")
    assert r.status_code == 404 and r.get_json()[0]["code"] == 404


def test_post_and_get_json_round_trip(app: Flask, engine: Engine, units: Units) -> None:
    c = app.test_client()
    form = {"service_code": "waste", "description": "Rác đổ trộm", "address_string": "ngõ 7 Láng, phường Láng",
            "lat": "21.02", "long": "105.80", "email": "ban@example.com", "phone": "0987654321"}
    r = c.post("/open311/v2/requests.json", data=form)
    assert r.status_code == 403 and r.get_json()[0]["code"] == 403
    r = c.post("/open311/v2/requests.json", data={**form, "api_key": API_KEY})
    assert r.status_code == 201, r.data
    code = r.get_json()[0]["service_request_id"]
    one = c.get(f"/open311/v2/requests/{code}.json").get_json()
    assert len(one) == 1 and set(one[0]) == FIELDS
    row = one[0]
    assert row["status"] == "open" and row["service_code"] == "waste" and row["lat"] == 21.02
    assert datetime.fromisoformat(row["requested_datetime"]).utcoffset().total_seconds() == 7 * 3600
    assert "ban@example.com" not in r.get_data(as_text=True)
    listing = c.get("/open311/v2/requests.json?service_code=waste&status=open").get_data(as_text=True)
    assert code in listing and "0987654321" not in listing and "example.com" not in listing
    assert c.get("/open311/v2/requests.json?status=closed").get_json() == []
    assert c.get("/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z"
                 ).get_json() == []
    assert c.get("/open311/v2/requests.json?start_date=yesterday").status_code == 400
    assert c.get(f"/open311/v2/requests.json?service_request_id={code}").get_json()[0]["service_request_id"] == code
    bad = c.post("/open311/v2/requests.json", data={"api_key": API_KEY, "service_code": "waste", "description": "x"})
    assert bad.status_code == 400 and "location" in bad.get_json()[0]["description"]
    assert c.get("/open311/v2/requests/HN-0101-ZZZZ.json").status_code == 404


def test_post_and_get_xml_round_trip(app: Flask, engine: Engine, units: Units) -> None:
    create_ticket(category="road_damage", description="Ổ gà <b>to</b>", sender_id="web:1", engine=engine)
    c = app.test_client()
    r = c.post("/open311/v2/requests.xml", data={"api_key": API_KEY, "service_code": "street_lighting",
                                                 "description": "Đèn tắt & hỏng", "lat": "21.03", "long": "105.85"})
    assert r.status_code == 201 and r.content_type.startswith("text/xml")
    root = ET.fromstring(r.data)
    code = root.find("request").findtext("service_request_id")
    got = ET.fromstring(c.get(f"/open311/v2/requests/{code}.xml").data)
    assert got.tag == "service_requests" and got.find("request").findtext("description") == "Đèn tắt & hỏng"
    assert {el.tag for el in got.find("request")} == FIELDS
    listing = ET.fromstring(c.get("/open311/v2/requests.xml").data)
    assert {req.findtext("description") for req in listing} >= {"Ổ gà <b>to</b>", "Đèn tắt & hỏng"}
    err = ET.fromstring(c.get("/open311/v2/requests/HN-0101-ZZZZ.xml").data)
    assert err.tag == "errors" and err.find("error").findtext("code") == "404"
