"""Reports sent to agencies' own systems, and how far those systems' updates were read.
Functions take the session and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.lifecycle import Status
from storage.models import AgencyPoll, AgencyRequest, AgencyUpdateSeen, Report


async def by_key(session: AsyncSession, send_key: str) -> AgencyRequest | None:
    """The request a POST with this Idempotency-Key made, if it was recorded."""
    return (
        await session.execute(select(AgencyRequest).where(AgencyRequest.send_key == send_key))
    ).scalar_one_or_none()


def add(
    session: AsyncSession,
    *,
    report_id: int,
    agency: str,
    method: str,
    external_id: str | None,
    token: str | None,
    send_key: str,
    now: datetime,
) -> AgencyRequest:
    """Stage the record of a report the agency's system took."""
    row = AgencyRequest(
        report_id=report_id,
        agency=agency,
        method=method,
        external_id=external_id,
        token=token,
        send_key=send_key,
        sent_at=now,
    )
    session.add(row)
    return row


async def report_for(
    session: AsyncSession, agency: str, external_id: str
) -> tuple[AgencyRequest, Report] | None:
    """Our report behind an id the agency's system gave, with its record."""
    row = (
        await session.execute(
            select(AgencyRequest, Report)
            .join(Report, Report.id == AgencyRequest.report_id)
            .where(AgencyRequest.agency == agency, AgencyRequest.external_id == external_id)
            .order_by(AgencyRequest.id.desc())
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def open_requests(session: AsyncSession, agency: str) -> Sequence[AgencyRequest]:
    """The requests sent to an agency's system whose report is still in its queue here."""
    return (
        (
            await session.execute(
                select(AgencyRequest)
                .join(Report, Report.id == AgencyRequest.report_id)
                .where(
                    AgencyRequest.agency == agency,
                    Report.agency == agency,
                    Report.status.in_([Status.DITERUSKAN, Status.DITINDAKLANJUTI]),
                )
            )
        )
        .scalars()
        .all()
    )


async def of_report(session: AsyncSession, report_id: int) -> Sequence[AgencyRequest]:
    """What a report's agencies' systems know it by, oldest first."""
    return (
        (
            await session.execute(
                select(AgencyRequest)
                .where(AgencyRequest.report_id == report_id)
                .order_by(AgencyRequest.id)
            )
        )
        .scalars()
        .all()
    )


async def polled_until(session: AsyncSession, agency: str) -> datetime | None:
    """Up to when the agency's system has been read for updates."""
    return await session.scalar(select(AgencyPoll.polled_until).where(AgencyPoll.agency == agency))


async def note_polled(session: AsyncSession, agency: str, until: datetime) -> None:
    """The agency's system has been read up to `until`."""
    row = await session.get(AgencyPoll, agency)
    if row is None:
        session.add(AgencyPoll(agency=agency, polled_until=until))
    else:
        row.polled_until = until


async def first_sight(session: AsyncSession, agency: str, update_id: str, now: datetime) -> bool:
    """Note an update as seen; False when it had been seen (and applied) before."""
    seen = await session.get(AgencyUpdateSeen, (agency, update_id))
    if seen is not None:
        return False
    # Another poller inserting the same row meanwhile makes this unit of work fail (its
    # primary key), so the update is applied by one of them only.
    session.add(AgencyUpdateSeen(agency=agency, update_id=update_id, seen_at=now))
    await session.flush()
    return True
