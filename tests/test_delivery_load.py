"""The dispatcher under load, through the emulator: its writes made together, and failing
chats that hold back no other."""

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


async def test_a_failing_chat_with_a_long_queue_holds_back_no_other(
    start_bot: StartBot, emulator: Emulator, clock: Clock
) -> None:
    bot = await start_bot(outbox_rate_scale=1000)
    # A claim reads 2,000 pending rows at most; here 50, so that the queue below is short.
    bot.dispatcher.claim_scan = 50
    broken, *others = await add_citizens(bot, 21)
    emulator.faults.fail_randomly(1.0, status=502, methods="sendMessage", chat_id=broken.user.id)
    # More rows queued for the failing chat than one claim reads, all before the others'.
    backlog = [f"antrean {n}" for n in range(60)]
    await enqueue(bot, [(CitizenChat(broken.reporter_id), Outgoing(text=t)) for t in backlog])
    await enqueue(bot, _notices(others))
    await bot.dispatcher.drain()

    for c in others:
        assert bodies(emulator, c.user) == [f"{c.user.id} info"], "not held back"
    rows = await outbox_rows(bot)
    first = rows[0]
    assert (first.state, first.attempts) == ("pending", 1), "backing off after one 502"
    assert first.available_at > clock.now
    assert bodies(emulator, broken.user) == []

    # The chat recovers: its whole queue arrives, once each and in order.
    emulator.faults.clear()
    clock.advance(minutes=1)
    await bot.dispatcher.drain()
    assert bodies(emulator, broken.user) == backlog
    assert {row.state for row in await outbox_rows(bot)} == {"sent"}
