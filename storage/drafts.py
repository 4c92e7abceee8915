"""Queries on drafts. Functions take the session and never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Draft, Reporter


def start(session: AsyncSession, reporter: Reporter, step: str, now: datetime) -> Draft:
    """Begin a new draft for a reporter who has none."""
    draft = Draft(reporter_id=reporter.id, step=step, answers={}, created_at=now, updated_at=now)
    session.add(draft)
    reporter.draft = draft
    return draft


def save(draft: Draft, *, step: str, answers: dict[str, Any], editing: bool, now: datetime) -> None:
    """Record the draft's new step and answers; a reminder may come again later."""
    draft.step = step
    draft.answers = answers
    draft.editing = editing
    draft.updated_at = now
    draft.reminded_at = None


async def discard(session: AsyncSession, reporter: Reporter) -> None:
    """Remove the reporter's draft (cancelled or submitted)."""
    if reporter.draft is not None:
        await session.delete(reporter.draft)
        reporter.draft = None


@dataclass(frozen=True)
class Reminder:
    """A citizen to remind of an unfinished draft, and when it was last touched."""

    reporter_id: int
    locale: str
    last_activity: datetime
    voice_replies: bool = False


async def due_for_reminder(
    session: AsyncSession, idle_since: datetime, now: datetime
) -> list[Reminder]:
    """Claim drafts idle since before `idle_since` and not yet reminded.

    The claim is an UPDATE, so two processes running the reminder job never remind the
    same citizen twice.
    """
    claimed = (
        await session.execute(
            update(Draft)
            .where(Draft.updated_at < idle_since, Draft.reminded_at.is_(None))
            .values(reminded_at=now, version=Draft.version + 1)
            .returning(Draft.reporter_id, Draft.updated_at)
            .execution_options(synchronize_session=False)
        )
    ).all()
    if not claimed:
        return []
    last_activity = {row.reporter_id: row.updated_at for row in claimed}
    rows = await session.execute(
        select(Reporter.id, Reporter.locale, Reporter.voice_replies).where(
            Reporter.id.in_(last_activity), Reporter.chat_id.is_not(None)
        )
    )
    return [Reminder(row.id, row.locale, last_activity[row.id], row.voice_replies) for row in rows]


async def expire(session: AsyncSession, idle_since: datetime) -> int:
    """Delete drafts idle since before `idle_since`; returns how many."""
    result = await session.execute(
        delete(Draft)
        .where(Draft.updated_at < idle_since)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
