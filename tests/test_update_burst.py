"""Many citizens writing at the same moment: an operator who sets CONCURRENT_UPDATES to fit
the database pool gets updates handled that many at a time, none waiting for a connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event
from sqlalchemy.pool import QueuePool

from bot.sandbox.emulator import Emulator
from tests.harness import Clock, Harness
from tests.steps import texts


@pytest.fixture
async def started(emulator: Emulator, database_url: str, clock: Clock) -> AsyncIterator[Harness]:
    bot = Harness(
        emulator, database_url, clock, admin_chat_id=-1001, overrides={"concurrent_updates": 8}
    )
    await bot.start()
    yield bot
    await bot.stop()


async def test_a_burst_of_citizens_never_waits_for_a_database_connection(
    started: Harness, emulator: Emulator
) -> None:
    engine = started.services.engine.sync_engine
    pool = engine.pool
    assert isinstance(pool, QueuePool)
    most = pool.size() + pool._max_overflow  # 15: SQLAlchemy's 5 and 10 more
    peak: list[int] = [0]

    def checked_out(*_: object) -> None:
        peak[0] = max(peak[0], pool.checkedout())

    citizens = [emulator.add_user(first_name=f"Warga {n}") for n in range(60)]
    event.listen(engine, "checkout", checked_out)
    try:
        answers = await asyncio.gather(*(citizen.say("/start") for citizen in citizens))
    finally:
        event.remove(engine, "checkout", checked_out)
    assert all(texts(answer) for answer in answers), "every citizen was answered"
    # Each update in its turn holds a connection: handled all at once (256, the default),
    # they took the whole pool and the rest queued for one.
    assert peak[0] < most, f"all {most} connections were taken"
    # Beside the updates': the dispatcher's, the ledger's and a job's at most.
    assert peak[0] <= started.services.settings.concurrent_updates + 4, peak[0]
