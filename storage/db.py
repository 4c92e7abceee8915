"""Engine and session factory: one per process, created at start-up, disposed at shutdown."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.errors import DatabaseUnreachable
from storage.sqlite_inline import inline_creator

# How long a start-up check waits for the database server before saying it does not answer.
REACH_TIMEOUT = 10.0
# invalid_password, invalid_authorization_specification (no such role), invalid_catalog_name.
LOGIN_REFUSED = ("28P01", "28000")
NO_SUCH_DATABASE = "3D000"


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


async def check_reachable(url: str, timeout: float = REACH_TIMEOUT) -> None:  # noqa: ASYNC109
    """Connect once and ask a trivial query; DatabaseUnreachable says why it failed."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise DatabaseUnreachable("unreadable") from None
    where = {
        "host": parsed.host or "localhost",
        "port": str(parsed.port or 5432),
        "user": parsed.username or "",
        "database": parsed.database or "",
    }
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        where = _sqlite_file(parsed.database)
    engine = create_engine(url)
    try:
        async with asyncio.timeout(timeout), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:
        raise _unreachable(error, where, timeout) from None
    finally:
        await engine.dispose()


def _sqlite_file(database: str) -> dict[str, str]:
    """Where a SQLite file goes; DatabaseUnreachable when its folder does not exist."""
    path = Path(database).resolve()
    if not path.parent.is_dir():
        raise DatabaseUnreachable("folder_missing", folder=str(path.parent), path=str(path))
    return {"path": str(path), "folder": str(path.parent)}


def _unreachable(error: BaseException, where: dict[str, str], timeout: float) -> Exception:
    """What went wrong, from the error or the one SQLAlchemy wrapped."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, TimeoutError):
            return DatabaseUnreachable("timeout", seconds=f"{timeout:.0f}", **where)
        if isinstance(cause, socket.gaierror):
            return DatabaseUnreachable("unknown_host", **where)
        if isinstance(cause, ConnectionRefusedError):
            return DatabaseUnreachable("refused", **where)
        # PostgreSQL's own error codes, as asyncpg gives them.
        sqlstate = getattr(cause, "sqlstate", None)
        if sqlstate in LOGIN_REFUSED:
            return DatabaseUnreachable("login", **where)
        if sqlstate == NO_SUCH_DATABASE:
            return DatabaseUnreachable("no_database", **where)
        if isinstance(cause, OSError):
            return DatabaseUnreachable("unreachable", **where)
        if "path" in where and type(cause).__name__ == "OperationalError":
            return DatabaseUnreachable("cannot_open", **where)
        cause = cause.__cause__ or getattr(cause, "orig", None)
    return DatabaseUnreachable("failed", detail=type(error).__name__, **where)
