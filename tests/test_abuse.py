"""Abuse controls: flood control, the daily cap on new reports, and staff barring a citizen."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.tracking import format_code
from bot.sandbox.emulator import Chat, Emulator, RateLimits, User
from storage.models import AuditEntry, Draft, Report, Reporter
from tests import factories
from tests.harness import TOKEN, Clock, Harness
from tests.steps import CONTENT, code_in, consent, count, file_report, last, texts, to_step

MakeBot = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def make_bot(emulator: Emulator, database_url: str, clock: Clock) -> AsyncIterator[MakeBot]:
    """Start the real bot with some settings changed; a staff group with an admin exists."""
    started: list[Harness] = []

    async def start(**overrides: Any) -> Harness:
        admin = emulator.add_user(first_name="Dina", username="dina_verifikator")
        group = emulator.add_supergroup(
            title="Staf Pengaduan", forum=True, members=[admin], admins=[admin]
        )
        bot = Harness(emulator, database_url, clock, group.id, overrides=overrides)
        await bot.start()
        started.append(bot)
        return bot

    yield start
    for bot in started:
        await bot.stop()


def say_id(harness: Harness, key: str, **params: object) -> str:
    return harness.services.locales.get("id")(key, **params)


def city(harness: Harness) -> dict[str, object]:
    place = harness.services.directory.city
    return {"city": place.name, "phone": place.phone, "sms": place.sms}


async def reporter_of(harness: Harness, user: User) -> Reporter:
    async with harness.services.sessionmaker() as session:
        query = select(Reporter).where(Reporter.telegram_user_id == user.id)
        return (await session.execute(query)).scalar_one()


async def draft_answers(harness: Harness, user: User) -> dict[str, Any]:
    async with harness.services.sessionmaker() as session:
        reporter = await reporter_of(harness, user)
        query = select(Draft).where(Draft.reporter_id == reporter.id)
        draft = (await session.execute(query)).scalar_one_or_none()
        return dict(draft.answers) if draft else {}


# --- flood control --------------------------------------------------------------------------


async def test_a_flood_gets_one_polite_notice_then_quiet_and_none_of_it_is_applied(
    make_bot: MakeBot, emulator: Emulator, citizen: User
) -> None:
    harness = await make_bot(flood_messages=5, flood_window_seconds=60)
    await consent(citizen)  # before consent nothing is stored, so nothing is counted
    await citizen.say("1")
    question = last(await citizen.say("1"))
    for text in ("halo", "x", "ulang"):
        assert last(await citizen.say(text)) == question  # five messages: all read
    harness.clock.advance(seconds=20)

    notice = await citizen.say(CONTENT)
    assert texts(notice) == [say_id(harness, "guard.flood", seconds=40)]
    await harness.restart()  # the count lives in the database, not in the process
    assert await citizen.say("1", expect=0) == []
    assert await citizen.send_photo(expect=0) == []
    assert (await draft_answers(harness, citizen)).get("content") is None, "nothing applied"
    assert (await draft_answers(harness, citizen))["attachments"] == []
    notices = [m for m in emulator.bot_messages(citizen) if m.text == texts(notice)[0]]
    assert len(notices) == 1, "one notice, then quiet"

    harness.clock.advance(seconds=41)
    assert last(await citizen.say(CONTENT)).startswith("Langkah 3 dari 8.")
    assert (await draft_answers(harness, citizen))["content"] == CONTENT


async def test_the_flood_count_is_shared_by_two_processes_on_one_database(
    make_bot: MakeBot, emulator: Emulator, database_url: str, clock: Clock, citizen: User
) -> None:
    first = await make_bot(flood_messages=4, flood_window_seconds=60)
    # A second bot process on the same database, fed by its own Telegram connection.
    other_telegram = Emulator(bot_token=TOKEN, limits=RateLimits(enabled=False), default_settle=0.3)
    # One bot has one stream of update ids; the database remembers handled ones by id.
    other_telegram.number_updates_from(1_000_000)
    await other_telegram.start(host="127.0.0.1", port=0)
    same_person = other_telegram.add_user(first_name="Siti", user_id=citizen.id)
    group: Chat = other_telegram.add_supergroup(title="Staf", forum=True)
    second = Harness(
        other_telegram,
        database_url,
        clock,
        group.id,
        overrides={"flood_messages": 4, "flood_window_seconds": 60},
    )
    await second.start()
    try:
        await consent(citizen)
        await citizen.say("1")  # 1
        await same_person.say("bantuan")  # 2, read by the second process
        await citizen.say("ulang")  # 3
        await same_person.say("ulang")  # 4
        flood = await citizen.say("1")  # 5: over the limit, whichever process reads it
        assert texts(flood) == [say_id(first, "guard.flood", seconds=60)]
        assert await same_person.say("1", expect=0) == []
    finally:
        await second.stop()
        await other_telegram.stop()


# --- the daily cap --------------------------------------------------------------------------


async def test_the_daily_cap_says_when_a_new_report_is_possible_and_how_else_to_reach_the_city(
    make_bot: MakeBot, citizen: User
) -> None:
    harness = await make_bot(daily_report_cap=2)
    await file_report(citizen)
    harness.clock.advance(minutes=5)
    await to_step(citizen, 8)
    code_in(await citizen.say("1"))
    harness.clock.advance(minutes=5)

    refused = await citizen.say("1")  # buat laporan, a third time today
    assert texts(refused)[0] == say_id(
        harness, "guard.daily_cap", count=2, date="26 November 2026", **city(harness)
    )
    assert "Apa yang bisa kami bantu" in last(refused), "back at the menu"
    assert await count(harness, Draft) == 0, "no draft was started"
    assert await count(harness, Report) == 2

    # The clock started at 10.00 WIB on 25 November; midnight in Jakarta opens a new day.
    harness.clock.advance(hours=14)
    assert last(await citizen.say("1")).startswith("Langkah 1 dari 8.")


# --- barring --------------------------------------------------------------------------------


async def test_staff_bar_a_citizen_by_report_code_with_a_reason_in_the_audit_log(
    make_bot: MakeBot, emulator: Emulator, citizen: User
) -> None:
    harness = await make_bot()
    group = emulator.chat(harness.admin_chat_id)
    admin = next(m.user for m in group.members.values() if m.status == "administrator")
    officer = emulator.add_user(first_name="Agus")
    emulator.add_group_member(group, officer)
    neighbour = emulator.add_user(first_name="Rina")
    code = await factories.report(harness, citizen)
    reason = "Mengirim laporan palsu berulang kali."

    async def staff_says(user: User, text: str) -> str:
        await user.say_in(group, text, expect=0)
        await emulator.wait_idle(settle=0.3)
        return texts(emulator.bot_messages(group))[-1]

    refused = await staff_says(officer, f"/blokir {format_code(code)} {reason}")
    assert refused == say_id(harness, "staff.refused.not_allowed", code=format_code(code))
    assert await staff_says(admin, f"/blokir {format_code(code)}") == say_id(
        harness, "staff.usage.blokir"
    )
    assert await staff_says(admin, "/blokir 123 iseng") == say_id(harness, "staff.usage.blokir")
    too_long = await staff_says(admin, f"/blokir {format_code(code)} {'x' * 201}")
    assert too_long == say_id(harness, "staff.bar.reason_long", max=200)
    assert (await reporter_of(harness, citizen)).barred_at is None

    done = await staff_says(admin, f"/blokir {format_code(code)} {reason}")
    assert done == say_id(harness, "staff.bar.done", code=format_code(code), text=reason)
    assert "Siti" not in done and str(citizen.id) not in done, "no identity reaches the staff"
    barred = await reporter_of(harness, citizen)
    assert barred.barred_at == harness.clock.now and barred.barred_reason == reason
    async with harness.services.sessionmaker() as session:
        query = select(AuditEntry).where(AuditEntry.action == "blokir").order_by(AuditEntry.id)
        entries = (await session.execute(query)).scalars().all()
    assert [(e.actor_user_id, e.allowed, e.detail) for e in entries] == [
        (officer.id, False, "not_allowed"),
        (admin.id, False, "needs_text"),
        (admin.id, False, "not_found"),
        (admin.id, False, "reason_too_long"),
        (admin.id, True, reason),
    ]

    notice = await citizen.say("halo")
    assert texts(notice) == [say_id(harness, "guard.barred", **city(harness))]
    assert notice[0].reply_markup == {"remove_keyboard": True}
    assert await citizen.say("1", expect=0) == []
    assert await citizen.send_photo(expect=0) == []
    assert await count(harness, Draft) == 0 and await count(harness, Report) == 1
    harness.clock.advance(hours=25)
    assert len(await citizen.say("menu")) == 1, "told again after a day, once"
    assert await citizen.say("menu", expect=0) == []
    await consent(neighbour)
    assert "Apa yang bisa kami bantu" in last(await neighbour.say("menu")), "others are not barred"

    lifted = await staff_says(admin, f"/bukablokir {format_code(code)}")
    assert lifted == say_id(harness, "staff.bar.lifted", code=format_code(code))
    assert await staff_says(admin, f"/bukablokir {format_code(code)}") == say_id(
        harness, "staff.bar.not_barred", code=format_code(code)
    )
    assert (await reporter_of(harness, citizen)).barred_at is None
    assert "Apa yang bisa kami bantu" in last(await citizen.say("menu"))
    async with harness.services.sessionmaker() as session:
        query = select(AuditEntry.allowed).where(AuditEntry.action == "bukablokir")
        assert list((await session.execute(query.order_by(AuditEntry.id))).scalars()) == [
            True,
            False,
        ]


async def test_a_barred_citizen_cannot_finish_a_draft_begun_before(
    make_bot: MakeBot, emulator: Emulator, citizen: User
) -> None:
    harness = await make_bot()
    group = emulator.chat(harness.admin_chat_id)
    admin = next(m.user for m in group.members.values() if m.status == "administrator")
    code = await factories.report(harness, citizen)
    await to_step(citizen, 8)  # a second report, read back and ready to send
    await admin.say_in(group, f"/blokir {format_code(code)} Laporan palsu.", expect=0)
    await emulator.wait_idle(settle=0.3)

    assert texts(await citizen.say("kirim")) == [say_id(harness, "guard.barred", **city(harness))]
    assert await citizen.say("kirim", expect=0) == []
    assert await count(harness, Report) == 1, "nothing was filed"
    assert (await reporter_of(harness, citizen)).barred_reason == "Laporan palsu."
