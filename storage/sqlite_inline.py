"""SQLite calls made on the event loop's own thread, through aiosqlite's interface.

aiosqlite runs every call on a worker thread and wakes the loop when it is done: a
hop of about 0.1 ms plus contention for the GIL, paid four times a statement (cursor,
execute, fetch, close). A statement on a local SQLite file in WAL mode takes a few
microseconds, so with some thirty hops an update the hops cost more than the queries.
Here each call runs at once on the calling thread instead.

SQLite's own busy handler would then sleep with the whole loop stopped, while the
transaction holding the lock may be a coroutine of this very loop waiting for its turn:
so the connection has no busy timeout, and a call that finds the database locked is
tried again after an asyncio sleep, until the timeout.

Each statement first lets the loop run other tasks (a zero sleep, far cheaper than a
hop): units of work interleave statement by statement as they did with the worker, and
a long one cannot hold up every other chat.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite

FIRST_PAUSE = 0.001
LONGEST_PAUSE = 0.05
_Job = tuple["asyncio.Future[Any] | None", Callable[[], Any]]


class _RunAtOnce:
    """Stands in for aiosqlite's queue to its worker thread: runs each job when queued."""

    def put_nowait(self, job: _Job) -> None:
        future, function = job
        try:
            result = function()
        except Exception as error:
            if future is not None:
                future.set_exception(error)
            return
        if future is not None:
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run on the loop's thread, with no worker."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], timeout: float) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunAtOnce()  # type: ignore[assignment]
        self._timeout = timeout

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        if getattr(fn, "__name__", "") in ("execute", "executemany"):
            await asyncio.sleep(0)
        return await self._retried(fn, *args, **kwargs)

    async def _retried(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call, and call again while another connection holds the lock."""
        waited, pause = 0.0, FIRST_PAUSE
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as error:
                # Only a plain lock passes; a stale snapshot (SQLITE_BUSY_SNAPSHOT) never does.
                if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or waited >= self._timeout:
                    raise
            await asyncio.sleep(pause)
            waited += pause
            pause = min(pause * 2, LONGEST_PAUSE)

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        # The worker thread is never started.
        return self._connect().__await__()


def inline_creator(database: str, *, timeout: float) -> Callable[[], Any]:
    """SQLAlchemy's ``async_creator``: a new inline connection to the database file.

    `timeout` is how long a call waits for a lock held by another connection.
    """

    async def connect() -> InlineConnection:
        def connector() -> sqlite3.Connection:
            return sqlite3.connect(database, timeout=0)

        connection = InlineConnection(connector, timeout)
        await connection
        return connection

    return connect
