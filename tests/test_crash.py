"""Crash safety: the real `lapor-bot run` process killed with SIGKILL at precise points.

Each test starts the real process against the emulator, drives people through it, parks
one Bot API call in the emulator (a hold) so that the kill lands exactly where it should,
kills the process, starts it again, and checks that no report is lost or doubled, no
answer or notification is lost (at least once: duplicates are counted and named), and
that drafts continue. Each prints its line of the crash-test matrix (run with -s).
"""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from time import monotonic
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlalchemy.ext.asyncio.session import AsyncSession
from telegram import Bot
from telegram.error import NetworkError

from bot.core.intake.steps import Step
from bot.core.lifecycle import Status
from bot.core.tracking import format_code
from bot.delivery import leases
from bot.sandbox.emulator import Chat, Emulator, Message, RateLimits, User
from bot.sandbox.emulator.scripted import ScriptedAction
from storage.db import create_engine, create_sessionmaker
from storage.models import Draft, OutboxMessage, Report
from tests.harness import TOKEN
from tests.processes import BotProcess
from tests.steps import CONTENT, code_in, consent, texts, to_step

LOCATION = "Jalan Braga nomor 12, RT 3 RW 5"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
# Long enough for a restart and a redelivery on a loaded two-core machine.
WAIT = 20.0


def jakarta_today() -> date:
    """Today where the bot counts dates (BOT_TIMEZONE's default)."""
    return datetime.now(ZoneInfo("Asia/Jakarta")).date()


def asks(step: Step) -> str:
    """How the question of a filing step begins."""
    return f"Langkah {step.number} dari 8."


@dataclass
class World:
    """The emulator, the real bot process, its database and the staff group."""

    emulator: Emulator
    bot: BotProcess
    engine: AsyncEngine
    db: async_sessionmaker[AsyncSession]
    group: Chat
    verifier: User

    async def reports(self) -> list[Report]:
        async with self.db() as session:
            return list(await session.scalars(select(Report).order_by(Report.id)))

    async def draft(self) -> Draft | None:
        async with self.db() as session:
            drafts = list(await session.scalars(select(Draft)))
        assert len(drafts) <= 1
        return drafts[0] if drafts else None

    async def outbox(self) -> list[OutboxMessage]:
        async with self.db() as session:
            return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))

    async def unsent(self) -> int:
        async with self.db() as session:
            query = select(func.count()).where(OutboxMessage.state != "sent")
            return int(await session.scalar(query.select_from(OutboxMessage)) or 0)


@pytest.fixture
async def world(emulator: Emulator, database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    verifier = emulator.add_user(first_name="Dina", username="dina_verifikator")
    group = emulator.add_supergroup(
        title="Staf Pengaduan", forum=True, members=[verifier], admins=[verifier]
    )
    bot = BotProcess(emulator, database_url, group.id, tmp_path / "bot")
    engine = create_engine(database_url)
    try:
        yield World(emulator, bot, engine, create_sessionmaker(engine), group, verifier)
    finally:
        await bot.kill()
        await engine.dispose()


async def until(
    check: Callable[[], bool | Awaitable[bool]], what: str, within: float = WAIT
) -> None:
    """Wait for a condition (a message, a row), never for a fixed time."""
    deadline = monotonic() + within
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {what}")
        await asyncio.sleep(0.05)


def bot_messages_after(emulator: Emulator, chat: Chat | User, mark: int) -> list[Message]:
    return [m for m in emulator.bot_messages(chat) if m.message_id > mark]


def last_id(emulator: Emulator, chat: Chat | User) -> int:
    history = emulator.history(chat)
    return history[-1].message_id if history else 0


def _signature(message: Message) -> tuple[object, ...]:
    return (
        message.thread_id,
        message.media,
        message.file_id,
        message.source,
        message.reply_to_message_id,
    )


async def delivered(world: World) -> dict[str, int]:
    """Every outbox row reached its chat at least once; the extra copies, by row.

    A row's message is the one the dispatcher recorded; a copy is any other bot message
    in that chat with the same place, text, file and reply that no row recorded. An edited
    card says what the last row to touch it says; an edit made needless by a later one
    touched none.
    """
    await until(lambda: _all_sent(world), "every outbox row sent")
    duplicates: dict[str, int] = {}
    rows = await world.outbox()
    last_of = {(row.chat_id, row.message_id): row.id for row in rows}
    for row in rows:
        if row.payload.get("edit_card") and row.message_id is None:
            assert (row.last_error or "").startswith("superseded by row"), row.last_error
            continue
        assert row.chat_id is not None and row.message_id is not None
        message = world.emulator.message(row.chat_id, row.message_id)
        assert message.from_bot and not message.deleted
        if last_of[(row.chat_id, row.message_id)] != row.id:
            continue  # a card edited again since
        assert message.source == row.payload["text"], (row.purpose, message.source)
        copies = [
            m
            for m in world.emulator.bot_messages(row.chat_id)
            if _signature(m) == _signature(message)
            and (m is message or (row.chat_id, m.message_id) not in last_of)
        ]
        if len(copies) > 1:
            duplicates[f"row {row.id} ({row.purpose})"] = len(copies) - 1
    return duplicates


async def _all_sent(world: World) -> bool:
    return await world.unsent() == 0


def matrix(where: str, checked: str, duplicates: dict[str, int] | int) -> None:
    """One line of the crash-test matrix (shown with pytest -s)."""
    count = duplicates if isinstance(duplicates, int) else sum(duplicates.values())
    detail = "" if isinstance(duplicates, int) or not duplicates else f" {duplicates}"
    print(f"\nCRASH | {where} | {checked} | pass | duplicates: {count}{detail}")


async def test_a_held_call_goes_through_or_is_dropped_when_released() -> None:
    """The emulator's hold, which the crash tests below kill the bot behind."""
    async with Emulator(bot_token=TOKEN, limits=RateLimits(enabled=False)) as emulator:
        siti = emulator.add_user("Siti")
        budi = emulator.add_user("Budi")
        hold = emulator.faults.hold("sendMessage", chat_id=siti.id, after=1)
        async with Bot(TOKEN, base_url=emulator.base_url) as bot:
            await bot.send_message(siti.id, "lewat")
            parked = asyncio.create_task(bot.send_message(siti.id, "ditahan"))
            await hold.wait_held(1)
            await bot.send_message(budi.id, "chat lain tidak tertahan")
            assert texts(emulator.history(siti)) == ["lewat"]
            hold.release()
            await parked
            assert texts(emulator.history(siti)) == ["lewat", "ditahan"]
            # The same through the control API, for a bot in another process.
            async with aiohttp.ClientSession() as http:
                url = f"{emulator.control_url}/holds"
                async with http.post(url, json={"methods": ["sendMessage"]}) as response:
                    assert response.status == 201
                    created = await response.json()
                parked = asyncio.create_task(bot.send_message(siti.id, "hilang"))
                await emulator.faults.holds[created["id"]].wait_held(1)
                async with http.get(url) as response:
                    assert [h["held"] for h in await response.json()] == [1]
                release = f"{url}/{created['id']}/release"
                async with http.post(release, json={"deliver": False}) as response:
                    assert (await response.json())["released"]
            with pytest.raises(NetworkError, match="Bad Gateway"):
                await parked
            assert texts(emulator.history(siti)) == ["lewat", "ditahan"]


async def test_killed_mid_conversation_the_draft_continues(world: World, citizen: User) -> None:
    bot = world.bot
    await bot.start()
    await consent(citizen)
    assert asks(Step.LOKASI) in texts(await to_step(citizen, 4))[-1]
    draft = await world.draft()
    assert draft is not None and draft.step == Step.LOKASI
    await bot.kill()

    await bot.start()
    assert asks(Step.TANGGAL) in texts(await citizen.say(LOCATION, timeout=WAIT))[-1]
    for answer, step in (("kemarin", Step.LAMPIRAN), ("lewati", Step.PRIVASI)):
        assert asks(step) in texts(await citizen.say(answer))[-1]
    review = "\n".join(texts(await citizen.say("2")))
    assert asks(Step.PERIKSA) in review
    assert f"Isi laporan Anda: \u2068{CONTENT}\u2069" in review
    assert f"Lokasi: \u2068{LOCATION}\u2069." in review
    code = code_in(await citizen.say("1"))

    [report] = await world.reports()
    today = jakarta_today()
    assert (report.code, report.content, report.location_text) == (code, CONTENT, LOCATION)
    assert report.incident_date == today - timedelta(days=1)
    assert report.anonymous and report.status is Status.MENUNGGU_VERIFIKASI
    assert await world.draft() is None
    duplicates = await delivered(world)
    assert duplicates == {}
    matrix(
        "mid-conversation, draft at step 4 (lokasi), idle",
        "draft continues at step 4; steps 1-3 answers in the report; one report",
        duplicates,
    )


async def test_killed_after_kirim_committed_before_the_answer_was_sent(
    world: World, citizen: User
) -> None:
    emulator, bot = world.emulator, world.bot
    await bot.start()
    await consent(citizen)
    assert asks(Step.PERIKSA) in texts(await to_step(citizen, 8))[-1]
    hold = emulator.faults.hold("sendMessage", chat_id=citizen.id)
    kirim = emulator.script.act_say(citizen, "1")
    await hold.wait_held(1, timeout=WAIT)
    # The answer is sent after the commit: the report is already stored.
    [report] = await world.reports()
    assert kirim.update is not None
    update = kirim.update
    await until(lambda: update.confirmed_at is not None, "PTB confirms the update")
    await bot.kill()
    hold.release(deliver=False)
    assert bot_messages_after(emulator, citizen, kirim.after_id) == []

    await bot.start()
    confirmation = f"Laporan terkirim dengan kode {format_code(report.code)}"
    await until(
        lambda: any(confirmation in t for t in answers_since(emulator, citizen, kirim.after_id)),
        "the citizen gets the answer with the code after the restart",
    )
    menu = await citizen.say("menu")
    assert "Apa yang bisa kami bantu" in texts(menu)[-1]
    assert [r.code for r in await world.reports()] == [report.code]
    said = answers_since(emulator, citizen, kirim.after_id)
    answers = sum(confirmation in t for t in said)
    assert answers == 1, said
    duplicates = await delivered(world)
    assert duplicates == {}
    matrix(
        "submission: 'kirim' committed, its answer held and dropped, offset confirmed",
        "one report; the answer with its code arrives after restart; menu works",
        duplicates,
    )


def answers_since(emulator: Emulator, citizen: User, mark: int) -> list[str]:
    return texts(bot_messages_after(emulator, citizen, mark))


async def test_an_update_handled_but_not_confirmed_is_handled_once_after_restart(
    world: World, citizen: User
) -> None:
    emulator, bot = world.emulator, world.bot
    await bot.start()
    await consent(citizen)
    asked = texts(await to_step(citizen, 4))[-1]
    assert asks(Step.LOKASI) in asked

    # 1. The answer to step 4 is handled and answered; the poll confirming it never returns.
    answer = emulator.script.act_say(citizen, LOCATION)
    assert answer.update is not None
    confirming = emulator.faults.hold("getUpdates", min_offset=answer.update.update_id + 1)
    first = await emulator.script.wait(answer)
    assert asks(Step.TANGGAL) in texts(first)[-1]
    await confirming.wait_held(1, timeout=WAIT)
    await bot.kill()
    confirming.release(deliver=False)
    assert answer.update in emulator.pending_updates
    mark = last_id(emulator, citizen)

    await bot.start()
    emulator.script.act_say(citizen, "kemarin")
    await until(
        lambda: any(asks(Step.LAMPIRAN) in t for t in answers_since(emulator, citizen, mark)),
        "the answer to the message after the restart",
    )
    # Only the answer to "kemarin", and perhaps the step 4 answer again (at least once).
    after = answers_since(emulator, citizen, mark)
    repeated = [t for t in after if t in texts(first)]
    rest = [t for t in after if t not in texts(first)]
    assert len(rest) == 2 and asks(Step.LAMPIRAN) in rest[1], after
    assert rest[0].startswith("Kami catat tanggal"), after
    draft = await world.draft()
    assert draft is not None and draft.step == Step.LAMPIRAN

    # 2. "kirim" is handled and answered; the poll confirming it never returns.
    assert asks(Step.PRIVASI) in texts(await citizen.say("lewati"))[-1]
    assert asks(Step.PERIKSA) in texts(await citizen.say("2"))[-1]
    kirim = emulator.script.act_say(citizen, "1")
    assert kirim.update is not None
    confirming = emulator.faults.hold("getUpdates", min_offset=kirim.update.update_id + 1)
    answered = await emulator.script.wait(kirim)
    submitted, code = texts(answered), code_in(answered)
    await confirming.wait_held(1, timeout=WAIT)
    await bot.kill()
    confirming.release(deliver=False)
    assert kirim.update in emulator.pending_updates
    mark = last_id(emulator, citizen)

    await bot.start()
    emulator.script.act_say(citizen, "menu")
    await until(
        lambda: any(
            "Apa yang bisa kami bantu" in t for t in answers_since(emulator, citizen, mark)
        ),
        "the menu after the restart",
    )
    after = answers_since(emulator, citizen, mark)
    rest = [t for t in after if t not in submitted]
    assert len(rest) == 1 and "Apa yang bisa kami bantu" in rest[0], after
    [report] = await world.reports()
    assert report.code == code and report.location_text == LOCATION
    assert await world.draft() is None
    repeated += [t for t in after if t in submitted]
    duplicates = await delivered(world)
    assert duplicates == {}
    matrix(
        "after handling, before the offset was confirmed (step 4 answer; 'kirim')",
        "update redelivered and handled once: no date error, no second draft or report",
        {"answers repeated to the citizen": len(repeated)} if repeated else 0,
    )


async def test_killed_during_notification_dispatch_every_notification_arrives(
    world: World, citizen: User
) -> None:
    emulator, bot, group = world.emulator, world.bot, world.group
    await bot.start()
    await consent(citizen)
    assert asks(Step.LAMPIRAN) in texts(await to_step(citizen, 6))[-1]
    for _ in range(3):
        await citizen.send_photo()
    await citizen.say("selesai")
    assert asks(Step.PERIKSA) in texts(await citizen.say("2"))[-1]
    code = code_in(await citizen.say("1"))
    await until(lambda: _all_sent(world), "the card and its three photos sent")
    sent_before = len(await world.outbox())
    cards = [m for m in emulator.bot_messages(group) if format_code(code) in m.body]
    verifikasi = cards[0].thread_id

    # Forwarding fans out: the citizen's notice, the card in Verifikasi edited to say where
    # it went, the card and the three photos in the agency's topic, and the answer to the
    # command. Telegram accepts the first photo; the second is in flight when the bot dies
    # (Telegram gets it: at-least-once makes it a duplicate); the citizen's notice never
    # reaches Telegram.
    photos = emulator.faults.hold("sendPhoto", chat_id=group.id, after=1)
    notice = emulator.faults.hold("sendMessage", chat_id=citizen.id)
    command = f"/teruskan {format_code(code)} dishub"
    emulator.script.act_say(world.verifier, command, group, verifikasi)
    await photos.wait_held(1, timeout=WAIT)
    await notice.wait_held(1, timeout=WAIT)
    await bot.kill()
    photos.release(deliver=True)
    notice.release(deliver=False)
    rows = await world.outbox()
    pending = [row.purpose for row in rows if row.state != "sent"]
    assert len(rows) - sent_before == 7
    assert sorted(pending) == ["attachment", "attachment", "notice", "staff_prompt"]

    await bot.start()
    duplicates = await delivered(world)
    [report] = await world.reports()
    assert report.status is Status.DITERUSKAN and report.agency == "dishub"
    assert "Diteruskan ke Dinas Perhubungan" in texts(emulator.bot_messages(citizen))[-1]
    [(which, copies)] = duplicates.items()
    assert "attachment" in which and copies == 1
    matrix(
        "notification dispatch: 7 rows, 3 sent, 1 photo in flight, notice dropped",
        "every row sent and in its chat; only the in-flight photo doubled",
        duplicates,
    )


async def test_killed_while_a_card_is_edited_the_card_is_edited_once(
    world: World, citizen: User
) -> None:
    emulator, bot, group = world.emulator, world.bot, world.group
    await bot.start()
    code = await filed(world, citizen)
    [card] = [m for m in emulator.bot_messages(group) if format_code(code) in m.body]
    calls_before = len(emulator.calls("editMessageText"))

    # A hold: the card's edit reaches Telegram, which applies it, but the bot dies before
    # it hears back; the row is still pending when it starts again.
    editing = emulator.faults.hold("editMessageText", chat_id=group.id)
    command = f"/tunda {format_code(code)} Di depan rumah nomor berapa lubangnya?"
    emulator.script.act_say(world.verifier, command, group, card.thread_id)
    await editing.wait_held(1, timeout=WAIT)
    await bot.kill()
    editing.release(deliver=True)
    await until(lambda: "Ditunda" in (card.text or ""), "Telegram applied the edit")
    [row] = [r for r in await world.outbox() if r.payload.get("edit_card")]
    assert row.state == "pending"

    await bot.start()
    duplicates = await delivered(world)
    assert duplicates == {}
    cards = [
        m
        for m in emulator.bot_messages(group)
        if m.body.startswith(f"Laporan {format_code(code)}, ")
    ]
    assert cards == [card], "the card was not posted again"
    assert "Status: Ditunda, menunggu keterangan pelapor." in (card.text or "")
    again = emulator.calls("editMessageText")[calls_before + 1 :]
    assert [c.description for c in again] == [NOT_MODIFIED], "sent again, taken as done"
    matrix(
        "card edit in flight (its editMessageText parked, then applied by Telegram)",
        "edit sent again after the restart: 'not modified', taken as done; no second card",
        duplicates,
    )


async def filed(world: World, citizen: User) -> int:
    """A report filed to the end, its card in the staff group; its code."""
    await consent(citizen)
    assert asks(Step.PERIKSA) in texts(await to_step(citizen, 8))[-1]
    code = code_in(await citizen.say("1"))
    await until(lambda: _all_sent(world), "the card sent")
    return code


async def test_killed_while_handling_a_staff_press_the_press_takes_effect_after_restart(
    world: World, citizen: User
) -> None:
    emulator, bot, group = world.emulator, world.bot, world.group
    await bot.start()
    code = await filed(world, citizen)
    card = next(m for m in emulator.bot_messages(group) if format_code(code) in m.body)
    rows = card.raw["reply_markup"]["inline_keyboard"]
    label = next(b["text"] for row in rows for b in row if b["text"].startswith("Teruskan ke"))

    # The handler asks Telegram whether the presser is an administrator; that call is parked
    # until the process is dead, and the poller has meanwhile asked for the next updates.
    asking = emulator.faults.hold("getChatMember", chat_id=group.id)
    press = emulator.script.act_press(world.verifier, label, group, card.message_id)
    assert press.update is not None
    update = press.update
    await asking.wait_held(1, timeout=WAIT)
    await until(lambda: update.confirmed_at is not None, "the press confirmed to Telegram")
    await bot.kill()
    asking.release(deliver=False)
    [report] = await world.reports()
    assert report.status is Status.MENUNGGU_VERIFIKASI
    assert update not in emulator.pending_updates, "Telegram will not send the press again"

    await bot.start()

    async def forwarded() -> bool:
        [report] = await world.reports()
        return report.status is Status.DITERUSKAN

    await until(forwarded, "the press takes effect after the restart")
    duplicates = await delivered(world)
    assert duplicates == {}
    notices = [t for t in texts(emulator.bot_messages(citizen)) if "Diteruskan ke" in t]
    assert len(notices) == 1, notices
    answers = [a for a in emulator.callback_answers if a.callback_query_id == press_id(press)]
    assert len(answers) == 1, "the press is answered once"
    matrix(
        "staff press mid-handling (its getChatMember parked), offset confirmed",
        "press replayed from the inbox: report forwarded once, one notice, press answered once",
        duplicates,
    )


def press_id(press: ScriptedAction) -> str:
    assert press.update is not None
    return str(press.update.payload["id"])


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_killed_while_kirim_waits_to_store_the_report_it_is_stored_after_restart(
    world: World, citizen: User, database_url: str
) -> None:
    emulator, bot = world.emulator, world.bot
    await bot.start()
    await consent(citizen)
    assert asks(Step.PERIKSA) in texts(await to_step(citizen, 8))[-1]

    # Another transaction holds the reports table, so 'kirim' waits at its INSERT; reads of
    # the table and the poller's inbox go on.
    async with world.engine.connect() as blocker:
        await blocker.execute(text("LOCK TABLE reports IN EXCLUSIVE MODE"))
        kirim = emulator.script.act_say(citizen, "1")
        assert kirim.update is not None
        update = kirim.update
        await until(lambda: _waiting_on_reports(world), "'kirim' waits for the reports table")
        await until(lambda: update.confirmed_at is not None, "'kirim' confirmed to Telegram")
        await bot.kill()
        await blocker.rollback()
    assert await world.reports() == []
    assert update not in emulator.pending_updates, "Telegram will not send 'kirim' again"

    await bot.start()
    await until(
        lambda: any(
            "Laporan terkirim dengan kode" in t
            for t in answers_since(emulator, citizen, kirim.after_id)
        ),
        "the citizen gets the code after the restart",
    )
    [report] = await world.reports()
    said = answers_since(emulator, citizen, kirim.after_id)
    assert sum(format_code(report.code) in t for t in said) == 1, said
    assert report.location_text == LOCATION
    assert await world.draft() is None
    duplicates = await delivered(world)
    assert duplicates == {}
    matrix(
        "submission: 'kirim' waiting at its INSERT (table locked), offset confirmed (PostgreSQL)",
        "'kirim' replayed from the inbox: one report, its code told once, draft gone",
        duplicates,
    )


async def _waiting_on_reports(world: World) -> bool:
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND query ILIKE '%reports%' AND pid <> pg_backend_pid()"
    )
    async with world.engine.connect() as connection:
        return bool(await connection.scalar(query))


async def test_only_leases_of_dead_processes_on_this_machine_are_taken_back() -> None:
    me = leases.new_worker_id()
    host, namespace, pid, _ = me.rsplit("-", 3)
    finished = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await finished.wait()
    dead = f"{host}-{namespace}-{finished.pid}-0badcafe"
    assert leases.is_gone(dead, me)
    # An earlier start of this very process id (a restarted container's pid 1).
    assert leases.is_gone(f"{host}-{namespace}-{pid}-0badcafe", me)
    sibling = leases.new_worker_id()
    leases.register(sibling)
    try:
        assert not leases.is_gone(sibling, me), "another dispatcher of this process"
    finally:
        leases.forget(sibling)
    assert not leases.is_gone(f"{host}-{namespace}-{os.getppid()}-0badcafe", me), "alive"
    elsewhere = f"{host}-1{namespace}-{finished.pid}-0badcafe"
    assert not leases.is_gone(elsewhere, me), "another container: cannot tell"
    assert not leases.is_gone(f"other-host-{namespace}-{finished.pid}-0badcafe", me)
    assert not leases.is_gone("kedua", me), "a name of another form"
