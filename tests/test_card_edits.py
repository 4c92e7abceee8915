"""Card edits as outbox rows, against the emulator over HTTP: sent once, within Telegram's
limits, merged when a later edit makes one needless, and safe to send again."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import update

from bot.core.outgoing import Button, Outgoing, StaffQueue
from bot.sandbox.emulator import Emulator, RateLimits
from storage.models import OutboxMessage, StaffMessage
from tests.delivery_helpers import add_report, bodies, enqueue, outbox_rows
from tests.harness import Clock, Harness

StartBot = Callable[..., Awaitable[Harness]]
DONE = Button("Selesai", "r1:selesai:7264185")


@pytest.fixture
async def start_bot(emulator: Emulator, database_url: str, clock: Clock) -> AsyncIterator[StartBot]:
    """Start the bot with a staff group of its own (a forum, or not) and extra settings."""
    started: list[Harness] = []

    async def start(*, forum: bool = True, **overrides: Any) -> Harness:
        staff = emulator.add_user(first_name="Petugas")
        group = emulator.add_supergroup(
            title="Staf Pengaduan", forum=forum, members=[staff], admins=[staff]
        )
        bot = Harness(emulator, database_url, clock, group.id, overrides=overrides)
        await bot.start()
        started.append(bot)
        return bot

    yield start
    for bot in started:
        await bot.stop()


def card(text: str, *buttons: Button) -> Outgoing:
    """A card posted anew, as bot.notify.cards.card makes it."""
    return Outgoing(text=text, buttons=(buttons,) if buttons else (), link="card")


def edit(text: str, *buttons: Button) -> Outgoing:
    """An edit of the report's card, as bot.notify.cards.card_update makes it."""
    return Outgoing(text=text, buttons=(buttons,) if buttons else (), link="card", edit_card=True)


async def links(bot: Harness) -> list[tuple[int, str]]:
    async with bot.services.sessionmaker() as session:
        rows = await session.execute(
            StaffMessage.__table__.select().order_by(StaffMessage.id)  # type: ignore[attr-defined]
        )
        return [(row.message_id, row.kind) for row in rows]


async def test_an_edit_sent_again_is_not_posted_twice(harness: Harness, emulator: Emulator) -> None:
    """The dispatcher died after Telegram took the edit and before the row was marked: sent
    again, Telegram answers "message is not modified", and the row is done."""
    group = emulator.chat(harness.admin_chat_id)
    report = await add_report(harness, None)
    await enqueue(harness, [(StaffQueue("verifikasi"), card("Kartu: menunggu"))], report_id=report)
    await harness.dispatcher.drain()
    [edited] = await enqueue(
        harness, [(StaffQueue("verifikasi"), edit("Kartu: diteruskan", DONE))], report_id=report
    )
    await harness.dispatcher.drain()
    async with harness.services.sessionmaker.begin() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == edited)
            .values(state="pending", sent_at=None, message_id=None)
        )
    await harness.dispatcher.drain()

    assert bodies(emulator, group) == ["Kartu: diteruskan"]
    assert [(c.status, c.description) for c in emulator.calls("editMessageText")] == [
        (200, None),
        (
            400,
            "Bad Request: message is not modified: specified new message content and reply "
            "markup are exactly the same as a current content and reply markup of the message",
        ),
    ]
    assert len(emulator.calls("sendMessage")) == 1
    [first, again] = await outbox_rows(harness)
    assert (again.state, again.message_id) == ("sent", first.message_id)
    assert await links(harness) == [(first.message_id, "card")], "no second link"


async def test_an_edit_made_needless_by_a_later_one_is_not_sent(
    harness: Harness, emulator: Emulator
) -> None:
    """Rows written before the dispatcher came round to them: each card is edited once, to
    its last state, and a moved report's old card still gets its own edit."""
    group = emulator.chat(harness.admin_chat_id)
    report = await add_report(harness, None)
    await enqueue(harness, [(StaffQueue("verifikasi"), card("A: menunggu"))], report_id=report)
    await harness.dispatcher.drain()
    rows = await enqueue(
        harness,
        [
            (StaffQueue("verifikasi"), edit("A: ditunda")),
            (StaffQueue("verifikasi"), edit("A: pindah ke DSDABM")),
            (StaffQueue("dsdabm"), card("B: diteruskan", DONE)),
            (StaffQueue("dsdabm"), edit("B: ditindaklanjuti", DONE)),
            (StaffQueue("dsdabm"), edit("B: selesai")),
        ],
        report_id=report,
    )
    await harness.dispatcher.drain()

    verifikasi, dsdabm = (t.thread_id for t in group.topics.values())
    assert bodies(emulator, group, verifikasi) == ["A: pindah ke DSDABM"]
    assert bodies(emulator, group, dsdabm) == ["B: selesai"]
    assert len(emulator.calls("editMessageText")) == 2
    states = {row.id: (row.state, row.last_error) for row in await outbox_rows(harness)}
    assert [states[row] for row in rows] == [
        ("sent", f"superseded by row {rows[1]}"),
        ("sent", None),
        ("sent", None),
        ("sent", f"superseded by row {rows[4]}"),
        ("sent", None),
    ]


async def test_edits_share_the_groups_budget_and_stay_within_it(
    start_bot: StartBot, emulator: Emulator
) -> None:
    scale = 20
    bot = await start_bot(outbox_rate_scale=scale)
    emulator.limits = RateLimits(enabled=True, scale=scale)
    group = emulator.chat(bot.admin_chat_id)
    reports = [await add_report(bot, None, code=7264185 + n * 10) for n in range(8)]
    for report in reports:
        await enqueue(bot, [(StaffQueue("verifikasi"), card(f"{report}: baru"))], report_id=report)
    await bot.dispatcher.drain(timeout=40)
    # Each report changes three times, one after another: three edits a card.
    for step in ("ditunda", "menunggu", "diteruskan"):
        for report in reports:
            await enqueue(
                bot, [(StaffQueue("verifikasi"), edit(f"{report}: {step}"))], report_id=report
            )
            await bot.dispatcher.drain(timeout=40)

    assert bodies(emulator, group)[-8:] == [f"{report}: diteruskan" for report in reports]
    assert len(emulator.calls("editMessageText")) == 24
    assert emulator.rate_limited_count == 0, "our own limiter kept under Telegram's"
    limits = emulator.limits
    assert emulator.max_rate_observed(60 / scale, group) <= limits.per_group_burst + 20
    edits = [s for s in emulator.send_log.sends if s.method == "editMessageText"]
    assert len(edits) == 24, "the edits are counted in the group's budget"


async def test_in_a_group_without_topics_an_edit_keeps_the_hashtag(
    start_bot: StartBot, emulator: Emulator
) -> None:
    bot = await start_bot(forum=False)
    group = emulator.chat(bot.admin_chat_id)
    report = await add_report(bot, None)
    await enqueue(bot, [(StaffQueue("verifikasi"), card("Kartu 726-4185"))], report_id=report)
    await bot.dispatcher.drain()
    await enqueue(
        bot, [(StaffQueue("verifikasi"), edit("Kartu 726-4185 ditunda", DONE))], report_id=report
    )
    await bot.dispatcher.drain()

    [only] = [m for m in emulator.bot_messages(group) if not m.is_service]
    assert (only.text, only.button_labels) == ("#verifikasi\nKartu 726-4185 ditunda", ["Selesai"])


async def test_with_no_card_to_edit_the_card_is_posted(
    harness: Harness, emulator: Emulator
) -> None:
    """A card whose first post failed for good: the next change posts it."""
    group = emulator.chat(harness.admin_chat_id)
    report = await add_report(harness, None)
    [row] = await enqueue(
        harness, [(StaffQueue("dsdabm"), edit("Kartu: ditindaklanjuti", DONE))], report_id=report
    )
    await harness.dispatcher.drain()

    [posted] = [m for m in emulator.bot_messages(group) if not m.is_service]
    assert (posted.text, posted.button_labels) == ("Kartu: ditindaklanjuti", ["Selesai"])
    assert emulator.calls("editMessageText") == []
    assert await links(harness) == [(posted.message_id, "card")]
    [sent] = await outbox_rows(harness)
    assert (sent.id, sent.state, sent.message_id) == (row, "sent", posted.message_id)
