"""Strict JSON body parsing with errors a client can act on."""

from __future__ import annotations

import json
from typing import Any

from flask import Request


class BadRequest(ValueError):
    pass


def json_body(request: Request) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw:
        raise BadRequest("Thiếu nội dung JSON (empty body; send a JSON object).")
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"Nội dung không phải UTF-8 hợp lệ (body is not valid UTF-8 at byte {exc.start})."
        ) from exc
    try:
        body = json.loads(decoded)
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"JSON không hợp lệ (malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno})."
        ) from exc
    except RecursionError as exc:  # thousands of nested brackets
        raise BadRequest("JSON lồng nhau quá sâu (JSON nested too deeply).") from exc
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise BadRequest(f"JSON có giá trị không đọc được (unreadable JSON value: {exc}).") from exc
    if not isinstance(body, dict):
        raise BadRequest("JSON phải là một đối tượng (JSON body must be an object).")
    return body
