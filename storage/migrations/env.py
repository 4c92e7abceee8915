"""Alembic environment: runs migrations on the connection storage.migrate hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from storage.models import Base
from storage.text_search import is_search_object

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Emit SQL for the configured URL without connecting."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run on the connection given by storage.migrate (the async engine's sync side)."""
    connection: Connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite alters tables by copying them; batch mode does that for us.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # The search index's tables and indexes are made by hand (storage/text_search.py).
        include_name=lambda name, *_: not is_search_object(name),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
