"""Starting and stopping the bot the same way in every mode (polling, webhook, sandbox)."""

from __future__ import annotations

import asyncio
import gc
import signal
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext

from bot.transport.context import LaporApplication
from bot.transport.polling import POLL_SECONDS, Poller


async def start_application(application: LaporApplication, *, poll_seconds: int | None) -> None:
    """Start the bot and its hooks (the dispatcher); poll when `poll_seconds` is given."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    if poll_seconds is not None:
        poller = Poller(application, poll_seconds)
        await poller.start()
        application.bot_data.poller = poller


async def stop_application(application: LaporApplication) -> None:
    """Stop fetching, finish what was fetched, note it, then stop the rest."""
    bot_data = application.bot_data
    if bot_data.poller is not None:
        await bot_data.poller.stop()
        bot_data.poller = None
    if application.running:
        # Waits for every queued update to be handled.
        await application.stop()
    await bot_data.ledger.close()
    if application.post_stop is not None:
        await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


# The youngest generation is collected after this many new container objects, not
# Python's 700: an update makes thousands (python-telegram-bot's objects, the ORM's), so at
# 700 the collector ran several times an update and walked objects of turns still in hand,
# promoting them to be walked again in older generations.
YOUNG_COLLECTION_EVERY = 20_000


def settle_memory() -> None:
    """Once started, set aside what lives as long as the process (modules, catalogues, the
    agencies file, the application) so the collector stops walking it: each full
    collection walked all of it again, some 1.7 s of a benchmark run's CPU. Then collect
    the young less often (YOUNG_COLLECTION_EVERY)."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, older, oldest)


@asynccontextmanager
async def polling(
    application: LaporApplication, poll_seconds: int = POLL_SECONDS
) -> AsyncIterator[LaporApplication]:
    """The bot polling while the block runs."""
    await start_application(application, poll_seconds=poll_seconds)
    try:
        yield application
    finally:
        await stop_application(application)


def run_until_signalled(
    application: LaporApplication,
    alongside: AbstractAsyncContextManager[object] | None = None,
) -> None:
    """Poll until SIGINT or SIGTERM (the `lapor-bot run` command).

    `alongside` runs while the bot polls, in the same loop: the HTTP side, when an address
    is set. It starts first (its metrics observe the dispatcher from its start) and stops
    last; /healthz says 503 until the bot runs.
    """

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        async with alongside or nullcontext(), polling(application):
            settle_memory()
            await stop.wait()

    asyncio.run(run())
