"""Citizens following reports that are not theirs ("ikut pantau"). Functions never commit.

Each report keeps its count of followers beside the rows (Report.followers), changed by the
database itself (`followers + 1`), so two citizens joining at once are both counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import Follower, Report, Reporter

JOINED = "joined"
DUPLICATE = "duplicate"


async def _count_by(session: AsyncSession, report: Report, change: int) -> None:
    """Add `change` to the report's count in the database, and show the new count on it."""
    count = await session.scalar(
        update(Report)
        .where(Report.id == report.id)
        .values(followers=Report.followers + change)
        .returning(Report.followers)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(report, "followers", int(count or 0))


async def is_following(session: AsyncSession, report: Report, reporter_id: int) -> bool:
    """The citizen follows the report."""
    found = await session.scalar(
        select(Follower.id).where(
            Follower.report_id == report.id, Follower.reporter_id == reporter_id
        )
    )
    return found is not None


async def follow(
    session: AsyncSession, report: Report, reporter_id: int, *, reason: str, now: datetime
) -> bool:
    """Make the citizen a follower; False when they already follow it or filed it."""
    if report.reporter_id == reporter_id or await is_following(session, report, reporter_id):
        return False
    session.add(Follower(report_id=report.id, reporter_id=reporter_id, reason=reason, since=now))
    await session.flush()
    await _count_by(session, report, 1)
    return True


async def unfollow(session: AsyncSession, report: Report, reporter_id: int) -> bool:
    """Stop the citizen following the report; False when they did not."""
    gone = await session.execute(
        delete(Follower)
        .where(Follower.report_id == report.id, Follower.reporter_id == reporter_id)
        .returning(Follower.id)
    )
    if gone.first() is None:
        return False
    await _count_by(session, report, -1)
    return True


async def followed(session: AsyncSession, reporter_id: int, code: int) -> Report | None:
    """The report of that code, if the citizen follows it."""
    return (
        await session.execute(
            select(Report)
            .join(Follower, Follower.report_id == Report.id)
            .where(Report.code == code, Follower.reporter_id == reporter_id)
        )
    ).scalar_one_or_none()


async def of_report(session: AsyncSession, report_id: int) -> Sequence[Reporter]:
    """The citizens following a report who can still be told (not erased)."""
    return (
        (
            await session.execute(
                select(Reporter)
                .join(Follower, Follower.reporter_id == Reporter.id)
                .where(Follower.report_id == report_id, Reporter.erased_at.is_(None))
                .order_by(Follower.id)
            )
        )
        .scalars()
        .all()
    )


async def move(
    session: AsyncSession, duplicate: Report, kept: Report, *, now: datetime
) -> list[int]:
    """A duplicate's reporter and followers follow the report it joined instead; the ids of
    the citizens who now follow it for the first time."""
    ids = list(
        await session.scalars(
            select(Follower.reporter_id).where(Follower.report_id == duplicate.id)
        )
    )
    if ids:
        await session.execute(delete(Follower).where(Follower.report_id == duplicate.id))
        await _count_by(session, duplicate, -len(ids))
    if duplicate.reporter_id is not None:
        ids.insert(0, duplicate.reporter_id)
    moved: list[int] = []
    for reporter_id in ids:
        if await follow(session, kept, reporter_id, reason=DUPLICATE, now=now):
            moved.append(reporter_id)
    return moved


async def forget(session: AsyncSession, reporter_id: int) -> None:
    """Erasing a citizen's data: they follow nothing any more, and the counts drop."""
    report_ids = list(
        await session.scalars(select(Follower.report_id).where(Follower.reporter_id == reporter_id))
    )
    if not report_ids:
        return
    await session.execute(delete(Follower).where(Follower.reporter_id == reporter_id))
    await session.execute(
        update(Report)
        .where(Report.id.in_(report_ids))
        .values(followers=Report.followers - 1)
        .execution_options(synchronize_session=False)
    )
