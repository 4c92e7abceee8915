"""Report queries for the HTTP APIs: an agency's queue, and the public Open311 view.
Functions take the session and never commit."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from bot.core.lifecycle import Status
from storage.models import Report, TimelineEvent


@dataclass(frozen=True)
class TimeRange:
    """Requested between `start` and `end` (inclusive)."""

    start: datetime
    end: datetime


async def agency_queue(
    session: AsyncSession,
    agency: str,
    statuses: Collection[Status],
    *,
    since: datetime | None,
    offset: int,
    limit: int,
) -> Sequence[Report]:
    """Reports of an agency with one of `statuses`, least recently changed first.

    Its queue only when `statuses` are the queue's (bot.core.queues.AT_AGENCY) or some of
    them: a report handed back keeps its agency, so the statuses are what exclude it.
    """
    query = select(Report).where(Report.agency == agency, Report.status.in_(list(statuses)))
    if since is not None:
        query = query.where(Report.updated_at >= since)
    query = query.order_by(Report.updated_at, Report.id).offset(offset).limit(limit)
    return (await session.execute(query)).scalars().all()


def _seen_by(client_id: int | None) -> ColumnElement[bool]:
    """Public (not rahasia) reports, and those the Open311 key asking filed itself."""
    public = Report.confidential == false()
    return or_(public, Report.client_id == client_id) if client_id is not None else public


async def public_by_codes(
    session: AsyncSession, codes: Collection[int], *, client_id: int | None = None
) -> Sequence[Report]:
    """Public (not rahasia) reports with these codes, newest first."""
    query = (
        select(Report)
        .where(Report.code.in_(list(codes)), _seen_by(client_id))
        .order_by(Report.created_at.desc(), Report.id.desc())
    )
    return (await session.execute(query)).scalars().all()


async def public_requests(
    session: AsyncSession,
    window: TimeRange,
    *,
    categories: Collection[str] | None,
    statuses: Collection[Status] | None,
    limit: int,
) -> Sequence[Report]:
    """Public (not rahasia) reports made within the window, newest first."""
    query = select(Report).where(
        Report.confidential == false(),
        Report.created_at >= window.start,
        Report.created_at <= window.end,
    )
    if categories is not None:
        query = query.where(Report.category.in_(list(categories)))
    if statuses is not None:
        query = query.where(Report.status.in_(list(statuses)))
    query = query.order_by(Report.created_at.desc(), Report.id.desc()).limit(limit)
    return (await session.execute(query)).scalars().all()


async def public_updates(
    session: AsyncSession, window: TimeRange, limit: int, *, client_id: int | None = None
) -> Sequence[tuple[TimelineEvent, Report]]:
    """Status changes of public reports made within the window, oldest first (and of the
    reports the asking Open311 key filed, rahasia or not)."""
    query = (
        select(TimelineEvent, Report)
        .join(Report, Report.id == TimelineEvent.report_id)
        .where(
            _seen_by(client_id),
            TimelineEvent.at >= window.start,
            TimelineEvent.at <= window.end,
            or_(
                TimelineEvent.from_status.is_(None),
                TimelineEvent.from_status != TimelineEvent.to_status,
            ),
        )
        .order_by(TimelineEvent.at, TimelineEvent.id)
        .limit(limit)
    )
    return [(event, report) for event, report in (await session.execute(query)).all()]


async def hold_questions(session: AsyncSession, report_ids: Collection[int]) -> dict[int, str]:
    """The question each held report was put on hold with (the last hold's public text)."""
    if not report_ids:
        return {}
    rows = await session.execute(
        select(TimelineEvent.report_id, TimelineEvent.public_text)
        .where(
            TimelineEvent.report_id.in_(list(report_ids)),
            TimelineEvent.to_status == Status.DITUNDA,
            TimelineEvent.from_status != Status.DITUNDA,
            TimelineEvent.public_text.is_not(None),
        )
        .order_by(TimelineEvent.id)
    )
    return {report_id: text for report_id, text in rows.all() if text}


async def filed_with_key(session: AsyncSession, client_id: int, key: str) -> Report | None:
    """The report an Open311 key filed with this Idempotency-Key, if it did."""
    return (
        await session.execute(
            select(Report).where(Report.client_id == client_id, Report.client_key == key)
        )
    ).scalar_one_or_none()


async def filed_since(session: AsyncSession, client_id: int, since: datetime) -> int:
    """How many reports an Open311 key filed at or after an instant."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Report)
            .where(Report.client_id == client_id, Report.created_at >= since)
        )
        or 0
    )


async def first_filed_since(
    session: AsyncSession, client_id: int, since: datetime
) -> datetime | None:
    """When the key's oldest report at or after an instant was filed (for Retry-After)."""
    return await session.scalar(
        select(func.min(Report.created_at)).where(
            Report.client_id == client_id, Report.created_at >= since
        )
    )
