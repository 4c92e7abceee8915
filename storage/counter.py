"""Queries on counter filings and counter desks. Functions take the session and never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.core.lifecycle import Channel
from storage.models import AuditEntry, CounterDesk, CounterFiling, Report, Reporter

# The audit log's action for a claim by code and PIN, right or wrong.
CLAIM_ACTION = "claim"


async def desk_of(session: AsyncSession, officer_user_id: int) -> CounterDesk | None:
    """The officer's desk with its conversation row and draft loaded, if they have one."""
    return (
        await session.execute(
            select(CounterDesk)
            .where(CounterDesk.officer_user_id == officer_user_id)
            .options(joinedload(CounterDesk.reporter).joinedload(Reporter.draft))
        )
    ).scalar_one_or_none()


def open_desk(
    session: AsyncSession, officer_user_id: int, counter: str, locale: str, now: datetime
) -> CounterDesk:
    """A desk for an officer who has none, with an empty conversation row of its own."""
    reporter = Reporter(locale=locale, context="menu", tries=0, draft=None, created_at=now)
    desk = CounterDesk(
        officer_user_id=officer_user_id, counter=counter, reporter=reporter, updated_at=now
    )
    session.add_all((reporter, desk))
    return desk


def record_filing(
    session: AsyncSession,
    report: Report,
    *,
    counter: str,
    officer_user_id: int,
    citizen_name: str | None,
    citizen_phone: str | None,
    pin_hash: str,
    now: datetime,
) -> CounterFiling:
    """Stage the counter's record of a report it filed."""
    filing = CounterFiling(
        report_id=report.id,
        counter=counter,
        officer_user_id=officer_user_id,
        citizen_name=citizen_name,
        citizen_phone=citizen_phone,
        pin_hash=pin_hash,
        pin_issued_at=now,
        pin_wrong_tries=0,
    )
    session.add(filing)
    return filing


async def filing_of(session: AsyncSession, report_id: int) -> CounterFiling | None:
    """The counter record of a report, None for a report filed elsewhere."""
    return (
        await session.execute(select(CounterFiling).where(CounterFiling.report_id == report_id))
    ).scalar_one_or_none()


async def walk_in_of(session: AsyncSession, report: Report) -> CounterFiling | None:
    """The counter's record of a report filed at a counter; no query for any other."""
    if report.channel != Channel.COUNTER:
        return None
    return await filing_of(session, report.id)


async def filing_by_code(session: AsyncSession, code: int) -> tuple[Report, CounterFiling] | None:
    """A counter report and its record by tracking code, None for any other code."""
    row = (
        await session.execute(
            select(Report, CounterFiling)
            .join(CounterFiling, CounterFiling.report_id == Report.id)
            .where(Report.code == code)
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1])


async def count_wrong_try(session: AsyncSession, filing: CounterFiling) -> int:
    """Count one more wrong PIN on a filing, in one UPDATE (processes never lose a count)."""
    tries = (
        await session.execute(
            update(CounterFiling)
            .where(CounterFiling.id == filing.id)
            .values(pin_wrong_tries=CounterFiling.pin_wrong_tries + 1)
            .returning(CounterFiling.pin_wrong_tries)
            .execution_options(synchronize_session=False)
        )
    ).scalar_one()
    await session.refresh(filing, ["pin_wrong_tries"])
    return int(tries)


async def mark_claimed(session: AsyncSession, filing: CounterFiling, now: datetime) -> bool:
    """Spend the PIN, unless a claim racing this one spent it first (then False)."""
    spent = (
        await session.execute(
            update(CounterFiling)
            .where(CounterFiling.id == filing.id, CounterFiling.claimed_at.is_(None))
            .values(claimed_at=now)
            .returning(CounterFiling.id)
            .execution_options(synchronize_session=False)
        )
    ).scalar_one_or_none()
    await session.refresh(filing, ["claimed_at"])
    return spent is not None


def new_pin(filing: CounterFiling, pin_hash: str, now: datetime) -> None:
    """Replace a filing's PIN (a lost receipt, or one locked by wrong tries)."""
    filing.pin_hash = pin_hash
    filing.pin_issued_at = now
    filing.pin_wrong_tries = 0


async def failed_claims_since(session: AsyncSession, telegram_user_id: int, since: datetime) -> int:
    """A person's refused claims since a moment, as the audit log counted them."""
    count = await session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == CLAIM_ACTION,
            AuditEntry.allowed.is_(False),
            AuditEntry.actor_user_id == telegram_user_id,
            AuditEntry.at >= since,
        )
    )
    return int(count or 0)
