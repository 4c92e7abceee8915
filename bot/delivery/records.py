"""The dispatcher's writes, made together: what each send came to, and the next claim.

Each chat's task used to record its row in a transaction of its own. On SQLite, thirty
tasks then queued for the one write lock, each trying again after a pause that doubles
up to 50 ms, so a fan-out waited on its own records and not on Telegram's limits (65
sends a second of the 300 allowed). Here one writer takes every write waiting and makes
them in one transaction (a group commit): the task that asked still waits until its own
is stored, so a chat's next row goes only after its last is recorded, as before. On
PostgreSQL it saves a commit a row.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger(__name__)

T = TypeVar("T")
Write = Callable[[AsyncSession], Awaitable[T]]
_Waiting = tuple[Write[Any], "asyncio.Future[Any]"]

# Writes in one transaction at most: a long one would hold SQLite's lock from the citizens.
BATCH = 200


class Records:
    """Runs writes for many tasks, as many at a time as are waiting, in one transaction."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], batch: int = BATCH) -> None:
        self.sessionmaker = sessionmaker
        self.batch = batch
        self._waiting: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None
        # Transactions made, for tests and the benchmark's figures.
        self.transactions = 0

    async def write(self, job: Write[T]) -> T:
        """Run `job` in the next transaction and return what it returned, once committed.

        Raises what the job raised; a job that fails is run again alone, so it fails no
        other job of its batch.
        """
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append((job, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="outbox records")
        # Shielded: a task cancelled while waiting leaves the write to finish for others.
        return await asyncio.shield(future)

    async def _write_all(self) -> None:
        batch: list[_Waiting] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[: self.batch], self._waiting[self.batch :]
                try:
                    results = await self._together(batch)
                except Exception:
                    for job, future in batch:
                        await self._alone(job, future)
                else:
                    for (_, future), result in zip(batch, results, strict=True):
                        if not future.done():
                            future.set_result(result)
        finally:
            # Cancelled with the loop: no write is left waiting for ever.
            for _, future in [*batch, *self._waiting]:
                future.cancel()

    async def _together(self, batch: list[_Waiting]) -> list[Any]:
        self.transactions += 1
        async with self.sessionmaker.begin() as session:
            return [await job(session) for job, _ in batch]

    async def _alone(self, job: Write[Any], future: asyncio.Future[Any]) -> None:
        self.transactions += 1
        try:
            async with self.sessionmaker.begin() as session:
                result = await job(session)
        except Exception as error:
            if not future.done():
                future.set_exception(error)
        else:
            if not future.done():
                future.set_result(result)
