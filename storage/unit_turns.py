"""Units' turns with reports (storage.models.UnitTurn): written as reports move, counted
for the on-time share of every unit. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import UnitTurn


async def current(session: AsyncSession, report_id: int) -> UnitTurn | None:
    """The turn of the unit that has the report now, None when no unit has it."""
    query = (
        select(UnitTurn)
        .where(UnitTurn.report_id == report_id, UnitTurn.ended_at.is_(None))
        .order_by(UnitTurn.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


def start(
    session: AsyncSession, report_id: int, unit: str, *, now: datetime, due: datetime | None
) -> UnitTurn:
    """A unit's new turn with a report, from now, to respond by `due`."""
    turn = UnitTurn(report_id=report_id, unit=unit, started_at=now, due_at=due)
    session.add(turn)
    return turn
