"""A held report whose citizen never answers is archived after its working days, and told."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.conversation import Awaiting
from bot.core.lifecycle import ActorKind, Status
from bot.core.tracking import format_code
from bot.sandbox.emulator import Emulator, User
from storage.models import AuditEntry, Reporter
from tests import factories
from tests.harness import Harness
from tests.staff_helpers import Staff, card_of, settled
from tests.steps import reports, texts


async def _hold(emulator: Emulator, staff: Staff, code: int) -> None:
    card = card_of(emulator, staff.group, code)
    await staff.verifier.say_in(
        staff.group,
        "#tunda Mohon sebutkan nomor rumah terdekat.",
        thread_id=card.thread_id,
        reply_to=card.message_id,
        expect=0,
    )
    await settled(emulator)


async def _watch(harness: Harness, emulator: Emulator) -> None:
    assert harness.application is not None and harness.application.job_queue is not None
    [job] = harness.application.job_queue.get_jobs_by_name("watch_deadlines")
    await job.run(harness.application)
    await settled(emulator)


async def test_an_unanswered_hold_is_archived_after_its_working_days_and_the_citizen_told(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await factories.report(harness, citizen)
    await _hold(emulator, staff, code)
    [held] = await reports(harness)
    calendar, days = harness.services.calendar, harness.services.settings.hold_expiry_working_days
    assert held.status is Status.DITUNDA
    assert held.deadline_at == calendar.add_working_days(harness.clock(), days)

    harness.clock.advance(days=1)
    await _watch(harness, emulator)
    [report] = await reports(harness)
    assert report.status is Status.DITUNDA, "not before its limit"

    harness.clock.now = held.deadline_at
    harness.clock.advance(seconds=1)
    await _watch(harness, emulator)
    [report] = await reports(harness)
    assert report.status is Status.DIARSIPKAN
    last = report.events[-1]
    assert (last.actor, last.from_status, last.to_status) == (
        ActorKind.SYSTEM,
        Status.DITUNDA,
        Status.DIARSIPKAN,
    )
    told = texts(emulator.bot_messages(citizen))[-1]
    assert told.startswith(f"Status laporan {format_code(code)}: Diarsipkan")
    assert f"tidak kami terima dalam {days} hari kerja" in told
    assert "Keterangan petugas" not in told, "the bot's reason, not an officer's words"
    staff_side = texts(emulator.bot_messages(staff.group))
    assert any(format_code(code) in t and "Diarsipkan" in t for t in staff_side[-3:])
    async with harness.services.sessionmaker() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
        reporter = (await session.scalars(select(Reporter))).one()
    assert "kedaluwarsa" in actions
    assert reporter.context == Awaiting.MENU, "the next message is not an answer to it"

    # Its next pass finds nothing more to do.
    before = len(emulator.bot_messages(citizen))
    await _watch(harness, emulator)
    assert len(emulator.bot_messages(citizen)) == before


async def test_a_hold_answered_in_time_is_not_archived(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await factories.report(harness, citizen)
    await _hold(emulator, staff, code)
    harness.clock.advance(days=2)
    await citizen.say("Di depan rumah nomor 14.")
    await settled(emulator)
    harness.clock.advance(days=30)
    await _watch(harness, emulator)
    [report] = await reports(harness)
    assert report.status is Status.MENUNGGU_VERIFIKASI
