"""Queries behind the statistics and the monthly export. Functions never commit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.lifecycle import Status
from storage.models import Report, TimelineEvent


@dataclass(frozen=True)
class Queue:
    """One agency's queue: its reports with one of these statuses (the rest are not its)."""

    agency: str
    statuses: Collection[Status]


def _submitted(start: datetime, end: datetime, queue: Queue | None) -> Select[int]:
    query = select(Report.id).where(Report.created_at >= start, Report.created_at < end)
    if queue is None:
        return query
    return query.where(Report.agency == queue.agency, Report.status.in_(list(queue.statuses)))


async def submitted_between(
    session: AsyncSession, start: datetime, end: datetime, queue: Queue | None
) -> Sequence[Report]:
    """Reports submitted in [start, end), in one agency's queue or all, oldest first."""
    query = select(Report).where(Report.id.in_(_submitted(start, end, queue)))
    return (await session.execute(query.order_by(Report.created_at, Report.id))).scalars().all()


@dataclass(frozen=True)
class StatusChange:
    """One move of a report between statuses (the first has no `from_status`)."""

    at: datetime
    from_status: Status | None
    to_status: Status


async def status_changes_between(
    session: AsyncSession, start: datetime, end: datetime, queue: Queue | None
) -> dict[int, list[StatusChange]]:
    """The status changes of those same reports, by report id, oldest first.

    One query for the whole period, of plain columns (no ORM objects to build): notes and
    relayed replies (no change of status) are left out, since the figures only look at
    when a report moved.
    """
    query = (
        select(
            TimelineEvent.report_id,
            TimelineEvent.at,
            TimelineEvent.from_status,
            TimelineEvent.to_status,
        )
        .where(
            TimelineEvent.report_id.in_(_submitted(start, end, queue)),
            (TimelineEvent.from_status.is_(None))
            | (TimelineEvent.from_status != TimelineEvent.to_status),
        )
        .order_by(TimelineEvent.report_id, TimelineEvent.id)
    )
    changes: dict[int, list[StatusChange]] = defaultdict(list)
    for report_id, at, from_status, to_status in await session.execute(query):
        changes[report_id].append(StatusChange(at, from_status, to_status))
    return dict(changes)
