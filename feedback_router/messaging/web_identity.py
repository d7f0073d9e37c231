"""Who is chatting on the web: an identity the server issues, never one the client picks.

The web chat's sender id used to be chosen by the browser and sent in every JSON body, so
anyone who knew it could read (and consume) that citizen's inbox and continue their report.
Now the server issues ``web:<random>`` in a signed (itsdangerous, SECRET_KEY), HttpOnly,
SameSite=Lax cookie; the chat, the inbox, uploads and suggestion supports read it from there.
Only integrators holding an API token (``Authorization: Bearer …``, API_TOKENS) may name a
``sender_id`` themselves.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from flask import Flask, Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer

from feedback_router.core.settings import get_settings

COOKIE = "hn_chat"  # the browser never reads it (HttpOnly)
MAX_AGE = 365 * 24 * 3600
_SALT = "web-chat-identity-v1"

NEED_TOKEN = ("'sender_id' chỉ dành cho ứng dụng có API token; trình duyệt dùng cookie do máy chủ cấp "
              "('sender_id' requires an API token; browsers use the identity cookie the server issues).")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _tokens() -> list[str]:
    configured = current_app.config.get("API_TOKENS")
    if configured is None:
        return get_settings().api_token_list()
    if isinstance(configured, str):
        configured = configured.split(",")
    return [t.strip() for t in configured if t and t.strip()]


def api_client() -> str | None:
    """A short fingerprint of the caller's valid API token, or None for a browser."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    given = header.removeprefix("Bearer ").strip().encode()
    if given and any(hmac.compare_digest(given, t.encode()) for t in _tokens()):
        return hashlib.sha256(given).hexdigest()[:12]
    return None


def web_identity(create: bool = True) -> str | None:
    """The browser's ``web:…`` identity from its signed cookie; a new one is issued when absent."""
    if "web_identity" in g:
        return str(g.web_identity)
    raw = request.cookies.get(COOKIE, "")
    sender = None
    if raw:
        try:
            value = _serializer().loads(raw)
            sender = value if isinstance(value, str) and value.startswith("web:") else None
        except BadSignature:
            sender = None
    if sender is None:
        if not create:
            return None
        sender = new_identity()
    g.web_identity = sender
    return sender


def new_identity() -> str:
    """A fresh identity (a new conversation); the cookie is set when the response leaves."""
    sender = "web:" + uuid.uuid4().hex
    g.web_identity = sender
    g.issue_identity = True
    return sender


def _set_cookie(response: Response) -> Response:
    if g.get("issue_identity"):
        response.set_cookie(COOKIE, _serializer().dumps(g.web_identity), max_age=MAX_AGE, httponly=True,
                            samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), path="/")
    return response


def install(app: Flask) -> None:
    app.after_request(_set_cookie)
