"""Cross-cutting protections for the web app (issue 14), installed once by create_app.

* Security headers with Flask-Talisman (maintained, covers CSP with nonces, frame-ancestors,
  nosniff, Referrer-Policy, HSTS): the chat and dashboard load scripts only from ``/static``;
  the one inline script (public suggestion page) carries the request's ``csp_nonce()``.
* Cookies: HttpOnly, SameSite=Lax, Secure outside development (SESSION_COOKIE_SECURE overrides).
* JSON that nests thousands deep or carries a 5,000-digit number is a 400, not a 500.
* ``page=`` beyond any real page is a 400 before a view turns it into an SQL overflow.
* Rate limits with Flask-Limiter (bot.web.limits).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from flask.json.provider import DefaultJSONProvider
from flask_talisman import Talisman
from werkzeug.exceptions import HTTPException

from feedback_router.core.settings import Settings

MAX_PAGE = 100_000

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",  # inline style attributes in server-rendered pages
    "img-src": "'self' data: blob: https:",  # map tiles
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

BILINGUAL = {
    400: "Yêu cầu không hợp lệ (bad request).",
    401: "Cần đăng nhập hoặc API token (authentication required).",
    403: "Không có quyền (forbidden).",
    404: "Không tìm thấy (not found).",
    405: "Phương thức không được hỗ trợ (method not allowed).",
    413: "Yêu cầu quá lớn (request too large).",
    415: "Kiểu nội dung không được hỗ trợ (unsupported media type).",
    422: "Dữ liệu không xử lý được (unprocessable input).",
    429: "Bạn gửi quá nhiều yêu cầu, vui lòng thử lại sau (too many requests, try again later).",
}


def bilingual_error(exc: HTTPException) -> str:
    """Vietnamese and English for every HTTP error; the library's own text is kept when it says
    something specific (e.g. "CSRF token missing or invalid")."""
    code = exc.code or 500
    base = BILINGUAL.get(code, "Lỗi (error).")
    if code in (404, 405, 413, 429) or not exc.description or exc.description == type(exc).description:
        return base
    return f"{base} {exc.description}"


class SafeJSONProvider(DefaultJSONProvider):
    """Deep nesting raises RecursionError in the json module; Flask only turns ValueError into 400."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc


def _page_guard():  # type: ignore[no-untyped-def]
    raw = request.args.get("page")
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and 1 <= int(raw) <= MAX_PAGE):
        return jsonify(error=f"'page' phải là số từ 1 đến {MAX_PAGE} (page must be an integer 1–{MAX_PAGE})."), 400
    return None


def install(app: Flask, settings: Settings) -> None:
    secure = settings.cookies_secure if app.config.get("SESSION_COOKIE_SECURE") is None \
        else bool(app.config["SESSION_COOKIE_SECURE"])
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure)
    app.json = SafeJSONProvider(app)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    Talisman(app, force_https=settings.force_https, strict_transport_security=secure,
             session_cookie_secure=secure, session_cookie_http_only=True, session_cookie_samesite="Lax",
             frame_options="DENY", content_security_policy=CSP, content_security_policy_nonce_in=["script-src"],
             referrer_policy="strict-origin-when-cross-origin", x_content_type_options=True)
    app.before_request(_page_guard)
