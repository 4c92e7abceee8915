"""The dispatcher under load, through the emulator with scaled limits: its writes made
together, failing chats that hold back no other, and a staff group's own limit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.core.outgoing import CitizenChat, Destination, FileSend, Outgoing, StaffQueue
from bot.delivery.dispatcher import IN_FLIGHT
from bot.sandbox.emulator import Emulator, RateLimits
from tests.delivery_helpers import Citizen, add_citizens, add_report, bodies, enqueue, outbox_rows
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
    # A span of Telegram's time, sped up with its limits: 0.25 s at most 1.5 times, a
    # thousand times faster (else a benchmark's fan-out ends in its retries' waits).
    assert first.available_at - clock.now <= timedelta(seconds=0.25 * 1.5 / 1000)
    assert bodies(emulator, broken.user) == []

    # The chat recovers: its whole queue arrives, once each and in order.
    emulator.faults.clear()
    clock.advance(minutes=1)
    await bot.dispatcher.drain()
    assert bodies(emulator, broken.user) == backlog
    assert {row.state for row in await outbox_rows(bot)} == {"sent"}


async def test_a_burst_of_cards_keeps_the_group_limit_each_card_before_its_files(
    start_bot: StartBot, emulator: Emulator
) -> None:
    scale = 60
    bot = await start_bot(outbox_rate_scale=scale)
    emulator.limits = RateLimits(enabled=True, scale=scale)
    group = emulator.chat(bot.admin_chat_id)
    photo = emulator.store.photo_sizes(2048)[-1].file_id
    citizens = await add_citizens(bot, 40)
    reports = [
        await add_report(bot, c.reporter_id, code=1000000 + n) for n, c in enumerate(citizens)
    ]
    for n, report_id in enumerate(reports):
        await enqueue(
            bot,
            [
                (StaffQueue("verifikasi"), Outgoing(text=f"Kartu {n}", link="card")),
                (
                    StaffQueue("verifikasi"),
                    Outgoing(file=FileSend("photo", photo), text=f"#{n}", under_card=True),
                ),
            ],
            report_id=report_id,
        )
    # Citizens' own notices, queued behind the whole burst.
    await enqueue(bot, _notices(citizens))
    await bot.dispatcher.drain(timeout=60)

    assert emulator.rate_limited_count == 0, "no 429"
    limits = emulator.limits
    assert emulator.max_rate_observed(60 / scale, group) <= limits.per_group_burst + 20
    messages = [m for m in emulator.bot_messages(group) if not m.is_service]
    cards = [m for m in messages if m.text and m.text.startswith("Kartu")]
    assert [m.text for m in cards] == [f"Kartu {n}" for n in range(40)], "once each, in order"
    files = [m for m in messages if m.media == "photo"]
    assert len(files) == 40
    for n, (card, file) in enumerate(zip(cards, files, strict=True)):
        assert (file.caption, file.reply_to_message_id) == (f"#{n}", card.message_id)
        assert card.message_id < file.message_id, "the card first"
    for c in citizens:
        assert bodies(emulator, c.user) == [f"{c.user.id} info"]
    # The citizens' notices did not wait for the group's 80 messages at 20 a (scaled) minute.
    citizen_times = [t for c in citizens for t in emulator.send_log.times(c.user.id)]
    group_times = emulator.send_log.times(group.id)
    assert max(citizen_times) < group_times[-1]


async def test_a_fan_out_claims_many_chats_at_a_time_not_one_per_chat_finished(
    start_bot: StartBot, emulator: Emulator
) -> None:
    scale = 3
    bot = await start_bot(outbox_rate_scale=scale)
    emulator.limits = RateLimits(enabled=True, scale=scale)
    bot.dispatcher.concurrency = 16
    citizens = await add_citizens(bot, 64)
    before = bot.dispatcher.claims
    await enqueue(bot, _notices(citizens))
    await bot.dispatcher.drain()
    for c in citizens:
        assert bodies(emulator, c.user) == [f"{c.user.id} info"]
    assert emulator.rate_limited_count == 0, "no 429"
    # Sends paced at the overall limit end one by one: claiming again at each end was a
    # transaction and a scan for every row. A claim waits for a quarter of the room.
    claims = bot.dispatcher.claims - before
    assert claims <= 1 + 64 // 4, f"{claims} claims for 64 chats"


async def test_few_calls_are_on_their_way_at_once_however_slowly_telegram_answers(
    start_bot: StartBot, emulator: Emulator
) -> None:
    bot = await start_bot(outbox_rate_scale=100)
    citizens = await add_citizens(bot, 30)
    hold = emulator.faults.hold("sendMessage")
    await enqueue(bot, _notices(citizens))
    bot.dispatcher.notify()
    await hold.wait_held(IN_FLIGHT)
    # Unanswered calls arrive all at once when the connection recovers, past Telegram's
    # burst: the others wait for answers (given time enough to have gone, had they not).
    await asyncio.sleep(0.3)
    assert hold.held == IN_FLIGHT
    hold.release()
    await bot.dispatcher.drain()
    for c in citizens:
        assert bodies(emulator, c.user) == [f"{c.user.id} info"], "each once, none lost"


async def test_a_row_backing_off_is_sent_when_its_wait_ends_not_at_the_next_poll(
    start_bot: StartBot, emulator: Emulator, clock: Clock
) -> None:
    # A tenth of Telegram's speed: the retry after a 502 waits 2.5 to 3.75 s.
    bot = await start_bot(outbox_rate_scale=0.1)
    bot.dispatcher.idle_interval = 600.0  # no poll comes in the test's time
    [citizen] = await add_citizens(bot, 1)
    emulator.faults.fail_next(1, status=502, methods="sendMessage", chat_id=citizen.user.id)
    await enqueue(bot, _notices([citizen]))
    bot.dispatcher.notify()
    for _ in range(200):
        rows = await outbox_rows(bot)
        if rows[0].attempts:
            break
        await asyncio.sleep(0.05)
    assert rows[0].attempts == 1, "the first call failed"
    clock.advance(seconds=4)  # the wait is over by the row's clock
    for _ in range(200):
        if bodies(emulator, citizen.user):
            break
        await asyncio.sleep(0.05)
    assert bodies(emulator, citizen.user) == [f"{citizen.user.id} info"]
