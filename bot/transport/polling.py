"""Long polling that loses no update when the process dies while handling it.

python-telegram-bot's Updater confirms a batch (by asking for the next) while its updates
are still being handled, so a process killed then loses them: Telegram never sends them
again. This poller keeps each batch in the database's inbox before asking for the next,
and a process starting replays what the inbox still holds; the redelivery guard skips
what had already taken effect.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import TelegramError, TimedOut

from bot.transport.context import LaporApplication
from storage import handled, inbox

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
# How long one getUpdates call waits for news (Telegram's long poll).
POLL_SECONDS = 10
# At stop, how long confirming the last batch may take before it is left to the inbox.
FINAL_CONFIRM_SECONDS = 2
LONGEST_PAUSE = 30.0


class Poller:
    """Fetches updates into the application's queue, keeping each batch first."""

    def __init__(self, application: LaporApplication, timeout: int = POLL_SECONDS) -> None:
        self._application = application
        self._timeout = timeout
        # The next update wanted; asking for it confirms every one before it.
        self._offset: int | None = None
        # Updates queued by this process (replayed or fetched) that Telegram may still send
        # again, not having had them confirmed: those are not queued twice. Not a highest
        # number: Telegram numbers afresh after a week of silence, maybe lower.
        self._unconfirmed: set[int] = set()
        # The highest update number the database held (handled or waiting) at start.
        self._known_up_to: int | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Replay the inbox, leave webhook mode, and poll in the background."""
        await self._replay()
        await self._application.bot.delete_webhook()
        self._task = asyncio.create_task(self._poll(), name="lapor-bot poller")

    async def stop(self) -> None:
        """Stop fetching and confirm what was fetched (the inbox holds it meanwhile)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        if self._offset is None:
            return
        with suppress(TelegramError, TimeoutError):
            async with asyncio.timeout(FINAL_CONFIRM_SECONDS):
                await self._application.bot.get_updates(
                    offset=self._offset, limit=1, timeout=0, allowed_updates=ALLOWED_UPDATES
                )

    async def _replay(self) -> None:
        services = self._application.bot_data.services
        async with services.sessionmaker() as session:
            bodies = await inbox.waiting(session)
            self._known_up_to = await handled.highest_update_id(session)
        for body in bodies:
            update = Update.de_json(body, self._application.bot)
            self._unconfirmed.add(update.update_id)
            await self._application.update_queue.put(update)
        if bodies:
            log.info("replaying %d updates a stopped process had not finished", len(bodies))

    async def _poll(self) -> None:
        failures = 0
        while True:
            try:
                await self._fetch()
            except TimedOut:
                continue
            except (TelegramError, SQLAlchemyError) as error:
                # Nothing fetched was queued; the same batch comes again after the pause.
                failures += 1
                pause = min(2.0 ** (failures - 1), LONGEST_PAUSE)
                log.warning("polling failed (%s); again in %.0f s", type(error).__name__, pause)
                await asyncio.sleep(pause)
            else:
                failures = 0

    async def _fetch(self) -> None:
        application = self._application
        services = application.bot_data.services
        asked = self._offset
        updates = await application.bot.get_updates(
            offset=asked,
            timeout=self._timeout,
            allowed_updates=ALLOWED_UPDATES,
        )
        if asked is not None:
            # Confirmed by this call: Telegram will not send them again.
            self._unconfirmed = {i for i in self._unconfirmed if i >= asked}
        fresh = [u for u in updates if u.update_id not in self._unconfirmed]
        if fresh:
            async with services.sessionmaker.begin() as session:
                await inbox.keep(session, [u.to_dict() for u in fresh], services.clock())
            if self._known_up_to is not None:
                # Fetched once and numbered above all the database held: never handled
                # (a number Telegram reused after a week of silence is not above it).
                application.bot_data.first_seen.update(
                    u.update_id for u in fresh if u.update_id > self._known_up_to
                )
            for update in fresh:
                await application.update_queue.put(update)
            self._unconfirmed.update(u.update_id for u in fresh)
        if updates:
            self._offset = updates[-1].update_id + 1
