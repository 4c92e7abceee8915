"""Which report a message belongs to, from our own records of what was sent and where."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CitizenMessage, StaffMessage


async def report_for_staff_message(
    session: AsyncSession, chat_id: int, message_id: int
) -> int | None:
    """The report of a card, relay or addition in a staff chat; None for other messages."""
    return await session.scalar(
        select(StaffMessage.report_id).where(
            StaffMessage.chat_id == chat_id, StaffMessage.message_id == message_id
        )
    )


async def report_for_citizen_message(
    session: AsyncSession, chat_id: int, message_id: int
) -> int | None:
    """The report a message we sent to a citizen was about (a notice or a staff reply)."""
    return await session.scalar(
        select(CitizenMessage.report_id).where(
            CitizenMessage.chat_id == chat_id, CitizenMessage.message_id == message_id
        )
    )
