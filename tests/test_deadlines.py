"""Time limits in working days: across a weekend and a public holiday, time set by the test."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.core.outgoing import Outgoing, StaffQueue
from bot.sandbox.emulator import User
from storage import outbox
from storage.models import OutboxMessage
from tests import factories
from tests.harness import Harness
from tests.steps import reports

WIB = ZoneInfo("Asia/Jakarta")


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB).astimezone(UTC)


async def watch(harness: Harness) -> None:
    assert harness.application is not None and harness.application.job_queue is not None
    [job] = harness.application.job_queue.get_jobs_by_name("watch_deadlines")
    await job.run(harness.application)


async def deadline_texts(harness: Harness) -> list[tuple[str, str]]:
    async with harness.services.sessionmaker() as session:
        rows = (
            await session.execute(
                select(OutboxMessage)
                .where(OutboxMessage.purpose == "deadline")
                .order_by(OutboxMessage.id)
            )
        ).scalars()
        return [
            (row.destination.get("key") or row.destination["kind"], row.payload["text"])
            for row in rows
        ]


async def test_verification_deadline_skips_the_weekend_then_reminds_and_escalates(
    harness: Harness, citizen: User
) -> None:
    harness.clock.now = wib(2026, 11, 27, 10, 0)  # a Friday
    await factories.report(harness, citizen)
    [report] = await reports(harness)
    assert report.deadline_at == wib(2026, 12, 2, 23, 59, 59), "Monday, Tuesday, Wednesday"

    harness.clock.now = wib(2026, 11, 30, 9, 0)
    await watch(harness)
    assert await deadline_texts(harness) == [], "two working days left: no reminder yet"

    harness.clock.now = wib(2026, 12, 2, 9, 0)
    await watch(harness)
    await watch(harness)
    [(queue, text)] = await deadline_texts(harness)
    assert queue == "verifikasi"
    assert text.startswith("Pengingat: batas waktu laporan ") and "2 Desember 2026" in text

    harness.clock.now = wib(2026, 12, 3, 8, 0)
    await watch(harness)
    rows = await deadline_texts(harness)
    assert [queue for queue, _ in rows] == ["verifikasi", "eskalasi", "citizen"]
    assert "terlambat ditindaklanjuti" in rows[-1][1]
    [report] = await reports(harness)
    assert report.escalated_at == wib(2026, 12, 3, 8, 0)


async def test_a_public_holiday_is_not_a_working_day(harness: Harness, citizen: User) -> None:
    harness.clock.now = wib(2026, 12, 23, 10, 0)  # Wednesday before Christmas
    await factories.report(harness, citizen)
    [report] = await reports(harness)
    deadline = report.deadline_at.astimezone(WIB) if report.deadline_at else None
    assert deadline is not None
    # 24 December (cuti bersama), 25 December (Christmas) and the weekend do not count:
    # the three working days are 28, 29 and 30 December.
    assert deadline.date().isoformat() == "2026-12-30"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_report_whose_row_another_transaction_references_is_still_escalated(
    harness: Harness, citizen: User
) -> None:
    """The dispatcher posting under a card references the report (PostgreSQL takes a key-share
    lock on it); the watch must not skip the report for that, or the escalation waits 15
    minutes for the next pass, or is lost to a pass that always meets such a lock."""
    harness.clock.now = wib(2026, 11, 27, 10, 0)
    await factories.report(harness, citizen)
    [report] = await reports(harness)
    harness.clock.now = wib(2026, 12, 3, 8, 0)
    async with harness.services.sessionmaker() as holder, holder.begin():
        outbox.enqueue(
            holder,
            StaffQueue("verifikasi"),
            Outgoing(text="Catatan."),
            purpose="test",
            now=harness.clock.now,
            report_id=report.id,
        )
        await holder.flush()  # the foreign key check now holds a key-share lock
        await watch(harness)
        escalated = [queue for queue, _ in await deadline_texts(harness)]
        await holder.rollback()
    assert escalated == ["verifikasi", "eskalasi", "citizen"]
