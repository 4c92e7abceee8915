"""Figures for health checks and metrics: database-wide, whichever process asks.

Functions never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, Report


async def ping(session: AsyncSession) -> None:
    """Raise unless the database answers."""
    await session.execute(text("SELECT 1"))


async def outbox_by_state(session: AsyncSession) -> dict[str, int]:
    """How many outbox rows are pending, sent, failed or unreachable."""
    query = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    return {state: int(count) for state, count in await session.execute(query)}


async def oldest_pending(session: AsyncSession, now: datetime) -> float:
    """Seconds the longest-waiting due outbox row has waited, 0 with none due."""
    query = select(func.min(OutboxMessage.available_at)).where(
        OutboxMessage.state == "pending", OutboxMessage.available_at <= now
    )
    oldest = await session.scalar(query)
    return max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0


async def reports_by_status(session: AsyncSession) -> dict[str, int]:
    """How many reports are in each status (by the status's internal name)."""
    query = select(Report.status, func.count()).group_by(Report.status)
    return {status.value: int(count) for status, count in await session.execute(query)}
