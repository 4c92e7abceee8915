"""Engine and session factory: one per process, created at start-up, disposed at shutdown."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.sqlite_inline import inline_creator


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine, with SQLite tuned for a bot that writes on every update."""
    parsed = make_url(url)
    # A database error's text would otherwise quote the statement's values: what citizens
    # wrote, their names. Errors are logged, and logs carry no message text.
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(url, **kwargs)

    if parsed.database in (None, "", ":memory:"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
    else:
        # Calls run on the loop's thread, not aiosqlite's worker (storage/sqlite_inline.py).
        creator = inline_creator(parsed.database, timeout=30)
        engine = create_async_engine(url, async_creator=creator, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets readers proceed during a write. A second writer waits instead of failing
        # with "database is locked": on a file, the inline connection waits without stopping
        # the loop; elsewhere SQLite's busy_timeout does.
        cursor = dbapi_connection.cursor()
        if parsed.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        else:
            cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (replies are rendered then)."""
    return async_sessionmaker(engine, expire_on_commit=False)
