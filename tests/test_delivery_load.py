"""The dispatcher under load, through the emulator: its writes made together."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import event

from bot.core.outgoing import CitizenChat, Destination, Outgoing
from bot.sandbox.emulator import Emulator
from tests.delivery_helpers import Citizen, add_citizens, bodies, enqueue, outbox_rows
from tests.harness import Clock, Harness

StartBot = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def start_bot(emulator: Emulator, database_url: str, clock: Clock) -> AsyncIterator[StartBot]:
    """Start the bot with a staff group of its own and extra settings."""
    started: list[Harness] = []

    async def start(**overrides: Any) -> Harness:
        staff = emulator.add_user(first_name="Petugas")
        group = emulator.add_supergroup(
            title="Staf Pengaduan", forum=True, members=[staff], admins=[staff]
        )
        bot = Harness(emulator, database_url, clock, group.id, overrides=overrides)
        await bot.start()
        started.append(bot)
        return bot

    yield start
    for bot in started:
        await bot.stop()


def _notices(citizens: list[Citizen]) -> list[tuple[Destination, Outgoing]]:
    return [(CitizenChat(c.reporter_id), Outgoing(text=f"{c.user.id} info")) for c in citizens]


async def test_the_records_of_many_sends_are_written_together(
    start_bot: StartBot, emulator: Emulator
) -> None:
    bot = await start_bot(outbox_rate_scale=100)
    citizens = await add_citizens(bot, 60)
    commits: list[int] = []
    engine = bot.services.engine.sync_engine

    def counted(_connection: object) -> None:
        commits.append(1)

    event.listen(engine, "commit", counted)
    try:
        await enqueue(bot, _notices(citizens))
        await bot.dispatcher.drain()
    finally:
        event.remove(engine, "commit", counted)
    assert {row.state for row in await outbox_rows(bot)} == {"sent"}
    for c in citizens:
        assert bodies(emulator, c.user) == [f"{c.user.id} info"]
    # One transaction a row would be 60 and more; sends finishing together share one.
    assert len(commits) <= 20, f"{len(commits)} transactions for 60 rows"
