"""Alembic environment: the URL comes from the caller's config or DATABASE_URL."""

from __future__ import annotations

from alembic import context

from feedback_router.core.config import database_url
from feedback_router.core.db import make_engine
from feedback_router.core.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or database_url()

connectable = config.attributes.get("connection")
if connectable is None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
else:
    context.configure(connection=connectable, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
