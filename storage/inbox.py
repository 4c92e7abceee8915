"""The poller's inbox: fetched updates kept until handled. Functions never commit."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.insert_new import insert_new
from storage.models import InboxUpdate


async def keep(session: AsyncSession, bodies: Sequence[dict[str, Any]], now: datetime) -> None:
    """Keep fetched updates (their Bot API JSON); one fetched twice is kept once."""
    rows = [{"update_id": b["update_id"], "body": b, "received_at": now} for b in bodies]
    await insert_new(session, InboxUpdate, rows)


async def waiting(session: AsyncSession) -> list[dict[str, Any]]:
    """Every kept update, oldest first: what a process that died had not finished."""
    return list(await session.scalars(select(InboxUpdate.body).order_by(InboxUpdate.update_id)))


async def forget(session: AsyncSession, update_ids: Collection[int]) -> None:
    """The updates were handled to the end."""
    if update_ids:
        await session.execute(delete(InboxUpdate).where(InboxUpdate.update_id.in_(update_ids)))
