"""An update delivered twice (a webhook retry, a restart before the offset was confirmed)
takes effect once, and an answer lost between commit and sending is sent when it comes again.

Each test runs with the bot polling and in webhook mode, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from bot.app import build_application, build_services
from bot.core.lifecycle import Status
from bot.sandbox.emulator import Emulator, Update, User
from bot.transport.context import LaporContext
from handlers import redelivery
from storage.models import AuditEntry, HandledUpdate, OutboxMessage, TimelineEvent
from tests import factories
from tests.harness import Clock, Harness
from tests.steps import CONTENT, consent, last, texts
from tests.web_harness import Forwarder, WebhookHarness, staffed


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


async def until(emulator: Emulator, condition: Callable[[], bool]) -> None:
    """Wait for a condition the test can see (checked at each emulator event), not a time."""
    async with asyncio.timeout(10):
        while not condition():
            await emulator.activity(0.05)


async def redeliver(bot: Harness, emulator: Emulator, update_id: int) -> Update:
    """Telegram delivers an update again: at once to a webhook (a retry), and to a poller
    that restarted before confirming its offset."""
    if isinstance(bot, WebhookHarness):
        again = emulator.queue.resend(update_id)
        await until(emulator, lambda: again.confirmed_at is not None)
        return again
    await bot.stop()
    again = emulator.queue.resend(update_id)
    await bot.start()
    await until(emulator, lambda: again.fetched_at is not None)
    await emulator.wait_idle()
    return again


async def count(bot: Harness, query: object) -> int:
    async with bot.services.sessionmaker() as session:
        return int(await session.scalar(query) or 0)  # type: ignore[call-overload]


async def test_a_citizen_message_delivered_again_is_not_handled_twice(
    bot: Harness, emulator: Emulator, citizen: User
) -> None:
    await consent(citizen)
    await citizen.say("1")  # buat laporan: which classification?
    action = emulator.script.act_say(citizen, "1")  # pengaduan: what happened?
    assert "Langkah 2 dari" in last(await emulator.script.wait(action))
    before = texts(emulator.bot_messages(citizen))
    assert action.update is not None

    await redeliver(bot, emulator, action.update.update_id)

    # Handled again, the "1" would have been taken as a too-short report text.
    assert texts(emulator.bot_messages(citizen)) == before
    replies = await citizen.say(CONTENT)
    assert "Langkah 3 dari" in last(replies), "the conversation went on from the same step"
    assert await count(bot, select(func.count()).select_from(HandledUpdate)) >= 4


async def test_a_new_polled_update_is_not_looked_up_a_redelivery_is(
    bot: Harness, emulator: Emulator, citizen: User
) -> None:
    """A poller's first fetch of an update numbered above all the database held at start
    cannot have a record: the guard spares the query. A webhook's update may be a retry."""
    lookups: list[str] = []

    def listen(_c: object, _cur: object, statement: str, *_: object) -> None:
        # The guard's query (storage.handled.find): a record's columns by its number.
        if statement.lstrip().startswith("SELECT handled_updates.replies_sent"):
            lookups.append(statement)

    # On every engine: a restarted poller has an engine of its own.
    event.listen(Engine, "before_cursor_execute", listen)
    try:
        await consent(citizen)
        action = emulator.script.act_say(citizen, "1")  # buat laporan
        await emulator.script.wait(action)
        polling = not isinstance(bot, WebhookHarness)
        assert len(lookups) == (0 if polling else 3), lookups
        before = texts(emulator.bot_messages(citizen))
        assert action.update is not None

        await redeliver(bot, emulator, action.update.update_id)

        assert texts(emulator.bot_messages(citizen)) == before
        assert lookups, "the redelivered update was looked up"
    finally:
        event.remove(Engine, "before_cursor_execute", listen)


async def test_an_edit_delivered_again_gets_its_note_once(
    bot: Harness, emulator: Emulator, citizen: User
) -> None:
    await consent(citizen)
    await citizen.say("1")  # buat laporan
    said = [m for m in emulator.history(citizen) if not m.from_bot][-1]
    edit = emulator.script.act_edit(citizen, said.message_id, "2")
    assert "tidak kami baca ulang" in last(await emulator.script.wait(edit))
    before = texts(emulator.bot_messages(citizen))
    assert edit.update is not None
    update_id = edit.update.update_id
    # The note leaves no record of its own; the ledger notes the update once it finished.
    handled = select(func.count()).where(HandledUpdate.update_id == update_id)
    async with asyncio.timeout(10):
        while await count(bot, handled) == 0:  # noqa: ASYNC110 (a row, not an event, to wait for)
            await asyncio.sleep(0.05)

    await redeliver(bot, emulator, update_id)

    assert texts(emulator.bot_messages(citizen)) == before


async def test_an_answer_lost_after_commit_is_sent_when_the_update_comes_again(
    bot: Harness, emulator: Emulator, citizen: User
) -> None:
    await consent(citizen)
    await citizen.say("1")
    emulator.faults.fail_next(1, status=500, methods="sendMessage")
    action = emulator.script.act_say(citizen, "1")
    assert action.update is not None
    update_id = action.update.update_id
    if isinstance(bot, WebhookHarness):
        # Answered 500, Telegram retries by itself, and the retry sends the stored answer.
        await until(
            emulator, lambda: (update_id, 200) in [d[:2] for d in emulator.webhook.deliveries]
        )
        statuses = [status for uid, status, _ in emulator.webhook.deliveries if uid == update_id]
        assert statuses == [500, 200]
        replies = await emulator.script.wait(action)
    else:
        await emulator.wait_idle()
        assert not emulator.script.new_bot_messages(action.chat, action.after_id)
        async with bot.services.sessionmaker() as session:
            stored = await session.get(HandledUpdate, update_id)
            assert stored is not None and not stored.replies_sent and stored.replies
        await redeliver(bot, emulator, update_id)
        replies = emulator.script.new_bot_messages(action.chat, action.after_id)
    question = last(replies)
    assert "Langkah 2 dari" in question
    # Sent once, no apology asking the citizen to repeat what was already taken.
    assert texts(emulator.bot_messages(citizen)).count(question) == 1
    assert not any("gangguan" in text for text in texts(emulator.bot_messages(citizen)))
    async with bot.services.sessionmaker() as session:
        stored = await session.get(HandledUpdate, update_id)
        assert stored is not None and stored.replies_sent and stored.replies is None
    replies = await citizen.say(CONTENT)
    assert "Langkah 3 dari" in last(replies)


async def test_a_staff_press_and_command_delivered_again_take_effect_once(
    bot: Harness, emulator: Emulator, citizen: User
) -> None:
    group = emulator.chat(bot.admin_chat_id)
    verifier = emulator.add_user(first_name="Dina", username="dina_verifikator")
    emulator.add_group_member(group, verifier, admin=True)
    code = await factories.report(bot, citizen)
    [card] = [m for m in emulator.bot_messages(group) if m.button_labels]

    press = emulator.script.act_press(verifier, "Teruskan ke DSDABM", group, card.message_id)
    await emulator.script.wait(press, expect=0)
    await emulator.wait_idle(settle=0.3)
    command = emulator.script.act_say(verifier, f"/tindaklanjuti {code}", group)
    await emulator.script.wait(command, expect=0)
    await emulator.wait_idle(settle=0.3)
    seen_by_citizen = texts(emulator.bot_messages(citizen))
    outbox = await count(bot, select(func.count()).select_from(OutboxMessage))
    assert press.update is not None and command.update is not None

    await redeliver(bot, emulator, press.update.update_id)
    await redeliver(bot, emulator, command.update.update_id)
    await emulator.wait_idle(settle=0.3)

    moves = select(TimelineEvent.to_status, func.count()).group_by(TimelineEvent.to_status)
    async with bot.services.sessionmaker() as session:
        events = {status: int(n) for status, n in await session.execute(moves)}
    assert events[Status.DITERUSKAN] == 1 and events[Status.DITINDAKLANJUTI] == 1
    audited = select(func.count()).select_from(AuditEntry).where(AuditEntry.allowed)
    assert await count(bot, audited) == 2
    assert await count(bot, select(func.count()).select_from(OutboxMessage)) == outbox
    assert texts(emulator.bot_messages(citizen)) == seen_by_citizen


async def test_records_of_handled_updates_are_forgotten_after_a_few_days(
    bot: Harness, emulator: Emulator, citizen: User, clock: Clock
) -> None:
    await consent(citizen)
    handled = select(func.count()).select_from(HandledUpdate)
    assert await count(bot, handled) == 2
    clock.advance(days=4)
    await citizen.say("bantuan")
    assert bot.application is not None and bot.application.job_queue is not None
    [job] = [j for j in bot.application.job_queue.jobs() if j.name == "prune_handled"]
    await job.run(bot.application)
    assert await count(bot, handled) == 1, "the two old records went, today's stays"


async def test_one_update_reaching_two_processes_at_once_takes_effect_once(
    emulator: Emulator, database_url: str, clock: Clock, citizen: User
) -> None:
    """A retry racing the first delivery: a forwarder hands every update to both bots."""
    first = staffed(emulator, database_url, clock)
    second = WebhookHarness(emulator, database_url, clock, first.admin_chat_id)
    forwarder = Forwarder([first.url, second.url], mode="both")
    first.public_url = second.public_url = forwarder.url
    await forwarder.start()
    await first.start()
    await second.start()
    try:
        await consent(citizen)
        await citizen.say("1")
        await citizen.say("1")
        await citizen.say(CONTENT)
        seen = texts(emulator.bot_messages(citizen))
    finally:
        await second.stop()
        await first.stop()
        await forwarder.stop()
    assert len(forwarder.statuses) >= 10, "each of the five updates reached both processes"
    # Every answer once, in order: consent, menu, classification, content, category.
    assert len(seen) == len(set(seen)), seen
    assert "Langkah 3 dari" in seen[-1]


async def test_an_answer_owed_when_the_update_never_comes_again_is_swept_out_once(
    harness: Harness, emulator: Emulator, citizen: User, clock: Clock
) -> None:
    """A poller confirms offsets while it still handles updates, so a crash may leave an
    answer owed that no redelivery brings back: every process's sweep looks for overdue
    answers, and exactly one of them sends it."""
    await consent(citizen)
    await citizen.say("1")
    emulator.faults.fail_next(1, status=500, methods="sendMessage")
    action = emulator.script.act_say(citizen, "1")
    await emulator.wait_idle()
    assert not emulator.script.new_bot_messages(action.chat, action.after_id)
    # A second process on the same database, whose sweep races the first one's.
    settings = harness.settings()
    other = build_application(settings, build_services(settings, clock=clock))
    await other.initialize()
    assert harness.application is not None
    contexts = [LaporContext(app) for app in (harness.application, other)]
    try:
        clock.advance(seconds=5)
        await asyncio.gather(*(redelivery.send_owed_replies(c) for c in contexts))
        assert not emulator.script.new_bot_messages(action.chat, action.after_id), "not yet due"
        clock.advance(seconds=6)
        await asyncio.gather(*(redelivery.send_owed_replies(c) for c in contexts))
    finally:
        await other.shutdown()
    replies = emulator.script.new_bot_messages(action.chat, action.after_id)
    assert len(replies) == 1 and "Langkah 2 dari" in texts(replies)[0], texts(replies)
    assert "Langkah 3 dari" in last(await citizen.say(CONTENT))


async def test_an_owed_answer_redelivered_at_restart_is_not_also_swept_out(
    harness: Harness, emulator: Emulator, citizen: User, clock: Clock
) -> None:
    """A restart brings back an unconfirmed update while the sweep finds its answer overdue:
    the one that claims it first sends it, the other leaves it."""
    await consent(citizen)
    await citizen.say("1")
    emulator.faults.fail_next(1, status=500, methods="sendMessage")
    action = emulator.script.act_say(citizen, "1")
    assert action.update is not None
    await emulator.wait_idle()
    assert not emulator.script.new_bot_messages(action.chat, action.after_id)
    clock.advance(seconds=11)
    # The redelivery's answer is parked in Telegram while the sweep runs.
    hold = emulator.faults.hold("sendMessage", chat_id=citizen.id)
    await harness.stop()
    emulator.queue.resend(action.update.update_id)
    await harness.start()
    await hold.wait_held(1)
    assert harness.application is not None
    sweep = asyncio.create_task(redelivery.send_owed_replies(LaporContext(harness.application)))
    await asyncio.sleep(0)
    hold.release()
    await sweep
    await emulator.wait_idle()
    replies = texts(emulator.script.new_bot_messages(action.chat, action.after_id))
    assert sum("Langkah 2 dari" in text for text in replies) == 1, replies
