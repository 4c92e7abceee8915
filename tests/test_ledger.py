"""The update ledger: what it says is written is in the database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Update

from bot.transport.ledger import UpdateLedger
from storage import handled
from storage.db import create_engine, create_sessionmaker
from storage.models import HandledUpdate

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


async def test_a_write_returns_only_once_a_write_in_flight_has_committed(
    database_url: str,
) -> None:
    # The emulator's waits write the ledger and then let the test read the database; a
    # write that found nothing left to take returned while the marks were uncommitted.
    engine = create_engine(database_url)
    sessionmaker = create_sessionmaker(engine)
    ledger = UpdateLedger(sessionmaker, lambda: NOW)
    try:
        async with sessionmaker() as blocker:
            # A transaction writing the same row holds the ledger's first write back.
            await handled.record_finished(blocker, [41], NOW)
            await blocker.flush()
            ledger.finished(Update(update_id=41))
            first = asyncio.create_task(ledger.write())
            await asyncio.sleep(0.3)
            second = asyncio.create_task(ledger.write())
            await asyncio.sleep(0.3)
            assert not first.done()
            assert not second.done(), "returned while the first write had not committed"
            await blocker.rollback()
        await asyncio.wait_for(second, 10)
        async with sessionmaker() as session:
            assert await session.get(HandledUpdate, 41) is not None
        await first
    finally:
        await ledger.close()
        await engine.dispose()
