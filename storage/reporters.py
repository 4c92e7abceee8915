"""Queries on reporters. Functions take the session and never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Select, Table, bindparam, case, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import Reporter
from storage.types import UTCDateTime

# Declarative types __table__ as any FromClause; a mapped class's is always a Table.
_REPORTERS = cast(Table, Reporter.__table__)


@dataclass(frozen=True)
class Identity:
    """What Telegram tells us about the person writing."""

    telegram_user_id: int
    chat_id: int
    first_name: str | None
    last_name: str | None
    username: str | None


# Every citizen turn reads both: one joined SELECT, not a second query for the draft (at
# most one draft a reporter, so the join never multiplies rows). Built once with a bound
# parameter, like the flood count below: a statement object used again keeps its cache
# key, so SQLAlchemy neither builds nor walks it anew for every message.
_BY_USER: Select[Reporter] = (
    select(Reporter)
    .where(Reporter.telegram_user_id == bindparam("telegram_user_id"))
    .options(joinedload(Reporter.draft))
)


async def _by_user(session: AsyncSession, telegram_user_id: int) -> Reporter | None:
    found = await session.execute(_BY_USER, {"telegram_user_id": telegram_user_id})
    return found.scalar_one_or_none()


async def find(session: AsyncSession, who: Identity) -> Reporter | None:
    """The reporter for a Telegram user, with the draft loaded; None before consent."""
    reporter = await _by_user(session, who.telegram_user_id)
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
        found = await _by_user(session, who.telegram_user_id)
        assert found is not None, "the row that refused ours is there"
        reporter = found
    return reporter


def refresh_identity(reporter: Reporter, who: Identity) -> None:
    """Keep name and chat current; equal values mark nothing dirty, so no UPDATE is sent."""
    reporter.chat_id = who.chat_id
    reporter.first_name = who.first_name
    reporter.last_name = who.last_name
    reporter.username = who.username


_FLOOD = _REPORTERS.c
# The window has passed (or never started): the count starts again at this message.
_FRESH = or_(
    _FLOOD.flood_started_at.is_(None),
    _FLOOD.flood_started_at <= bindparam("window_start", type_=UTCDateTime()),
)
# On the table, not the mapped class: an ORM-enabled UPDATE goes through the ORM's
# bulk-update machinery on every message, for two values set on the object afterwards.
_COUNT_MESSAGE = (
    update(_REPORTERS)
    .where(_FLOOD.id == bindparam("reporter_id"))
    .values(
        flood_started_at=case(
            (_FRESH, bindparam("now", type_=UTCDateTime())), else_=_FLOOD.flood_started_at
        ),
        flood_count=case((_FRESH, 1), else_=_FLOOD.flood_count + 1),
    )
    .returning(_FLOOD.flood_count, _FLOOD.flood_started_at)
)


async def count_message(
    session: AsyncSession, reporter: Reporter, now: datetime, window: timedelta
) -> tuple[int, datetime]:
    """Count one more message in the reporter's flood window; the count and window start.

    One UPDATE does it, so processes sharing the database never lose a count: PostgreSQL
    locks the row until the unit of work ends, SQLite the whole database. A window that has
    passed starts again at `now`.
    """
    params = {"reporter_id": reporter.id, "now": now, "window_start": now - window}
    count, started = (await session.execute(_COUNT_MESSAGE, params)).one()
    assert started is not None, "the update always sets the window's start"
    set_committed_value(reporter, "flood_count", count)
    set_committed_value(reporter, "flood_started_at", started)
    return int(count), started


def bar(reporter: Reporter, reason: str, now: datetime) -> None:
    """Bar a citizen: nothing they send is filed until staff lift it."""
    reporter.barred_at = now
    reporter.barred_reason = reason
    reporter.bar_noticed_at = None


def unbar(reporter: Reporter) -> None:
    """Lift a bar; the citizen is answered as before."""
    reporter.barred_at = None
    reporter.barred_reason = None
    reporter.bar_noticed_at = None
