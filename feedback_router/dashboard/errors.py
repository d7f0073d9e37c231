"""Error pages for people: a browser asking a dashboard or status page gets an HTML page
in the dashboard's style, in Vietnamese and English; API clients keep their JSON."""

from __future__ import annotations

from flask import render_template, request
from werkzeug.exceptions import HTTPException

HTML_PREFIXES = ("/dashboard", "/status/")
MESSAGES = {
    400: ("Yêu cầu không hợp lệ", "Bad request"),
    401: ("Cần đăng nhập", "Login required"),
    403: ("Bạn không có quyền xem trang này", "You are not allowed to see this page"),
    404: ("Không tìm thấy", "Not found"),
    405: ("Phương thức không được hỗ trợ", "Method not allowed"),
    409: ("Không thực hiện được: trạng thái đã thay đổi", "Conflict: the item changed"),
    413: ("Yêu cầu quá lớn", "Request too large"),
    429: ("Quá nhiều yêu cầu, vui lòng thử lại sau", "Too many requests, try again later"),
    500: ("Lỗi máy chủ, vui lòng thử lại", "Internal error, please try again"),
}


def wants_html() -> bool:
    if not request.path.startswith(HTML_PREFIXES) or request.path.startswith("/dashboard/api/"):
        return False
    named = [value for value, _ in request.accept_mimetypes]  # only a client that names HTML (a browser)
    accept = request.accept_mimetypes
    return "text/html" in named and accept["text/html"] >= accept["application/json"]


def html_error_page(code: int, detail: str | None = None):  # type: ignore[no-untyped-def]
    """(body, status) for a browser on a dashboard/status path, else None (the caller answers JSON)."""
    if not wants_html():
        return None
    vi, en = MESSAGES.get(code, MESSAGES[500])
    user = None
    try:
        from flask import g

        user = getattr(g, "user", None)
    except RuntimeError:
        pass
    return render_template("dashboard/error.html", code=code, vi=vi, en=en, detail=detail, user=user), code


def for_exception(exc: Exception):  # type: ignore[no-untyped-def]
    code = exc.code if isinstance(exc, HTTPException) and exc.code else 500
    detail = exc.description if isinstance(exc, HTTPException) and code < 500 else None
    return html_error_page(code, detail)
