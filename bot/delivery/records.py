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
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import outbox_queries as queries
from storage.outbox_queries import SentMark

log = logging.getLogger(__name__)

T = TypeVar("T")
Write = Callable[[AsyncSession], Awaitable[T]]
_Waiting = tuple[Write[Any], "asyncio.Future[Any]"]
_Mark = tuple[SentMark, "asyncio.Future[bool]"]

# Writes in one transaction at most: a long one would hold SQLite's lock from the citizens.
BATCH = 200


class Records:
    """Runs writes for many tasks, as many at a time as are waiting, in one transaction."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        batch: int = BATCH,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.batch = batch
        self._waiting: list[_Waiting] = []
        # Rows sent, marked together in one statement (the commonest write by far).
        self._marks: list[_Mark] = []
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
        self._start()
        # Shielded: a task cancelled while waiting leaves the write to finish for others.
        return await asyncio.shield(future)

    async def sent(self, mark: SentMark) -> bool:
        """Record a row sent, in the next transaction; whether it was still pending (False:
        finished already, by another dispatcher after this one's lease ran out)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._marks.append((mark, future))
        self._start()
        return await asyncio.shield(future)

    def _start(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="outbox records")

    async def _write_all(self) -> None:
        batch: list[_Waiting] = []
        marks: list[_Mark] = []
        try:
            while self._waiting or self._marks:
                batch, self._waiting = self._waiting[: self.batch], self._waiting[self.batch :]
                marks, self._marks = self._marks[: self.batch], self._marks[self.batch :]
                try:
                    results, marked = await self._together(batch, marks)
                except Exception:
                    for job, future in batch:
                        await self._alone(job, future)
                    for mark, done in marks:
                        await self._alone(partial(self._marked, [mark]), done)
                else:
                    for (_, future), result in zip(batch, results, strict=True):
                        if not future.done():
                            future.set_result(result)
                    for mark, done in marks:
                        if not done.done():
                            done.set_result(mark.row_id in marked)
        finally:
            # Cancelled with the loop: no write is left waiting for ever.
            for _, future in [*batch, *self._waiting, *marks, *self._marks]:
                future.cancel()

    async def _together(
        self, batch: list[_Waiting], marks: list[_Mark]
    ) -> tuple[list[Any], set[int]]:
        self.transactions += 1
        async with self.sessionmaker.begin() as session:
            marked = await queries.mark_sent_many(session, [m for m, _ in marks], self.clock())
            return [await job(session) for job, _ in batch], marked

    async def _marked(self, marks: list[SentMark], session: AsyncSession) -> bool:
        return bool(await queries.mark_sent_many(session, marks, self.clock()))

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
