"""The outbox dispatcher against the emulator over HTTP: where rows go, Telegram's limits
and errors, restarts, and two dispatchers sharing one database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.outgoing import (
    Button,
    ChatTarget,
    CitizenChat,
    Copy,
    FileSend,
    Outgoing,
    StaffQueue,
)
from bot.delivery.dispatcher import LEASE, Dispatcher, delivery_bot
from bot.delivery.limits import ChatLimits, Rates
from bot.sandbox.emulator import Emulator, RateLimits
from storage import outbox_queries as queries
from storage.models import Reporter, StaffMessage, Topic
from tests.delivery_helpers import (
    add_citizens,
    add_report,
    agencies_with_own_group,
    bodies,
    calls_to,
    enqueue,
    outbox_rows,
    reporter,
)
from tests.harness import TOKEN, Clock, Harness

StartBot = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def start_bot(emulator: Emulator, database_url: str, clock: Clock) -> AsyncIterator[StartBot]:
    """Start the bot with a staff group of its own and extra settings."""
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


async def test_rows_reach_citizens_topics_and_agency_groups(
    start_bot: StartBot, emulator: Emulator, tmp_path: Path
) -> None:
    officer = emulator.add_user(first_name="Agus")
    dishub = emulator.add_supergroup(title="Dishub", members=[officer], admins=[officer])
    bot = await start_bot(agencies_file=agencies_with_own_group(tmp_path, "dishub", dishub.id))
    group = emulator.chat(bot.admin_chat_id)
    siti, budi = await add_citizens(bot, 2)
    report_id = await add_report(bot, siti.reporter_id)
    photo = emulator.store.photo_sizes(2048)[-1].file_id
    relayed = emulator.script.act_say(officer, "Petugas akan datang besok.", chat=dishub).message
    assert relayed is not None

    await enqueue(
        bot,
        [
            (
                CitizenChat(siti.reporter_id),
                Outgoing(
                    text="Laporan <b>726-4185</b> diterima.",
                    html=True,
                    buttons=((Button("Cek status", "st:1"),),),
                ),
            ),
            (StaffQueue("verifikasi"), Outgoing(text="Kartu 726-4185", link="card")),
            (StaffQueue("verifikasi"), Outgoing(text="Catatan petugas", under_card=True)),
            (
                StaffQueue("verifikasi"),
                Outgoing(file=FileSend("photo", photo), text="#726-4185", under_card=True),
            ),
            (StaffQueue("dsdabm"), Outgoing(text="Antrian DSDABM")),
            (StaffQueue("dishub"), Outgoing(text="Untuk grup Dishub")),
            (CitizenChat(budi.reporter_id), Outgoing(copy=Copy(dishub.id, relayed.message_id))),
            (CitizenChat(siti.reporter_id), Outgoing(text="Tanpa kutipan", under_card=True)),
        ],
        report_id=report_id,
    )
    await bot.dispatcher.drain()

    rows = await outbox_rows(bot)
    assert [row.state for row in rows] == ["sent"] * 8
    assert all(row.chat_id is not None and row.message_id is not None for row in rows)

    greeting, unquoted = emulator.bot_messages(siti.user)
    assert greeting.text == "Laporan 726-4185 diterima."
    assert [e["type"] for e in greeting.entities] == ["bold"]
    assert greeting.button_labels == ["Cek status"]
    assert greeting.link_preview_disabled
    assert unquoted.text == "Tanpa kutipan" and unquoted.reply_to_message_id is None

    names = {topic.name: topic.thread_id for topic in group.topics.values()}
    assert set(names) == {"Verifikasi", "Dinas Sumber Daya Air dan Bina Marga"}
    card, note, attachment = (
        m for m in emulator.bot_messages(group, names["Verifikasi"]) if not m.is_service
    )
    assert card.text == "Kartu 726-4185"
    assert note.reply_to_message_id == card.message_id
    assert (attachment.media, attachment.caption) == ("photo", "#726-4185")
    assert attachment.reply_to_message_id == card.message_id
    assert bodies(emulator, group, names["Dinas Sumber Daya Air dan Bina Marga"]) == [
        "Antrian DSDABM"
    ]
    assert [(m.text, m.thread_id) for m in emulator.bot_messages(dishub)] == [
        ("Untuk grup Dishub", None)
    ]
    [copy] = emulator.bot_messages(budi.user)
    assert copy.text == "Petugas akan datang besok."
    assert "forward_origin" not in copy.raw, "a relay carries no staff identity"

    async with bot.services.sessionmaker() as session:
        links = (await session.scalars(select(StaffMessage))).all()
        topics = (await session.scalars(select(Topic))).all()
    assert [(s.chat_id, s.message_id, s.report_id, s.kind) for s in links] == [
        (group.id, card.message_id, report_id, "card")
    ]
    assert {(t.key, t.thread_id) for t in topics} == {
        ("verifikasi", names["Verifikasi"]),
        ("dsdabm", names["Dinas Sumber Daya Air dan Bina Marga"]),
    }

    # The topic is remembered in the database, not only by this process.
    await bot.restart()
    await enqueue(bot, [(StaffQueue("verifikasi"), Outgoing(text="Kartu berikutnya"))])
    await bot.dispatcher.drain()
    assert bodies(emulator, group, names["Verifikasi"])[-1] == "Kartu berikutnya"
    assert len(emulator.calls("createForumTopic")) == 2
    assert len(group.topics) == 2


async def test_a_topic_deleted_by_hand_is_created_again(
    harness: Harness, emulator: Emulator
) -> None:
    group = emulator.chat(harness.admin_chat_id)
    await enqueue(harness, [(StaffQueue("verifikasi"), Outgoing(text="Kartu pertama"))])
    await harness.dispatcher.drain()
    [old] = group.topics.values()
    emulator.delete_topic(group, old.thread_id)

    await enqueue(harness, [(StaffQueue("verifikasi"), Outgoing(text="Kartu kedua"))])
    await harness.dispatcher.drain()

    [new] = [topic for topic in group.topics.values() if not topic.deleted]
    assert new.name == "Verifikasi" and new.thread_id != old.thread_id
    assert bodies(emulator, group, new.thread_id) == ["Kartu kedua"]
    assert [c.description for c in emulator.calls("sendMessage") if c.status != 200] == [
        "Bad Request: message thread not found"
    ]
    async with harness.services.sessionmaker() as session:
        assert await queries.find_topic(session, group.id, "verifikasi") == new.thread_id
    assert [row.state for row in await outbox_rows(harness)] == ["sent", "sent"]


async def test_a_group_without_topics_gets_hashtags(
    start_bot: StartBot, emulator: Emulator
) -> None:
    bot = await start_bot(forum=False)
    group = emulator.chat(bot.admin_chat_id)
    await enqueue(
        bot,
        [
            (StaffQueue("verifikasi"), Outgoing(text="Kartu 726-4185")),
            (StaffQueue("dsdabm"), Outgoing(text="<b>Diteruskan</b> &amp; dicatat", html=True)),
            (StaffQueue("eskalasi"), Outgoing(file=FileSend("document", _document(emulator)))),
        ],
    )
    await bot.dispatcher.drain()

    assert bodies(emulator, group) == [
        "#verifikasi\nKartu 726-4185",
        "#dsdabm\nDiteruskan & dicatat",
        "#eskalasi",
    ]
    assert emulator.calls("createForumTopic") == []
    assert len(emulator.calls("getChat")) == 1, "whether it is a forum is asked once"


def _document(emulator: Emulator) -> str:
    return emulator.store.new_file("document", 300, file_name="surat.pdf").file_id


async def test_a_citizen_who_blocked_the_bot_becomes_unreachable(
    harness: Harness, emulator: Emulator, clock: Clock
) -> None:
    gone, staying, erased = await add_citizens(harness, 3)
    emulator.block_bot(gone.user)
    async with harness.services.sessionmaker.begin() as session:
        person = await session.get(Reporter, erased.reporter_id)
        assert person is not None
        person.chat_id = None  # /hapusdata
    await enqueue(
        harness,
        [
            (CitizenChat(gone.reporter_id), Outgoing(text="Status 1")),
            (CitizenChat(staying.reporter_id), Outgoing(text="Status 1")),
            (CitizenChat(gone.reporter_id), Outgoing(text="Status 2")),
            (CitizenChat(erased.reporter_id), Outgoing(text="Status 1")),
        ],
    )
    await harness.dispatcher.drain()

    assert [row.state for row in await outbox_rows(harness)] == [
        "unreachable",
        "sent",
        "unreachable",
        "unreachable",
    ]
    assert calls_to(emulator, "sendMessage", gone.user.id) == [403], "tried once only"
    assert (await reporter(harness, gone.reporter_id)).unreachable_at == clock.now
    assert (await reporter(harness, staying.reporter_id)).unreachable_at is None
    assert bodies(emulator, staying.user) == ["Status 1"]
    first = (await outbox_rows(harness))[0]
    assert first.last_error == "Forbidden: bot was blocked by the user"

    await enqueue(harness, [(CitizenChat(gone.reporter_id), Outgoing(text="Status 3"))])
    await harness.dispatcher.drain()
    assert (await outbox_rows(harness))[-1].state == "unreachable"
    assert calls_to(emulator, "sendMessage", gone.user.id) == [403]


async def test_rows_that_cannot_be_sent_fail_loudly(
    harness: Harness, emulator: Emulator, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    admin = emulator.add_user(first_name="Admin")
    # (Not as administrator: the emulator's my_chat_member for a kicked admin bot lacks
    # the rights fields python-telegram-bot requires.)
    kicked = emulator.add_supergroup(
        title="Grup lama", members=[admin], admins=[admin], bot_admin=False
    )
    emulator.kick_bot(kicked)
    await enqueue(
        harness,
        [
            (ChatTarget(kicked.id), Outgoing(text="Kartu")),
            (ChatTarget(-1009999999999), Outgoing(text="Kartu")),
            (ChatTarget(harness.admin_chat_id), Outgoing(text="<b>rusak", html=True)),
        ],
    )
    with caplog.at_level(logging.ERROR, logger="bot.delivery.dispatcher"):
        await harness.dispatcher.drain()
    rows = await outbox_rows(harness)
    assert [(row.state, row.last_error) for row in rows] == [
        ("failed", "Forbidden: bot was kicked from the supergroup chat"),
        ("failed", "BadRequest: Chat not found"),
        (
            "failed",
            "BadRequest: Can't parse entities: can't find end tag corresponding to start tag \"b\"",
        ),
    ]
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(logged) == 3
    assert all(any(f"row {row.id} " in line for line in logged) for row in rows)
    assert not any("Kartu" in line or "rusak" in line for line in logged), "no text in logs"

    # 5xx until the attempts run out: retried with backoff, then failed, loudly.
    (citizen,) = await add_citizens(harness, 1)
    emulator.faults.fail_next(100, status=500, methods="sendMessage")
    [row_id] = await enqueue(harness, [(CitizenChat(citizen.reporter_id), Outgoing(text="x"))])
    harness.dispatcher.max_attempts = 3
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="bot.delivery.dispatcher"):
        for _ in range(3):
            await harness.dispatcher.drain()
            clock.advance(minutes=6)
    emulator.faults.clear()
    row = (await outbox_rows(harness))[-1]
    assert (row.id, row.state, row.attempts) == (row_id, "failed", 3)
    assert row.last_error == "NetworkError: Internal Server Error"
    assert calls_to(emulator, "sendMessage", citizen.user.id) == [500, 500, 500]
    assert [r.levelno for r in caplog.records] == [logging.ERROR]
    assert TOKEN not in caplog.text


async def test_limits_are_kept_and_faults_lose_or_double_nothing(
    start_bot: StartBot, emulator: Emulator, clock: Clock
) -> None:
    scale = 20
    bot = await start_bot(outbox_rate_scale=scale)
    emulator.limits = RateLimits(enabled=True, scale=scale)
    group = emulator.chat(bot.admin_chat_id)
    citizens = await add_citizens(bot, 100)
    items: list[tuple[Any, Outgoing]] = []
    for round_ in range(3):
        items += [
            (CitizenChat(c.reporter_id), Outgoing(text=f"{c.user.id} pesan {round_}"))
            for c in citizens
        ]
        items += [
            (StaffQueue(("verifikasi", "dsdabm")[n % 2]), Outgoing(text=f"kartu {round_}-{n}"))
            for n in range(10)
        ]
    await enqueue(bot, items)
    await bot.dispatcher.drain(timeout=40)

    assert {row.state for row in await outbox_rows(bot)} == {"sent"}
    for c in citizens:
        assert bodies(emulator, c.user) == [f"{c.user.id} pesan {n}" for n in range(3)]
    cards = [f"kartu {r}-{n}" for r in range(3) for n in range(10)]
    assert bodies(emulator, group) == cards, "the group's messages, once each and in order"
    assert emulator.rate_limited_count == 0, "our own limiter kept under Telegram's"
    limits = emulator.limits
    assert emulator.max_rate_observed(1.0) <= limits.overall_burst + 30 * scale
    assert emulator.max_rate_observed(60 / scale, group) <= limits.per_group_burst + 20
    for c in citizens[:10]:
        assert emulator.max_rate_observed(1 / scale, c.user) <= limits.per_chat_burst + 1
    group_times = emulator.send_log.times(group.id)
    assert group_times[-1] - group_times[0] >= (30 - 5) / (20 / 60 * scale), "paced, not 429'd"

    # One call in ten fails with 502: rows come back after their backoff, none is lost
    # and none is sent twice.
    emulator.faults.fail_randomly(0.1, status=502, seed=7)
    more = [(CitizenChat(c.reporter_id), Outgoing(text=f"{c.user.id} ulang")) for c in citizens]
    more += [(StaffQueue("verifikasi"), Outgoing(text=f"kartu ulang {n}")) for n in range(10)]
    await enqueue(bot, more)
    for _ in range(12):
        await bot.dispatcher.drain(timeout=30)
        if all(row.state == "sent" for row in await outbox_rows(bot)):
            break
        clock.advance(minutes=6)
    emulator.faults.clear()
    rows = await outbox_rows(bot)
    assert {row.state for row in rows} == {"sent"}
    assert any(row.attempts for row in rows), "some calls really failed"
    for c in citizens:
        assert bodies(emulator, c.user)[3:] == [f"{c.user.id} ulang"]
    assert bodies(emulator, group)[30:] == [f"kartu ulang {n}" for n in range(10)]


async def test_a_429_holds_the_chat_then_the_row_is_sent(
    start_bot: StartBot, emulator: Emulator, clock: Clock
) -> None:
    # Our limiter allows more than this emulated Telegram does, so it answers 429.
    bot = await start_bot(outbox_rate_scale=10)
    emulator.limits = RateLimits(enabled=True, per_chat_per_second=1.0, per_chat_burst=1)
    siti, budi = await add_citizens(bot, 2)
    first, second, other = await enqueue(
        bot,
        [
            (CitizenChat(siti.reporter_id), Outgoing(text="satu")),
            (CitizenChat(siti.reporter_id), Outgoing(text="dua")),
            (CitizenChat(budi.reporter_id), Outgoing(text="lain")),
        ],
    )
    await bot.dispatcher.drain()

    rows = {row.id: row for row in await outbox_rows(bot)}
    assert emulator.rate_limited_count == 1
    assert (rows[first].state, rows[other].state) == ("sent", "sent"), "other chats go on"
    held = rows[second]
    assert (held.state, held.attempts) == ("pending", 0)
    assert held.available_at == clock.now + timedelta(seconds=1)
    assert held.last_error == "RetryAfter: retry after 1 s"
    assert bodies(emulator, siti.user) == ["satu"]

    clock.advance(seconds=1)
    await bot.dispatcher.drain()
    assert bodies(emulator, siti.user) == ["satu", "dua"]
    assert emulator.rate_limited_count == 1, "the chat was held long enough"
    times = emulator.send_log.times(siti.user.id)
    assert times[1] - times[0] >= 0.95


async def test_a_restart_sends_the_rest_and_nothing_twice(
    start_bot: StartBot, emulator: Emulator
) -> None:
    bot = await start_bot(outbox_rate_scale=5)
    citizens = await add_citizens(bot, 3)
    await enqueue(
        bot,
        [
            (CitizenChat(c.reporter_id), Outgoing(text=f"pesan {n}"))
            for n in range(12)
            for c in citizens
        ],
    )
    bot.dispatcher.notify()
    while len(emulator.send_log.sends) < 12:
        await emulator.activity(0.1)
    first_worker, services = bot.dispatcher.worker_id, bot.services
    await bot.stop()

    rows = await outbox_rows(services)
    pending = [row for row in rows if row.state == "pending"]
    assert pending, "stopped part-way"
    assert all(row.lease_owner is None for row in pending), "claims were given back"

    await bot.start()
    await bot.dispatcher.drain()
    for c in citizens:
        assert bodies(emulator, c.user) == [f"pesan {n}" for n in range(12)]
    senders = {row.lease_owner for row in await outbox_rows(bot)}
    assert senders == {first_worker, bot.dispatcher.worker_id}


async def test_two_dispatchers_share_one_database_and_send_each_row_once(
    harness: Harness, emulator: Emulator
) -> None:
    citizens = await add_citizens(harness, 50)
    await enqueue(
        harness,
        [
            (CitizenChat(c.reporter_id), Outgoing(text=f"{c.user.id} pesan {n}"))
            for n in range(4)
            for c in citizens
        ],
    )
    # One row of a chat per claim, a few chats at a time: the two keep racing for each
    # chat's next row.
    first = harness.dispatcher
    first.rows_per_chat, first.concurrency = 1, 16
    second = Dispatcher(
        harness.services,
        delivery_bot(harness.services.settings),
        worker_id="kedua",
        rows_per_chat=1,
        concurrency=16,
        owns_bot=True,
    )
    await second.start()
    try:
        await asyncio.gather(first.drain(), second.drain())
    finally:
        await second.stop()
    await first.drain()  # anything the first claimed after its drain had returned

    for c in citizens:
        assert bodies(emulator, c.user) == [f"{c.user.id} pesan {n}" for n in range(4)]
    rows = await outbox_rows(harness)
    assert {row.state for row in rows} == {"sent"}
    assert {row.lease_owner for row in rows} == {first.worker_id, "kedua"}


async def test_rows_of_a_crashed_dispatcher_come_back_when_the_lease_ends(
    harness: Harness, clock: Clock
) -> None:
    await harness.dispatcher.stop()  # claims below are made by hand
    siti, budi = await add_citizens(harness, 2)
    first, after_first, elsewhere = await enqueue(
        harness,
        [
            (CitizenChat(siti.reporter_id), Outgoing(text="a")),
            (CitizenChat(siti.reporter_id), Outgoing(text="b")),
            (CitizenChat(budi.reporter_id), Outgoing(text="c")),
        ],
    )

    async def claim(owner: str, limit: int) -> list[int]:
        now = clock()
        async with harness.services.sessionmaker.begin() as session:
            rows = await queries.claim(
                session,
                owner=owner,
                now=now,
                lease_until=now + LEASE,
                order_key=harness.dispatcher.destinations.order_key,
                limits=queries.ClaimLimits(rows=limit),
            )
        return [row.id for row in rows]

    assert await claim("crashed", 1) == [first]
    # Siti's second row waits for her first, held by the crashed dispatcher; Budi's goes.
    assert await claim("other", 10) == [elsewhere]
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert await claim("other", 10) == [first, after_first, elsewhere], "all leases ended"


def test_chat_limits_space_sends_per_chat_group_and_overall() -> None:
    now = [0.0]
    limits = ChatLimits(Rates(), clock=lambda: now[0])
    headroom = Rates().headroom
    interval = 1 / (1.0 * headroom)
    assert [limits.reserve(1001, 60) for _ in range(3)] == [0, 0, pytest.approx(interval)]
    group_interval = 60 / (20 * headroom)
    assert [limits.reserve(-100, 60) for _ in range(4)] == [0, 0, 0, pytest.approx(group_interval)]
    assert limits.reserve(-100, max_wait=1) is None, "too long a wait books nothing"
    assert limits.reserve(-100, max_wait=60) == pytest.approx(2 * group_interval)
    waits = [limits.overall(60) for _ in range(21)]
    assert waits[:20] == [0] * 20 and waits[20] == pytest.approx(1 / (30 * headroom))

    scaled = ChatLimits(Rates().scaled(10), clock=lambda: now[0])
    assert [scaled.reserve(1001, 60) for _ in range(3)][-1] == pytest.approx(interval / 10)
    now[0] = 10.0
    assert scaled.reserve(1001, 60) == 0, "a quiet chat has its burst back"


def test_a_429_on_a_quiet_chat_holds_every_chat() -> None:
    now = [0.0]
    limits = ChatLimits(Rates(), clock=lambda: now[0])
    limits.reserve(1001, 60)
    limits.reserve(1001, 60)
    assert limits.hold(1001, 5) is False, "a busy chat's own limit explains it"
    assert limits.reserve(1001, 60) == pytest.approx(5)
    assert (limits.reserve(1002, 60), limits.overall(60)) == (0, 0)
    limits.reserve(1003, 60)
    assert limits.hold(1003, 7) is True, "its first message: the bot's overall limit"
    assert (limits.reserve(1004, 60), limits.overall(60)) == (0, pytest.approx(7))
