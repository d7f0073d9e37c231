"""Rate limits (Flask-Limiter; Redis storage when REDIS_URL is set, memory otherwise).

Why Flask-Limiter: maintained, moving-window counters shared by every web process through
Redis, per-route keys, and ``deduct_when`` so that only *failed* logins count towards the
lockout (a locked account refuses even the right password until the window passes).

Limits are applied here, by endpoint name, after every blueprint is registered, so the views
themselves stay free of policy. Integrators with an API token are exempt from the chat limits.
"""

from __future__ import annotations

import hashlib

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from feedback_router.messaging.web_identity import api_client, web_identity
from feedback_router.core.settings import Settings


def _login_user() -> str:
    name = (request.form.get("username") or "").strip().lower()[:80]
    return "login-user:" + hashlib.sha256(name.encode()).hexdigest()[:16]


def _identity() -> str:
    """The browser's identity, issued here if new, so the first request counts under the same key."""
    return web_identity()


def _failed(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code in (401, 403)


def _is_api_client() -> bool:
    return api_client() is not None


def install(app: Flask, settings: Settings) -> Limiter:
    storage = app.config.get("RATELIMIT_STORAGE_URI") or settings.redis_url or "memory://"
    limiter = Limiter(get_remote_address, app=app, storage_uri=storage, headers_enabled=True,
                      strategy="moving-window", key_prefix=app.config.get("RATELIMIT_KEY_PREFIX", "hanoi"),
                      in_memory_fallback_enabled=True)
    views = app.view_functions

    def limit(endpoint: str, value: str, **kw) -> None:  # type: ignore[no-untyped-def]
        if endpoint in views:
            views[endpoint] = limiter.limit(value, **kw)(views[endpoint])

    lockout = f"{settings.login_lockout_failures} per {settings.login_lockout_seconds} seconds"
    limit("dashboard.login", lockout, key_func=_login_user, methods=["POST"], deduct_when=_failed)
    limit("dashboard.login", settings.login_limit, methods=["POST"], deduct_when=_failed)
    limit("api.post_message", settings.chat_limit, key_func=_identity, exempt_when=_is_api_client)
    limit("api.post_message", "300 per minute", exempt_when=_is_api_client)  # per IP: many identities
    limit("chat_uploads.upload_photo", settings.upload_limit, key_func=_identity,
          exempt_when=_is_api_client)
    limit("chat_uploads.upload_photo", "60 per hour", exempt_when=_is_api_client)
    for endpoint in ("public_status.public_status", "open311.get_request", "open311.list_requests"):
        limit(endpoint, settings.status_limit, methods=["GET"])
    limit("civic.public_support", settings.support_limit)
    app.extensions["hanoi_limiter"] = limiter
    return limiter
