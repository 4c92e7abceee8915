"""Forgetting what is no longer needed: sent outbox rows after a retention. Never commits.

A sent row's only later uses are kept elsewhere: which report a message to a citizen was
about is in `citizen_messages` (written when the row is marked sent), a staff message's
report in `staff_messages`. The text itself was delivered; keeping it for years only made
the outbox the largest table of a city's database (7 of 9.5 GiB at a million reports) and
every scan of it slower. Rows that failed or whose citizen was unreachable stay: they are
the record of what was never delivered.

Deleting is done a batch at a time, each batch its caller's own short unit of work, so a
large first prune neither holds SQLite's write lock nor the event loop for long.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage

SENT = "sent"


async def prune_sent(session: AsyncSession, before: datetime, batch: int) -> int:
    """Delete up to `batch` rows sent before `before`, oldest first; how many went."""
    oldest = (
        select(OutboxMessage.id)
        .where(OutboxMessage.state == SENT, OutboxMessage.sent_at < before)
        .order_by(OutboxMessage.sent_at)
        .limit(batch)
    )
    ids = list(await session.scalars(oldest))
    if not ids:
        return 0
    await session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    return len(ids)
