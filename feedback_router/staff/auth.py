"""Dashboard staff accounts, roles and CSRF protection.

Roles: ``operator`` (sees and changes only the tickets of one unit), ``supervisor``
and ``admin`` (all units; admin also manages users through the CLI), ``inspector``
(the inspection body's staff: the only role that sees denunciations and reads the
denouncer's identity, see denunciations.py; for tickets it is like an operator). Passwords are
stored as werkzeug hashes. Every POST must carry the session's CSRF token, as the
form field ``csrf_token`` or the ``X-CSRF-Token`` header.

Sessions are revocable: the cookie carries the account's session version
(security_models.StaffSessionVersion), checked on every request; logout and a password
change bump it, so a copied cookie stops working (issue 14).
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, g, redirect, request, session, url_for
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from feedback_router.core.db import get_engine
from feedback_router.core.models import DashboardUser, Ticket
from feedback_router.staff.security_models import bump_session_version, session_version

ROLES = ("operator", "supervisor", "admin", "inspector")
# Unknown users are checked against this hash so that rejecting them costs what rejecting a
# wrong password costs (one hash check, not a hash generation plus a check).
_DUMMY_HASH = generate_password_hash("no-such-user-dummy-password")


def create_user(session: Session, username: str, password: str, role: str, unit_id: str | None = None) -> DashboardUser:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if role == "operator" and not unit_id:
        raise ValueError("an operator needs --unit")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    user = DashboardUser(username=username.strip(), password_hash=generate_password_hash(password),
                         role=role, unit_id=unit_id if role == "operator" else unit_id or None, active=True)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> DashboardUser | None:
    user = session.scalar(select(DashboardUser).where(DashboardUser.username == (username or "").strip()))
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password or "")  # equal cost either way
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def set_password(s: Session, user: DashboardUser, password: str) -> None:
    """Change a password and revoke every open session of the account (caller commits)."""
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    user.password_hash = generate_password_hash(password)
    bump_session_version(s, user.id)


def start_session(s: Session, user: DashboardUser) -> None:
    """A fresh session for a user who just logged in (no fixation: the old one is dropped)."""
    session.clear()
    session["user_id"] = user.id
    session["sv"] = session_version(s, user.id)
    csrf_token()


def end_session(user_id: int) -> None:
    """Logout: every cookie of this account stops working, copies included."""
    with Session(engine()) as s:
        bump_session_version(s, user_id)
        s.commit()
    session.clear()


def can_see(user: DashboardUser, ticket: Ticket) -> bool:
    return user.role in ("supervisor", "admin") or (user.unit_id is not None and ticket.unit_id == user.unit_id)


def engine() -> Engine:
    return current_app.config.get("DATABASE_ENGINE") or get_engine()


def csrf_token() -> str:
    token = session.get("csrf_token")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf_token"] = token
    return token


def check_csrf() -> None:
    expected = session.get("csrf_token")
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    if not expected or not hmac.compare_digest(str(expected), str(sent)):
        abort(403, description="CSRF token missing or invalid")


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user_id = session.get("user_id")
        user = None
        if user_id is not None:
            with Session(engine(), expire_on_commit=False) as s:
                user = s.get(DashboardUser, user_id)
                if user is not None and session.get("sv") != session_version(s, user.id):
                    user = None  # logged out or password changed since this cookie was issued
        if user is None or not user.active:
            if request.method == "GET" and not request.path.startswith("/dashboard/api/"):
                return redirect(url_for("dashboard.login", next=request.path))
            abort(401)
        g.user = user
        if request.method == "POST":
            check_csrf()
        return view(*args, **kwargs)

    return wrapper


def role_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def deco(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapper)

    return deco
