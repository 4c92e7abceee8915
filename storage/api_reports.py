"""Report queries for the HTTP APIs: an agency's queue, and the public Open311 view.
Functions take the session and never commit."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

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


async def public_by_codes(session: AsyncSession, codes: Collection[int]) -> Sequence[Report]:
    """Public (not rahasia) reports with these codes, newest first."""
    query = (
        select(Report)
        .where(Report.code.in_(list(codes)), Report.confidential == false())
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
    session: AsyncSession, window: TimeRange, limit: int
) -> Sequence[tuple[TimelineEvent, Report]]:
    """Status changes of public reports made within the window, oldest first."""
    query = (
        select(TimelineEvent, Report)
        .join(Report, Report.id == TimelineEvent.report_id)
        .where(
            Report.confidential == false(),
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
