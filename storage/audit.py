"""The audit log of staff actions. Functions take the session and never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    at: datetime,
    actor_user_id: int | None,
    chat_id: int | None,
    action: str,
    report_id: int | None,
    allowed: bool,
    detail: str | None = None,
) -> None:
    """Stage one audit entry (the detail is a reason code, never message text)."""
    session.add(
        AuditEntry(
            at=at,
            actor_user_id=actor_user_id,
            chat_id=chat_id,
            action=action,
            report_id=report_id,
            allowed=allowed,
            detail=detail,
        )
    )
