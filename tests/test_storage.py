"""The schema: migrations match the models on both databases; SQLite is tuned for a bot."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage import migrate
from storage.db import create_engine
from storage.models import Base
from storage.text_search import is_search_object


def _differences(connection: Connection) -> list[object]:
    # The search index is made by the migration alone (storage/text_search.py).
    options = {"include_name": lambda name, *_: not is_search_object(name)}
    context = MigrationContext.configure(connection, opts=options)
    return list(compare_metadata(context, Base.metadata))


async def test_migrations_create_exactly_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
        assert not await migrate.pending(engine)
    finally:
        await engine.dispose()


async def test_sqlite_runs_in_wal_mode_and_a_second_writer_waits(tmp_path: object) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/wal.db")
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))

        async def second_writer() -> None:
            async with engine.begin() as other:
                await other.execute(text("INSERT INTO t VALUES (2)"))

        async with engine.begin() as first:
            await first.execute(text("INSERT INTO t VALUES (1)"))
            waiting = asyncio.create_task(second_writer())
            # The second writer waits for the lock without stopping the event loop.
            await asyncio.sleep(0.2)
            assert not waiting.done()
        await waiting
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 2
    finally:
        await engine.dispose()
