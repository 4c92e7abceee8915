"""Handled updates: each Telegram update takes effect once. Functions never commit.

The row is written in the unit of work that applies the update, so the effect and the
record commit together; the replies it stores are what the sender still owes Telegram.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.insert_new import insert_new
from storage.models import HandledUpdate, InboxUpdate

# Declarative types __table__ as any FromClause; a mapped class's is always a Table.
_HANDLED = cast(Table, HandledUpdate.__table__)


@dataclass(frozen=True)
class Handled:
    """What a redelivered update needs of its record: whether, and what, it still owes."""

    replies_sent: bool
    chat_id: int | None
    replies: list[dict[str, Any]] | None
    handled_at: datetime


# Four columns on the table, not a mapped object entered into the identity map for a row
# that is almost never there; built once, so its cache key is not computed at every lookup.
_FIND = select(
    _HANDLED.c.replies_sent,
    _HANDLED.c.chat_id,
    _HANDLED.c.replies,
    _HANDLED.c.handled_at,
).where(_HANDLED.c.update_id == bindparam("update_id"))
# One row a unit of work, on the table: the ORM's flush would build a mapped object, track
# it and sort it into the unit of work, for a row nothing reads back.
_RECORD = insert(_HANDLED)


async def find(session: AsyncSession, update_id: int) -> Handled | None:
    """The record of an update handled before, or None for a new one."""
    row = (await session.execute(_FIND, {"update_id": update_id})).one_or_none()
    if row is None:
        return None
    return Handled(bool(row.replies_sent), row.chat_id, row.replies, row.handled_at)


async def forget(session: AsyncSession, update_id: int) -> None:
    """Drop one record: it belongs to another update that had the same number."""
    await session.execute(delete(_HANDLED).where(_HANDLED.c.update_id == update_id))


async def highest_update_id(session: AsyncSession) -> int:
    """The highest update number this database has kept (handled or waiting), or 0."""
    numbers = union_all(
        select(func.max(HandledUpdate.update_id).label("n")),
        select(func.max(InboxUpdate.update_id).label("n")),
    ).subquery()
    return int(await session.scalar(select(func.max(numbers.c.n))) or 0)


async def record(
    session: AsyncSession,
    update_id: int,
    *,
    chat_id: int | None,
    replies: list[dict[str, Any]],
    now: datetime,
) -> None:
    """Note the update as handled in the caller's transaction, with the replies it owes.

    A second process handling the same update fails on the primary key (here, or at its
    commit), so the effect is never applied twice.
    """
    await session.execute(
        _RECORD,
        {
            "update_id": update_id,
            "handled_at": now,
            # The chat is kept only while replies are owed to it: it identifies a person.
            "chat_id": chat_id if replies else None,
            "replies": replies or None,
            "replies_sent": not replies,
        },
    )


async def record_finished(
    session: AsyncSession, update_ids: Collection[int], now: datetime
) -> None:
    """Note updates handled to the end that left no record (a refusal, an edit's note).

    Their answers went out already; a redelivery of one is then skipped, not answered twice.
    An update whose unit of work recorded it keeps that record.
    """
    rows = [
        {"update_id": i, "handled_at": now, "chat_id": None, "replies": None, "replies_sent": True}
        for i in update_ids
    ]
    await insert_new(session, HandledUpdate, rows)


async def mark_sent(session: AsyncSession, update_id: int) -> None:
    """The replies went out: forget their content and chat (both identify the citizen)."""
    # Once an update, after its replies: on the table, without the ORM's bulk-update
    # machinery and its search of the session for objects to synchronise.
    await session.execute(
        update(_HANDLED)
        .where(_HANDLED.c.update_id == update_id)
        .values(replies_sent=True, replies=None, chat_id=None)
    )


async def mark_sent_many(session: AsyncSession, update_ids: Collection[int]) -> None:
    """`mark_sent` for several updates in one statement (the ledger's batches)."""
    await session.execute(
        update(_HANDLED)
        .where(_HANDLED.c.update_id.in_(list(update_ids)))
        .values(replies_sent=True, replies=None, chat_id=None)
    )


@dataclass(frozen=True)
class Owed:
    """Replies an update still owes, claimed for sending."""

    update_id: int
    chat_id: int | None
    replies: list[dict[str, Any]]


async def claim_owed(
    session: AsyncSession, now: datetime, waited: timedelta, limit: int = 50
) -> list[Owed]:
    """Records whose replies are unsent `waited` after the fact, claimed by this caller.

    Claiming moves `handled_at` to now, so no other process takes the same record until
    `waited` has passed again; the update is atomic on both databases.
    """
    due = (
        select(HandledUpdate.update_id)
        .where(HandledUpdate.replies_sent.is_(False), HandledUpdate.handled_at < now - waited)
        .order_by(HandledUpdate.handled_at)
        .limit(limit)
    )
    claimed = await session.execute(
        update(HandledUpdate)
        .where(
            HandledUpdate.update_id.in_(due.scalar_subquery()),
            HandledUpdate.replies_sent.is_(False),
            HandledUpdate.handled_at < now - waited,
        )
        .values(handled_at=now)
        .returning(HandledUpdate.update_id, HandledUpdate.chat_id, HandledUpdate.replies)
        .execution_options(synchronize_session=False)
    )
    return [Owed(update_id, chat_id, replies or []) for update_id, chat_id, replies in claimed]


async def claim_one(
    session: AsyncSession, update_id: int, seen_at: datetime, now: datetime
) -> bool:
    """Claim the unsent replies of one redelivered update; False if another sender has.

    The redelivery and the owed-replies sweep both find them unsent after a restart: whoever
    moves `handled_at` first sends them, as `claim_owed` does for the sweep.
    """
    claimed = await session.execute(
        update(_HANDLED)
        .where(
            _HANDLED.c.update_id == update_id,
            _HANDLED.c.replies_sent.is_(False),
            _HANDLED.c.handled_at <= seen_at,
        )
        .values(handled_at=now)
        .returning(_HANDLED.c.update_id)
    )
    return claimed.first() is not None


async def prune(session: AsyncSession, before: datetime) -> int:
    """Delete records handled before `before`; how many went."""
    result = await session.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
