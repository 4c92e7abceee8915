"""Update numbers used again: Telegram numbers updates afresh after a week without any, and
a new emulator on an old database starts from 1. A number seen long ago is a new update.

Polling and webhook, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.sandbox.emulator import Emulator, Message, User
from storage import inbox
from storage.db import create_engine, create_sessionmaker
from tests.harness import Clock, Harness
from tests.web_harness import staffed

CONSENT = "Apakah Anda setuju?"
MENU = "1. Buat laporan"


@pytest.fixture(params=["polling", "webhook"])
async def bot(
    request: pytest.FixtureRequest, emulator: Emulator, database_url: str, clock: Clock
) -> AsyncIterator[Harness]:
    """The real application, polling or behind its webhook server."""
    webhook = staffed(emulator, database_url, clock)
    runner: Harness = (
        webhook
        if request.param == "webhook"
        else Harness(emulator, database_url, clock, webhook.admin_chat_id)
    )
    await runner.start()
    yield runner
    await runner.stop()


def texts(messages: list[Message]) -> str:
    return "\n".join(message.body for message in messages)


async def test_a_number_handled_a_week_ago_is_a_new_update(
    bot: Harness, emulator: Emulator, clock: Clock, citizen: User
) -> None:
    assert CONSENT in texts(await citizen.say("/start"))
    first = max(emulator.queue.pushed)
    # The bot is off for eight days; Telegram then numbers from where it likes.
    await bot.stop()
    clock.advance(days=8)
    emulator.number_updates_from(first)
    await bot.start()
    answer = await citizen.say("setuju")
    assert max(emulator.queue.pushed) == first
    assert MENU in texts(answer)


async def test_a_redelivery_of_a_recent_update_is_still_skipped(
    bot: Harness, emulator: Emulator, clock: Clock, citizen: User
) -> None:
    """Within Telegram's redelivery time the record still counts: no second answer."""
    await citizen.say("/start")
    first = max(emulator.queue.pushed)
    await bot.stop()
    clock.advance(hours=20)
    again = emulator.queue.resend(first)
    await bot.start()
    await emulator.wait_idle()
    assert again.handed_over
    assert len(emulator.bot_messages(citizen)) == 1


async def test_a_replayed_update_does_not_hide_new_ones_numbered_lower(
    harness: Harness, emulator: Emulator, clock: Clock, citizen: User
) -> None:
    """A process died holding update 40; after Telegram renumbered, update 1 is not
    mistaken for one the poller had already fetched."""
    await citizen.say("/start")
    first = max(emulator.queue.pushed)
    await harness.stop()
    left = {**emulator.queue.pushed[first].to_json(), "update_id": 40}
    engine = create_engine(harness.database_url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            await inbox.keep(session, [left], clock())
    finally:
        await engine.dispose()
    clock.advance(days=8)
    emulator.number_updates_from(first)
    await harness.start()
    await emulator.wait_idle()
    answer = await citizen.say("setuju")
    assert MENU in texts(answer)
