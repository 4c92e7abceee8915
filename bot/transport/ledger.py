"""What became of each update: handled to the end, so it is noted and leaves the inbox."""

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
        self._writing: asyncio.Task[None] | None = None
        # Told of each update handled to the end (the metrics of `run`'s HTTP side).
        self.observer: Callable[[], None] | None = None

    def finished(self, update: object) -> None:
        """The update's handler returned: note it soon."""
        if not isinstance(update, Update):
            return
        self._finished.add(update.update_id)
        if self.observer is not None:
            self.observer()
        if self._writing is None:
            self._writing = asyncio.create_task(self._write_soon())

    async def _write_soon(self) -> None:
        await asyncio.sleep(GATHER)
        # Updates finishing while this one writes start the next write.
        self._writing = None
        await self.write()

    async def write(self) -> None:
        """Note every finished update now."""
        ids, self._finished = self._finished, set()
        if not ids:
            return
        try:
            async with self._sessionmaker.begin() as session:
                await handled.record_finished(session, ids, self._clock())
                await inbox.forget(session, ids)
        except SQLAlchemyError as error:
            # Kept for the next write; after a crash they are replayed and skipped as handled.
            log.warning("could not note %d finished updates: %s", len(ids), type(error).__name__)
            self._finished |= ids

    async def close(self) -> None:
        """Write what is left (at stop, before the database engine goes)."""
        writing = self._writing
        if writing is not None:
            # Waited for, not cancelled: a cancelled write would drop the updates it took.
            await writing
        await self.write()
