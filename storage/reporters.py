"""Queries on reporters. Functions take the session and never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Reporter


@dataclass(frozen=True)
class Identity:
    """What Telegram tells us about the person writing."""

    telegram_user_id: int
    chat_id: int
    first_name: str | None
    last_name: str | None
    username: str | None


def _by_user(telegram_user_id: int) -> Select[Reporter]:
    return (
        select(Reporter)
        .where(Reporter.telegram_user_id == telegram_user_id)
        .options(selectinload(Reporter.draft))
    )


async def find(session: AsyncSession, who: Identity) -> Reporter | None:
    """The reporter for a Telegram user, with the draft loaded; None before consent."""
    reporter = (await session.execute(_by_user(who.telegram_user_id))).scalar_one_or_none()
    if reporter is not None:
        refresh_identity(reporter, who)
    return reporter


def stranger(locale: str) -> Reporter:
    """An unsaved reporter for someone who has not consented: nothing of them is stored."""
    return Reporter(locale=locale, context="menu", tries=0, draft=None)


async def create_with_consent(
    session: AsyncSession, who: Identity, locale: str, now: datetime
) -> Reporter:
    """Store a person who has just consented (or return them if another process did)."""
    reporter = Reporter(
        telegram_user_id=who.telegram_user_id,
        locale=locale,
        context="menu",
        tries=0,
        consent_at=now,
        draft=None,
    )
    refresh_identity(reporter, who)
    try:
        # A savepoint, so that losing a race with another process keeps the transaction.
        async with session.begin_nested():
            session.add(reporter)
    except IntegrityError:
        reporter = (await session.execute(_by_user(who.telegram_user_id))).scalar_one()
    return reporter


def refresh_identity(reporter: Reporter, who: Identity) -> None:
    """Keep name and chat current; equal values mark nothing dirty, so no UPDATE is sent."""
    reporter.chat_id = who.chat_id
    reporter.first_name = who.first_name
    reporter.last_name = who.last_name
    reporter.username = who.username
