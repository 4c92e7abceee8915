"""Writing to the outbox. Functions take the session and never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.outgoing import (
    Destination,
    Outgoing,
    destination_to_json,
    outgoing_to_json,
)
from storage.models import OutboxMessage


def enqueue(
    session: AsyncSession,
    destination: Destination,
    message: Outgoing,
    *,
    purpose: str,
    now: datetime,
    report_id: int | None = None,
) -> OutboxMessage:
    """Stage a message in the caller's transaction; it is sent only if that commits."""
    row = OutboxMessage(
        report_id=report_id,
        purpose=purpose,
        destination=destination_to_json(destination),
        payload=outgoing_to_json(message),
        state="pending",
        attempts=0,
        created_at=now,
        available_at=now,
    )
    session.add(row)
    return row
