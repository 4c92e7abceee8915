"""Queries on reports, their attachments and timelines. Functions never commit."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.core import code_space
from bot.core.lifecycle import Status
from storage import text_search
from storage.errors import CodeSpaceExhausted, ReportNotFound
from storage.models import Attachment, Report, Reporter, TimelineEvent

# Codes looked up at once when walking for a free one.
WALK_WINDOW = 500
# The deadline watch locks the reports it changes with FOR NO KEY UPDATE (key_share=True):
# it writes only plain columns, and a plain FOR UPDATE would meet the key-share lock that
# PostgreSQL takes on a report whenever another transaction adds a row referring to it (an
# outbox row, a staff message link), so SKIP LOCKED would pass the report over.


async def free_code(
    session: AsyncSession,
    generate: Callable[[], int],
    rng: random.Random | secrets.SystemRandom | None = None,
) -> int:
    """A tracking code no report has yet (the unique index still guards a race).

    Seven-digit codes come from `generate` while fewer than half of them are used, nine-
    digit ones after (bot/core/code_space.py). Random draws first; if all are taken, a
    walk over consecutive codes from a random one, which finds a free code as long as
    any is left: filing does not fail for lack of a code.
    """
    # Reports are never deleted, so the highest id bounds how many codes are taken.
    filed = int(await session.scalar(select(func.max(Report.id))) or 0)
    spaces = code_space.plan(filed)
    for space in spaces:
        for _ in range(code_space.DRAWS):
            code = generate() if space is code_space.SHORT else code_space.draw(space, rng)
            if not await session.scalar(select(exists().where(Report.code == code))):
                return code
    last = spaces[-1]
    for window in code_space.walk(last, code_space.draw(last, rng), WALK_WINDOW):
        taken = set(await session.scalars(select(Report.code).where(Report.code.in_(window))))
        free = next((code for code in window if code not in taken), None)
        if free is not None:
            return free
    raise CodeSpaceExhausted


async def submitted_from_draft(session: AsyncSession, draft_uid: str) -> Report | None:
    """The report already made from this draft, if a first "kirim" got there before."""
    return (
        await session.execute(select(Report).where(Report.draft_uid == draft_uid))
    ).scalar_one_or_none()


def add(
    session: AsyncSession,
    report: Report,
    attachments: Sequence[Attachment],
    first_event: TimelineEvent,
) -> None:
    """Stage a new report with its files and first timeline event in the caller's unit."""
    report.attachments = list(attachments)
    report.events = [first_event]
    session.add(report)


async def own_report(session: AsyncSession, reporter_id: int, code: int) -> Report:
    """A report of this reporter with its timeline; another person's code is "not found"."""
    report = (
        await session.execute(
            select(Report)
            .where(Report.code == code, Report.reporter_id == reporter_id)
            .options(selectinload(Report.events), selectinload(Report.attachments))
        )
    ).scalar_one_or_none()
    if report is None:
        raise ReportNotFound
    return report


async def latest(session: AsyncSession, reporter_id: int, limit: int) -> Sequence[Report]:
    """The reporter's most recent reports, newest first."""
    return (
        (
            await session.execute(
                select(Report)
                .where(Report.reporter_id == reporter_id)
                .order_by(Report.created_at.desc(), Report.id.desc())
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )


async def timeline(session: AsyncSession, report_id: int) -> Sequence[TimelineEvent]:
    """A report's events, oldest first."""
    return (
        (
            await session.execute(
                select(TimelineEvent)
                .where(TimelineEvent.report_id == report_id)
                .order_by(TimelineEvent.id)
            )
        )
        .scalars()
        .all()
    )


async def reporter_of(session: AsyncSession, report: Report) -> Reporter | None:
    """The report's reporter, unless their data was erased or unlinked."""
    if report.reporter_id is None:
        return None
    return await session.get(Reporter, report.reporter_id)


async def attachments_of(session: AsyncSession, report_id: int) -> Sequence[Attachment]:
    """A report's files in the order they were sent."""
    return (
        (
            await session.execute(
                select(Attachment)
                .where(Attachment.report_id == report_id)
                .order_by(Attachment.position)
            )
        )
        .scalars()
        .all()
    )


async def add_attachment(session: AsyncSession, report: Report, attachment: Attachment) -> None:
    """Stage a file sent after filing (an addition) as the report's last attachment."""
    last = await session.scalar(
        select(func.max(Attachment.position)).where(Attachment.report_id == report.id)
    )
    attachment.report_id = report.id
    attachment.position = 1 if last is None else last + 1
    session.add(attachment)


async def by_code(session: AsyncSession, code: int) -> Report:
    """Any report by its code, for staff (ReportNotFound if there is none)."""
    report = (await session.execute(select(Report).where(Report.code == code))).scalar_one_or_none()
    if report is None:
        raise ReportNotFound
    return report


async def by_code_or_none(session: AsyncSession, code: int) -> Report | None:
    """Any report by its code, None if there is none."""
    return (await session.execute(select(Report).where(Report.code == code))).scalar_one_or_none()


async def hold_question(session: AsyncSession, report_id: int) -> str | None:
    """What the staff asked when they last put the report on hold."""
    text: str | None = await session.scalar(
        select(TimelineEvent.public_text)
        .where(
            TimelineEvent.report_id == report_id,
            TimelineEvent.to_status == Status.DITUNDA,
            TimelineEvent.from_status != Status.DITUNDA,
        )
        .order_by(TimelineEvent.id.desc())
        .limit(1)
    )
    return text


async def open_queue(
    session: AsyncSession, agency: str | None, statuses: Sequence[Status], limit: int
) -> Sequence[Report]:
    """Open reports of an agency (all agencies when None), the nearest deadline first."""
    query = select(Report).where(Report.status.in_(statuses))
    if agency is not None:
        query = query.where(Report.agency == agency)
    order = (Report.deadline_at.is_(None), Report.deadline_at, Report.id)
    return (await session.execute(query.order_by(*order).limit(limit))).scalars().all()


async def search(
    session: AsyncSession,
    words: Sequence[str],
    agency: str | None,
    limit: int,
    *,
    statuses: Collection[Status] | None = None,
) -> Sequence[Report]:
    """Reports whose text or location contains every word (of an agency, with one of
    `statuses`, when given), newest first."""
    dialect = session.get_bind().dialect.name
    query = select(Report).where(*text_search.matching(words, dialect))
    if agency is not None:
        query = query.where(Report.agency == agency)
    if statuses is not None:
        query = query.where(Report.status.in_(list(statuses)))
    return (await session.execute(query.order_by(Report.id.desc()).limit(limit))).scalars().all()


async def due_for_reminder(
    session: AsyncSession, statuses: Sequence[Status], before: datetime
) -> Sequence[Report]:
    """Open reports whose deadline falls before `before`, not yet reminded; locked for us."""
    query = (
        select(Report)
        .where(
            Report.status.in_(statuses),
            # Always so for these statuses; said, so the watch's index is used to the limit.
            Report.closed_at.is_(None),
            Report.deadline_at.is_not(None),
            Report.deadline_at < before,
            Report.reminded_at.is_(None),
        )
        .with_for_update(skip_locked=True, key_share=True)
    )
    return (await session.execute(query)).scalars().all()


async def overdue(
    session: AsyncSession, statuses: Sequence[Status], now: datetime
) -> Sequence[Report]:
    """Reports past their deadline and not yet escalated; locked for us."""
    query = (
        select(Report)
        .where(
            Report.status.in_(statuses),
            Report.closed_at.is_(None),
            Report.deadline_at < now,
            Report.escalated_at.is_(None),
        )
        .with_for_update(skip_locked=True, key_share=True)
    )
    return (await session.execute(query)).scalars().all()


async def past_dispute_window(session: AsyncSession, now: datetime) -> Sequence[Report]:
    """Done reports whose dispute window has passed and are not yet closed for good."""
    query = (
        select(Report)
        .where(
            Report.status == Status.SELESAI,
            Report.deadline_at < now,
            Report.closed_at.is_(None),
        )
        .with_for_update(skip_locked=True, key_share=True)
    )
    return (await session.execute(query)).scalars().all()


async def holds_past_limit(session: AsyncSession, now: datetime, limit: int) -> Sequence[Report]:
    """Held reports whose citizen has not answered within the hold's limit; locked for us.

    Locked FOR UPDATE: the watch then changes them through the workflow, which adds rows
    (timeline, outbox) referring to them."""
    query = (
        select(Report)
        .where(
            Report.status == Status.DITUNDA,
            Report.closed_at.is_(None),
            Report.deadline_at < now,
        )
        .order_by(Report.deadline_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(query)).scalars().all()


async def get(session: AsyncSession, report_id: int | None) -> Report | None:
    """A report by its id; None when there is none (or no id was given)."""
    return await session.get(Report, report_id) if report_id is not None else None


async def filed_since(session: AsyncSession, reporter_id: int, since: datetime) -> int:
    """How many reports the reporter has filed since an instant (the daily cap counts them)."""
    query = select(func.count()).where(
        Report.reporter_id == reporter_id, Report.created_at >= since
    )
    return int(await session.scalar(query) or 0)
