"""Schema migrations with Alembic, driven from code (`lapor-bot db upgrade`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The advisory lock PostgreSQL migrations hold ("lapor" in ASCII).
LOCK = {"key": 0x6C61706F72}


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our migrations, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database to `revision` (the newest by default).

    Processes starting together on one database take turns: the first migrates, the
    others then find nothing to do.
    """

    def _run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    async with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            async with connection.begin():
                # Held until this transaction ends; PostgreSQL's DDL is transactional.
                await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), LOCK)
                await connection.run_sync(_run)
            return
        # Batch mode alters a SQLite table by copying it and dropping the old one; with
        # foreign keys on, that drop would unlink or delete every row referring to it.
        await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        await connection.commit()
        try:
            async with connection.begin():
                # Takes the write lock first, so a second process waits for the first.
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
                await connection.run_sync(_run)
                broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if broken:
                    raise RuntimeError(f"migration left {len(broken)} dangling references")
        finally:
            await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            await connection.commit()


async def upgrade_url(url: str) -> None:
    """Bring the database at `url` to the newest revision."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def pending(engine: AsyncEngine) -> bool:
    """True when the database is behind the newest migration."""

    def _current(connection: Connection) -> set[str]:
        return set(MigrationContext.configure(connection).get_current_heads())

    async with engine.connect() as connection:
        current = await connection.run_sync(_current)
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    return current != heads
