"""Create dashboard users:

    python -m feedback_router.staff.users add --username lan --role operator --unit <unit id>
    python -m feedback_router.staff.users add --username thanh --role inspector --unit thanh-tra-thanh-pho

    python -m feedback_router.staff.users passwd --username lan   # new password, every session revoked
    python -m feedback_router.staff.users revoke --username lan   # log the account out everywhere

Only ``inspector`` users see denunciations and the denouncer's identity.

The password comes from DASHBOARD_PASSWORD or is asked for (never a command-line argument).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import select

from feedback_router.staff.auth import ROLES, create_user, set_password
from feedback_router.core.db import session_scope
from feedback_router.core.models import DashboardUser, Unit
from feedback_router.core.settings import get_settings
from feedback_router.staff.security_models import bump_session_version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m feedback_router.staff.users")
    sub = parser.add_subparsers(dest="cmd", required=True)
    add = sub.add_parser("add", help="create a dashboard user")
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--unit", default=None, help="unit id (required for operators)")
    for name, text in (("passwd", "change a password (revokes every session)"),
                       ("revoke", "log an account out everywhere")):
        sub.add_parser(name, help=text).add_argument("--username", required=True)
    args = parser.parse_args(argv)
    if args.cmd in ("passwd", "revoke"):
        return _change(args.cmd, args.username)
    password = get_settings().dashboard_password.get_secret_value() or getpass.getpass("Password: ")
    try:
        with session_scope() as session:
            if args.unit and session.get(Unit, args.unit) is None:
                raise ValueError(f"unknown unit {args.unit!r} (run python -m feedback_router.migrate first)")
            user = create_user(session, args.username, password, args.role, args.unit)
            print(f"created {user.role} {user.username}" + (f" ({user.unit_id})" if user.unit_id else ""))
    except Exception as exc:  # a CLI reports, it does not trace back
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _change(cmd: str, username: str) -> int:
    try:
        password = (get_settings().dashboard_password.get_secret_value() or getpass.getpass("New password: ")) \
            if cmd == "passwd" else ""
        with session_scope() as session:
            user = session.scalar(select(DashboardUser).where(DashboardUser.username == username.strip()))
            if user is None:
                raise ValueError(f"unknown user {username!r}")
            if cmd == "passwd":
                set_password(session, user, password)
            else:
                bump_session_version(session, user.id)
        print(f"{cmd}: {username}: every open session revoked")
    except Exception as exc:  # a CLI reports, it does not trace back
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
