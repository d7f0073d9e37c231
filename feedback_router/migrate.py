"""Create or upgrade the database schema, then load units from data/.

Run at every start (`python -m feedback_router.migrate`): both steps are
idempotent, so a fresh machine and an upgraded one end in the same state.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from feedback_router.core.config import database_url
from feedback_router.core.db import make_engine, session_scope
from feedback_router.booking.desks import seed_days, seed_slots, sync_desks
from feedback_router.tickets.service import sync_units

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None) -> None:
    url = url or database_url()
    command.upgrade(alembic_config(url), "heads")
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            sync_units(session)
            sync_desks(session)  # booking desks point at units: after them
    finally:
        engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "revision":
        command.revision(alembic_config(database_url()), message=sys.argv[2], autogenerate=True)
    else:
        upgrade()
        with session_scope(make_engine(database_url())) as session:
            created = seed_slots(session, days=seed_days())  # the delivery worker tops it up daily
        print(f"[db] schema up to date, units and desks synced, {created} booking slots added", flush=True)
