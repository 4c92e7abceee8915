"""The dispatcher's side of the outbox: claiming rows by lease, recording what happened,
and the records sending needs (topics, cards). Functions take the session, never commit.

A row is claimed only together with every earlier pending row of its chat (the
`order_key`), so a chat's messages leave in row order whichever dispatcher sends them:
a row whose predecessor waits (backoff, 429) or is held by another dispatcher waits too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, Text, bindparam, delete, exists, insert, or_, select, true, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from storage.models import CitizenMessage, OutboxMessage, Reporter, StaffMessage, Topic

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
UNREACHABLE = "unreachable"

OrderKey = Callable[[dict[str, Any]], Hashable]

# The outcomes of sends are written as Core statements on the table: the ORM's bulk-update
# machinery cost more than the statement itself, once a row. (Declarative types __table__
# as any FromClause; a mapped class's is always a Table.)
_OUTBOX = cast(Table, OutboxMessage.__table__)


@dataclass(frozen=True)
class ClaimLimits:
    """How much one claim may take."""

    rows: int = 100
    chats: int = 32
    rows_per_chat: int = 10
    # Pending rows looked at, oldest first; rows beyond wait for a later claim.
    scan: int = 2000


# Pending rows read at a time while claiming: at most, and at least while room is left.
PAGE = 200
MIN_PAGE = 20
# Destinations whose chats wait (a row backing off, or leased and being sent) that a claim
# skips without reading their rows; past that many, their rows are read and passed over.
BLOCKED = 500
# A destination's JSON as stored, so that SQL can tell a waiting chat's rows from others.
_DESTINATION_TEXT = sql_cast(_OUTBOX.c.destination, Text)


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(_OUTBOX.c.lease_until.is_(None), _OUTBOX.c.lease_until <= now)


def _due(now: datetime) -> list[ColumnElement[bool]]:
    return [
        _OUTBOX.c.state == PENDING,
        _OUTBOX.c.available_at <= now,
        _free(now),
    ]


async def has_due(session: AsyncSession, now: datetime) -> bool:
    """Whether any row could be sent now (a cheap read before taking the write lock)."""
    return bool(await session.scalar(select(exists().where(*_due(now)))))


@dataclass(frozen=True, slots=True)
class ClaimedRow:
    """What sending needs of a leased row, read as plain values: an ORM object a row cost
    more than its send (loading, identity map, and a flush of its lease once a row)."""

    id: int
    purpose: str
    destination: dict[str, Any]
    payload: dict[str, Any]
    attempts: int
    report_id: int | None
    lease_owner: str | None
    lease_until: datetime | None


class Claimed(list[ClaimedRow]):
    """The rows a claim leased; `contended` when due rows were held by another claim."""

    contended: bool = False


async def claim(
    session: AsyncSession,
    *,
    owner: str,
    now: datetime,
    lease_until: datetime,
    order_key: OrderKey,
    limits: ClaimLimits,
) -> Claimed:
    """Lease due rows to `owner`, oldest first, keeping each chat's rows in order."""
    if session.get_bind().dialect.name == "sqlite":
        # pysqlite begins a transaction only at the first write, so reads before it would
        # see rows another process is claiming at the same moment. Writing first takes
        # SQLite's single write lock: claims run one after another. (PostgreSQL relies on
        # FOR UPDATE SKIP LOCKED below.) The write also clears leases that have run out.
        await session.execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.state == PENDING, _OUTBOX.c.lease_until <= now)
            .values(lease_owner=None, lease_until=None)
        )
    # Twice the chats and rows as candidates: those another dispatcher holds locked are
    # skipped below, and the next ones taken instead of nothing.
    picker = _Picker(now, order_key, replace(limits, rows=2 * limits.rows, chats=2 * limits.chats))
    # Chats that must wait are closed before reading, and their rows are not read at all:
    # a chat failing with thousands of rows queued, or a staff group's backlog at its 20 a
    # minute, would otherwise fill every claim's scan and hold back the chats behind it.
    waiting = list(
        await session.scalars(
            select(_DESTINATION_TEXT)
            .where(
                _OUTBOX.c.state == PENDING,
                or_(_OUTBOX.c.available_at > now, _OUTBOX.c.lease_until > now),
            )
            .distinct()
            .limit(BLOCKED)
        )
    )
    picker.close(order_key(json.loads(text)) for text in waiting)
    skipped = _DESTINATION_TEXT.not_in(waiting) if waiting else true()
    after, looked = 0, 0
    # Page by page, oldest first: a claim that has found all it may take reads no further
    # (the JSON of thousands of waiting rows cost more than sending).
    while looked < limits.scan and not picker.full:
        page = (
            await session.execute(
                select(
                    _OUTBOX.c.id,
                    _OUTBOX.c.destination,
                    _OUTBOX.c.available_at,
                    _OUTBOX.c.lease_until,
                )
                .where(_OUTBOX.c.state == PENDING, _OUTBOX.c.id > after, skipped)
                .order_by(_OUTBOX.c.id)
                .limit(min(PAGE, limits.scan - looked, max(picker.room, MIN_PAGE)))
            )
        ).all()
        if not page:
            break
        picker.look(page)
        looked += len(page)
        after = page[-1][0]
    wanted = picker.picked
    if not wanted:
        return Claimed()
    # Another dispatcher may have taken some rows since: lock what is still free and
    # skip what is locked, then keep for each chat only the rows with no gap before them.
    got = {
        row.id: row
        for row in await session.execute(
            select(
                _OUTBOX.c.id, _OUTBOX.c.purpose, _OUTBOX.c.destination, _OUTBOX.c.payload,
                _OUTBOX.c.attempts, _OUTBOX.c.report_id,
            )
            .where(_OUTBOX.c.id.in_([row_id for row_id, _ in wanted]), *_due(now))
            .with_for_update(skip_locked=True)
        )
    }  # fmt: skip
    claimed = Claimed()
    # Rows locked by another dispatcher's claim right now (PostgreSQL) are not taken.
    claimed.contended = len(got) < len(wanted)
    broken: set[Hashable] = set()
    kept: set[Hashable] = set()
    for row_id, key in wanted:
        if key in broken:
            continue
        row = got.get(row_id)
        full = len(claimed) >= limits.rows or (key not in kept and len(kept) >= limits.chats)
        if row is None or full:
            broken.add(key)
            continue
        kept.add(key)
        claimed.append(ClaimedRow(*row, lease_owner=owner, lease_until=lease_until))
    if claimed:
        await session.execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id.in_([row.id for row in claimed]))
            .values(lease_owner=owner, lease_until=lease_until)
        )
    return claimed


class _Picker:
    """The rows to claim: for each chat, the due rows before its first one that is not."""

    def __init__(self, now: datetime, order_key: OrderKey, limits: ClaimLimits) -> None:
        self.now = now
        self.order_key = order_key
        self.limits = limits
        self.picked: list[tuple[int, Hashable]] = []
        self.taken: dict[Hashable, int] = {}
        self.closed: set[Hashable] = set()

    def close(self, keys: Iterable[Hashable]) -> None:
        """Chats known to wait: none of their rows is taken."""
        self.closed.update(keys)

    @property
    def full(self) -> bool:
        """No more rows, or no more chats, may be taken: later rows wait for a later claim."""
        return self.room <= 0

    @property
    def room(self) -> int:
        """Rows still to take if each were of a chat of its own (a page need hold no more:
        the JSON of rows read and not taken cost more than the claim's statements)."""
        return min(self.limits.rows - len(self.picked), self.limits.chats - len(self.taken))

    def look(self, pending: Sequence[Any]) -> None:
        """Consider the next pending rows, oldest first."""
        limits, taken, closed = self.limits, self.taken, self.closed
        for row_id, destination, available_at, lease_until in pending:
            key = self.order_key(destination)
            if key in closed:
                continue
            free = lease_until is None or lease_until <= self.now
            room = key in taken or len(taken) < limits.chats
            if (
                available_at > self.now
                or not free
                or not room
                or taken.get(key, 0) >= limits.rows_per_chat
                or len(self.picked) >= limits.rows
            ):
                closed.add(key)
                continue
            taken[key] = taken.get(key, 0) + 1
            self.picked.append((row_id, key))


async def release(session: AsyncSession, ids: Sequence[int], owner: str) -> None:
    """Give back leased rows untouched (not attempted): anyone may claim them again."""
    if ids:
        await session.execute(
            update(_OUTBOX)
            .where(
                _OUTBOX.c.id.in_(list(ids)),
                _OUTBOX.c.state == PENDING,
                _OUTBOX.c.lease_owner == owner,
            )
            .values(lease_owner=None, lease_until=None)
        )


async def lease_owners(session: AsyncSession, now: datetime) -> list[str]:
    """The dispatchers holding a lease on a pending row now."""
    owners = await session.scalars(
        select(OutboxMessage.lease_owner)
        .where(
            OutboxMessage.state == PENDING,
            OutboxMessage.lease_owner.is_not(None),
            OutboxMessage.lease_until > now,
        )
        .distinct()
    )
    return [owner for owner in owners if owner is not None]


async def release_owners(session: AsyncSession, owners: Sequence[str]) -> int:
    """Give back every pending row leased by these (dead) dispatchers; how many."""
    result: Any = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == PENDING, OutboxMessage.lease_owner.in_(list(owners)))
        .values(lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


async def retry_later(
    session: AsyncSession,
    row_id: int,
    *,
    owner: str,
    available_at: datetime,
    attempts: int,
    last_error: str | None,
) -> bool:
    """Put a leased row back to wait until `available_at`; False if no longer ours."""
    result = await session.execute(
        _RETRY_LATER,
        {
            "row_id": row_id,
            "owner": owner,
            "new_available_at": available_at,
            "new_attempts": attempts,
            "new_last_error": last_error,
        },
    )
    return _changed(result)


_RETRY_LATER = (
    update(_OUTBOX)
    .where(
        _OUTBOX.c.id == bindparam("row_id"),
        _OUTBOX.c.state == PENDING,
        _OUTBOX.c.lease_owner == bindparam("owner"),
    )
    .values(
        available_at=bindparam("new_available_at"),
        attempts=bindparam("new_attempts"),
        last_error=bindparam("new_last_error"),
        lease_owner=None,
        lease_until=None,
    )
)


async def close(
    session: AsyncSession,
    row_id: int,
    *,
    state: str,
    last_error: str,
    attempts: int | None = None,
) -> bool:
    """End a row as "failed" or "unreachable", keeping why; False if it had ended already."""
    values: dict[str, Any] = {"state": state, "last_error": last_error, "lease_until": None}
    if attempts is not None:
        values["attempts"] = attempts
    result = await session.execute(
        update(_OUTBOX).where(_OUTBOX.c.id == row_id, _OUTBOX.c.state == PENDING).values(**values)
    )
    return _changed(result)


async def mark_sent(
    session: AsyncSession,
    row_id: int,
    *,
    now: datetime,
    chat_id: int | None,
    message_id: int | None,
) -> bool:
    """Record the delivered message (no chat for a webhook); False if no longer pending.

    `lease_owner` stays as the record of which dispatcher sent it.
    """
    result = await session.execute(
        _MARK_SENT,
        {
            "row_id": row_id,
            "new_sent_at": now,
            "new_chat_id": chat_id,
            "new_message_id": message_id,
        },
    )
    return _changed(result)


@dataclass(frozen=True, slots=True)
class SentMark:
    """A row delivered as a message: which, and whether the message is linked to its report.

    `citizen`: sent to a citizen, whose reply to it adds to that report (kept apart from
    the outbox, whose sent rows are pruned); `link`: a staff message's kind, e.g. "card".
    """

    row_id: int
    chat_id: int | None
    message_id: int | None
    report_id: int | None = None
    citizen: bool = False
    link: str | None = None


async def mark_sent_many(
    session: AsyncSession, marks: Sequence[SentMark], now: datetime
) -> set[int]:
    """Record delivered rows in one statement and link their messages; the rows marked
    (those still pending). One statement a row cost more than the row's Bot API call."""
    if not marks:
        return set()
    result: Any = await session.execute(
        _MARK_SENT,
        [
            {
                "row_id": m.row_id,
                "new_sent_at": now,
                "new_chat_id": m.chat_id,
                "new_message_id": m.message_id,
            }
            for m in marks
        ],
    )
    citizens = [m for m in marks if m.citizen and m.report_id is not None]
    if citizens:
        await session.execute(
            insert(CitizenMessage),
            [
                {"chat_id": m.chat_id, "message_id": m.message_id, "report_id": m.report_id,
                 "created_at": now}
                for m in citizens
            ],
        )  # fmt: skip
    staff = [m for m in marks if m.link is not None and m.report_id is not None]
    if staff:
        await session.execute(
            insert(StaffMessage),
            [
                {"chat_id": m.chat_id, "message_id": m.message_id, "report_id": m.report_id,
                 "kind": m.link, "created_at": now}
                for m in staff
            ],
        )  # fmt: skip
    ids = {m.row_id for m in marks}
    if result.rowcount == len(marks):
        return ids
    # Some had been finished already (another dispatcher's, after a lease ran out), or the
    # driver does not count an executemany's rows: read back which now carry these messages.
    found = await session.execute(
        select(_OUTBOX.c.id, _OUTBOX.c.state, _OUTBOX.c.message_id, _OUTBOX.c.sent_at).where(
            _OUTBOX.c.id.in_(ids)
        )
    )
    wanted = {m.row_id: m.message_id for m in marks}
    return {
        row_id
        for row_id, state, message_id, sent_at in found
        if state == SENT and message_id == wanted[row_id] and sent_at == now
    }


# Built once: made anew for every row sent, the statement cost more than running it.
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"), _OUTBOX.c.state == PENDING)
    .values(
        state=SENT,
        sent_at=bindparam("new_sent_at"),
        chat_id=bindparam("new_chat_id"),
        message_id=bindparam("new_message_id"),
        lease_until=None,
        last_error=None,
    )
)


async def superseding_edit(
    session: AsyncSession, row_id: int, report_id: int, destination: dict[str, Any]
) -> int | None:
    """A later pending edit of the same card as this edit row, which makes it needless.

    Both edit the report's newest card in the same place, as long as no new card of the
    report is posted between them; each edit carries the whole card, so the later one
    alone leaves the card as it would be after both.
    """
    later = await session.execute(
        select(OutboxMessage.id, OutboxMessage.destination, OutboxMessage.payload)
        .where(
            OutboxMessage.report_id == report_id,
            OutboxMessage.id > row_id,
            OutboxMessage.state == PENDING,
        )
        .order_by(OutboxMessage.id)
    )
    for later_id, where, payload in later:
        if payload.get("link") != "card":
            continue  # a note, a file: not the card
        if not payload.get("edit_card"):
            return None  # a new card comes first: the later edits are of that one
        if where == destination:
            return int(later_id)
    return None


async def mark_superseded(session: AsyncSession, row_id: int, *, by: int, now: datetime) -> bool:
    """Close an edit row made needless by a later one as sent, with no message of its own;
    `last_error` says which row carries it. False if no longer pending."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.state == PENDING)
        .values(state=SENT, sent_at=now, lease_until=None, last_error=f"superseded by row {by}")
        .execution_options(synchronize_session=False)
    )
    return _changed(result)


async def newest_card(session: AsyncSession, chat_id: int, report_id: int) -> int | None:
    """The message id of the report's latest card in a chat, if it has one there."""
    return await session.scalar(
        select(StaffMessage.message_id)
        .where(
            StaffMessage.chat_id == chat_id,
            StaffMessage.report_id == report_id,
            StaffMessage.kind == "card",
        )
        .order_by(StaffMessage.id.desc())
        .limit(1)
    )


async def reporter_chat(session: AsyncSession, reporter_id: int) -> int | None:
    """The reporter's private chat, or None when they are unreachable or erased."""
    row = (
        await session.execute(
            select(Reporter.chat_id, Reporter.unreachable_at).where(Reporter.id == reporter_id)
        )
    ).one_or_none()
    if row is None:
        return None
    chat_id, unreachable_at = row
    return chat_id if unreachable_at is None else None


async def reporter_chats(session: AsyncSession, reporter_ids: Sequence[int]) -> dict[int, int]:
    """The private chats of the reachable reporters among these (a claim's, at once)."""
    found = await session.execute(
        select(Reporter.id, Reporter.chat_id).where(
            Reporter.id.in_(list(reporter_ids)), Reporter.unreachable_at.is_(None)
        )
    )
    return {reporter_id: chat_id for reporter_id, chat_id in found if chat_id is not None}


async def mark_unreachable(session: AsyncSession, reporter_id: int, now: datetime) -> None:
    """The citizen blocked the bot (or is gone): no more attempts to write to them."""
    await session.execute(
        update(Reporter)
        .where(Reporter.id == reporter_id, Reporter.unreachable_at.is_(None))
        .values(unreachable_at=now)
        .execution_options(synchronize_session=False)
    )


async def find_topic(session: AsyncSession, chat_id: int, key: str) -> int | None:
    """The thread id of the topic kept for a queue in a staff group."""
    thread_id: int | None = await session.scalar(
        select(Topic.thread_id).where(Topic.chat_id == chat_id, Topic.key == key)
    )
    return thread_id


def save_topic(session: AsyncSession, chat_id: int, key: str, thread_id: int) -> None:
    """Remember a topic the bot created (unique per chat and queue)."""
    session.add(Topic(chat_id=chat_id, key=key, thread_id=thread_id))


async def forget_topic(session: AsyncSession, chat_id: int, key: str, thread_id: int) -> None:
    """Drop a topic that was deleted by hand; a newer one stored meanwhile is kept."""
    await session.execute(
        delete(Topic).where(
            Topic.chat_id == chat_id, Topic.key == key, Topic.thread_id == thread_id
        )
    )


def _changed(result: Any) -> bool:
    return bool(result.rowcount)
