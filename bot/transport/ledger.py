"""What became of each update: handled to the end, so it is noted and leaves the inbox;
its replies sent, so their stored copy is forgotten."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update

from storage import handled, inbox

log = logging.getLogger(__name__)

UpdateObserver = Callable[[int], None]
# Finished updates are written together: one short transaction for a burst of them.
GATHER = 0.05


class UpdateLedger:
    """Notes updates handled to the end, a few at a time, off the handlers' path."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]
    ) -> None:
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._finished: set[int] = set()
        self._sent: set[int] = set()
        self._writing: asyncio.Task[None] | None = None
        # One write at a time: a write that found the sets empty while another was still
        # committing them would return before the marks were in the database.
        self._lock = asyncio.Lock()
        # Told the id of each update handled to the end: the metrics of `run`'s HTTP side,
        # and the Bot API emulator of a test running the bot in its own process.
        self.observers: list[UpdateObserver] = []

    def finished(self, update: object) -> None:
        """The update's handler returned: note it soon."""
        if not isinstance(update, Update):
            return
        self._finished.add(update.update_id)
        for observer in self.observers:
            observer(update.update_id)
        self._soon()

    def replies_sent(self, update_id: int) -> None:
        """The update's stored replies went out: forget them soon, with the others.

        A transaction of its own for each update cost a third of the transactions of a
        citizen's turn. Until written, a redelivery or the owed-replies sweep (which waits
        10 s) could send them once more, as when a process dies before the mark commits.
        """
        self._sent.add(update_id)
        self._soon()

    def _soon(self) -> None:
        if self._writing is None:
            self._writing = asyncio.create_task(self._write_soon())

    async def _write_soon(self) -> None:
        await asyncio.sleep(GATHER)
        # Updates finishing while this one writes start the next write.
        self._writing = None
        await self.write()

    async def write(self) -> None:
        """Note every finished update, and every update whose replies went out, now."""
        async with self._lock:
            await self._write()

    async def _write(self) -> None:
        ids, self._finished = self._finished, set()
        sent, self._sent = self._sent, set()
        if not ids and not sent:
            return
        try:
            async with self._sessionmaker.begin() as session:
                if ids:
                    await handled.record_finished(session, ids, self._clock())
                    await inbox.forget(session, ids)
                if sent:
                    await handled.mark_sent_many(session, sent)
        except SQLAlchemyError as error:
            # Kept for the next write; after a crash they are replayed and skipped as handled.
            log.warning("could not note %d finished updates: %s", len(ids), type(error).__name__)
            self._finished |= ids
            self._sent |= sent

    async def close(self) -> None:
        """Write what is left (at stop, before the database engine goes)."""
        writing = self._writing
        if writing is not None:
            # Waited for, not cancelled: a cancelled write would drop the updates it took.
            await writing
        await self.write()
