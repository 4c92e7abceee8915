"""Sent outbox rows are pruned after the retention; what they were also for is kept apart."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.core.lifecycle import Status
from bot.core.tracking import format_code
from bot.sandbox.emulator import Emulator, User
from storage.models import CitizenMessage, OutboxMessage
from tests import factories
from tests.harness import Harness
from tests.staff_helpers import Staff, card_of, settled
from tests.steps import reports, texts


async def _outbox_states(harness: Harness) -> dict[str, int]:
    async with harness.services.sessionmaker() as session:
        rows = await session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        )
        return {state: int(n) for state, n in rows}


async def _run_job(harness: Harness, name: str) -> None:
    assert harness.application is not None and harness.application.job_queue is not None
    [job] = harness.application.job_queue.get_jobs_by_name(name)
    await job.run(harness.application)


async def test_old_sent_rows_go_and_a_reply_to_an_old_notice_still_reaches_its_report(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    code = await factories.report(harness, citizen)
    card = card_of(emulator, staff.group, code)
    await staff.verifier.say_in(
        staff.group,
        "#tunda Mohon sebutkan nomor rumah terdekat.",
        thread_id=card.thread_id,
        reply_to=card.message_id,
        expect=0,
    )
    await settled(emulator)
    notice = emulator.bot_messages(citizen)[-1]
    assert "Ditunda" in (notice.text or "")
    sent_before = (await _outbox_states(harness)).get("sent", 0)
    assert sent_before >= 3, "the card, the hold's notice and its card update were sent"

    # A day inside the retention: nothing goes.
    await _run_job(harness, "prune_outbox")
    assert (await _outbox_states(harness)).get("sent") == sent_before

    harness.clock.advance(days=harness.services.settings.outbox_retention_days + 1)
    await _run_job(harness, "prune_outbox")
    assert (await _outbox_states(harness)).get("sent", 0) == 0
    async with harness.services.sessionmaker() as session:
        links = await session.scalar(select(func.count()).select_from(CitizenMessage))
    assert links, "which report each notice was about outlives the outbox rows"

    await citizen.say("Di depan rumah nomor 14.", reply_to=notice.message_id)
    await settled(emulator)
    ack = f"Keterangan Anda untuk laporan {format_code(code)} sudah kami teruskan ke petugas."
    assert ack in texts(emulator.bot_messages(citizen))[-2:]
    [report] = await reports(harness)
    assert report.status is Status.MENUNGGU_VERIFIKASI


async def test_unsent_rows_are_never_pruned(
    harness: Harness, emulator: Emulator, citizen: User, staff: Staff
) -> None:
    await factories.report(harness, citizen)
    async with harness.services.sessionmaker.begin() as session:
        for state in ("pending", "failed", "unreachable"):
            session.add(
                OutboxMessage(
                    purpose="test",
                    destination={"kind": "chat", "chat_id": 1, "thread_id": None},
                    payload={"text": state},
                    state=state,
                    attempts=0,
                    created_at=harness.clock(),
                    # Not due for a year: the dispatcher leaves the pending one alone.
                    available_at=harness.clock().replace(year=2027),
                )
            )
    harness.clock.advance(days=400)
    await _run_job(harness, "prune_outbox")
    assert await _outbox_states(harness) == {"pending": 1, "failed": 1, "unreachable": 1}
