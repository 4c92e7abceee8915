"""Queries behind the statistics and the monthly export, made by the database. Never commits.

A city's six months are tens of thousands of reports: loading them and their timelines
into Python took seconds at a million reports and held the event loop meanwhile. The
database counts instead, grouped by bar, status, agency and how the first response stood
against its limit; it reads that from columns the workflow keeps on the report as it
moves (`forwarded_at`, `response_due_at`, `responded_at`, `done_at`), so no timeline is
read. The export reads a month's rows a page at a time, as plain tuples.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.lifecycle import Classification, Status
from storage.models import Report, UnitTurn

# How a report's first response by its agency stands (the values bot.stats names).
ON_TIME = "tepat_waktu"
LATE = "terlambat"
PENDING = "belum_jatuh_tempo"
NOT_FORWARDED = "belum_diteruskan"
EXPORT_PAGE = 1000


@dataclass(frozen=True)
class Queue:
    """One agency's queue: its reports with one of these statuses (the rest are not its)."""

    agency: str
    statuses: Collection[Status]


def timeliness(now: datetime) -> ColumnElement[str]:
    """The first response's standing, as SQL: the rules of bot.stats (docs/statistics.md)."""
    answered = Report.responded_at.is_not(None)
    late_unanswered = (Report.response_due_at < now) | and_(
        Report.status == Status.DITERUSKAN, Report.escalated_at.is_not(None)
    )
    return case(
        (Report.forwarded_at.is_(None), literal(NOT_FORWARDED)),
        (answered & (Report.responded_at <= Report.response_due_at), literal(ON_TIME)),
        (answered, literal(LATE)),
        (late_unanswered, literal(LATE)),
        else_=literal(PENDING),
    )


def _within(start: datetime, end: datetime, queue: Queue | None) -> list[ColumnElement[bool]]:
    where = [Report.created_at >= start, Report.created_at < end]
    if queue is not None:
        where += [Report.agency == queue.agency, Report.status.in_(list(queue.statuses))]
    return where


@dataclass(frozen=True)
class Tally:
    """How many reports of one bar, status and agency have one standing."""

    bar: int
    status: Status
    agency: str
    standing: str
    count: int
    # How it came in (telegram, open311, counter), as stored.
    channel: str = "telegram"


async def tallies(
    session: AsyncSession, edges: Sequence[datetime], queue: Queue | None, now: datetime
) -> list[Tally]:
    """Counts of reports submitted between edges[0] and edges[-1], by the bar (edges[i]
    to edges[i + 1]) they came in, status, agency and first-response standing."""
    bar = case(
        *((Report.created_at < edge, literal(i)) for i, edge in enumerate(edges[1:-1])),
        else_=literal(len(edges) - 2),
    ).label("bar")
    standing = timeliness(now).label("standing")
    query = (
        select(bar, Report.status, Report.agency, standing, Report.channel, func.count())
        .where(*_within(edges[0], edges[-1], queue))
        .group_by(bar, Report.status, Report.agency, standing, Report.channel)
    )
    rows = await session.execute(query)
    return [Tally(int(b), Status(s), a, str(t), int(n), c) for b, s, a, t, c, n in rows]


def turn_standing(now: datetime) -> ColumnElement[str]:
    """A unit's turn with a report, judged as a first response is (docs/statistics.md): a
    response by the limit is on time, after it late; without one, late once the limit has
    passed or the deadline watch took the report away, and not judged when the report was
    taken from the unit before its limit (the verifiers forwarded it elsewhere)."""
    answered = UnitTurn.responded_at.is_not(None)
    return case(
        (answered & (UnitTurn.responded_at <= UnitTurn.due_at), literal(ON_TIME)),
        (answered, literal(LATE)),
        (UnitTurn.escalated, literal(LATE)),
        (
            UnitTurn.ended_at.is_not(None) & (UnitTurn.ended_at <= UnitTurn.due_at),
            literal(NOT_FORWARDED),
        ),
        (UnitTurn.ended_at.is_not(None) | (UnitTurn.due_at < now), literal(LATE)),
        else_=literal(PENDING),
    )


@dataclass(frozen=True)
class TurnTally:
    """How many turns of one unit have one standing."""

    unit: str
    standing: str
    count: int


async def turn_tallies(
    session: AsyncSession, start: datetime, end: datetime, unit: str | None, now: datetime
) -> list[TurnTally]:
    """Counts of units' turns with reports submitted in [start, end), by unit and standing;
    one unit's only when `unit` is given (its own group asks)."""
    standing = turn_standing(now).label("standing")
    where = [Report.created_at >= start, Report.created_at < end]
    if unit is not None:
        where.append(UnitTurn.unit == unit)
    query = (
        select(UnitTurn.unit, standing, func.count())
        .join(Report, Report.id == UnitTurn.report_id)
        .where(*where)
        .group_by(UnitTurn.unit, standing)
    )
    rows = await session.execute(query)
    return [TurnTally(str(u), str(t), int(n)) for u, t, n in rows]


@dataclass(frozen=True)
class ExportRow:
    """What one line of the export shows of a report (no personal data, no free text)."""

    code: int
    created_at: datetime
    classification: Classification
    category: str
    agency: str
    status: Status
    forwarded_at: datetime | None
    response_due_at: datetime | None
    responded_at: datetime | None
    done_at: datetime | None
    standing: str
    anonymous: bool
    confidential: bool
    rating: str | None
    channel: str
    kecamatan_code: str | None
    kelurahan_code: str | None


async def export_rows(
    session: AsyncSession, start: datetime, end: datetime, queue: Queue | None, now: datetime
) -> AsyncIterator[list[ExportRow]]:
    """Reports submitted in [start, end), oldest first, a page at a time (keyset paging,
    so each page is an index range and memory does not grow with the month)."""
    columns: tuple[Any, ...] = (
        Report.code,
        Report.created_at,
        Report.classification,
        Report.category,
        Report.agency,
        Report.status,
        Report.forwarded_at,
        Report.response_due_at,
        Report.responded_at,
        Report.done_at,
        timeliness(now),
        Report.anonymous,
        Report.confidential,
        Report.rating,
        Report.channel,
        Report.kecamatan_code,
        Report.kelurahan_code,
        Report.id,
    )
    after: tuple[datetime, int] | None = None
    while True:
        query = select(*columns).where(*_within(start, end, queue))
        if after is not None:
            query = query.where(
                (Report.created_at > after[0])
                | ((Report.created_at == after[0]) & (Report.id > after[1]))
            )
        page = (
            await session.execute(query.order_by(Report.created_at, Report.id).limit(EXPORT_PAGE))
        ).all()
        if not page:
            return
        yield [ExportRow(*row[:-1]) for row in page]
        if len(page) < EXPORT_PAGE:
            return
        after = (page[-1][1], page[-1][-1])


@dataclass(frozen=True)
class AreaTally:
    """How many reports of one kecamatan (None: not placed) and status have one standing."""

    kecamatan: str | None
    status: Status
    standing: str
    count: int


async def area_tallies(
    session: AsyncSession, start: datetime, end: datetime, queue: Queue | None, now: datetime
) -> list[AreaTally]:
    """Counts of reports submitted in [start, end) by kecamatan, status and first-response
    standing: at most a few hundred rows whatever the city's years (ix_reports_created_at)."""
    standing = timeliness(now).label("standing")
    query = (
        select(Report.kecamatan_code, Report.status, standing, func.count())
        .where(*_within(start, end, queue))
        .group_by(Report.kecamatan_code, Report.status, standing)
    )
    rows = await session.execute(query)
    return [AreaTally(k, Status(s), str(t), int(n)) for k, s, t, n in rows]
