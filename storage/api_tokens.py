"""API tokens, kept as hashes. Functions take the session and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ApiToken


async def add(
    session: AsyncSession, *, scope: str, subject: str, token_hash: str, now: datetime
) -> ApiToken:
    """Stage a new token; its id is known after the flush."""
    token = ApiToken(scope=scope, subject=subject, token_hash=token_hash, created_at=now)
    session.add(token)
    await session.flush()
    return token


async def active(session: AsyncSession, token_hash: str, scope: str) -> ApiToken | None:
    """The unrevoked token of that scope with this hash, if there is one."""
    return (
        await session.execute(
            select(ApiToken).where(
                ApiToken.token_hash == token_hash,
                ApiToken.scope == scope,
                ApiToken.revoked_at.is_(None),
            )
        )
    ).scalar_one_or_none()


async def revoke(session: AsyncSession, token_id: int, now: datetime) -> bool:
    """Revoke a token by id; False when there is no such unrevoked token."""
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


async def listed(session: AsyncSession) -> Sequence[ApiToken]:
    """Every token, oldest first (hashes only; the tokens themselves are never stored)."""
    return (await session.execute(select(ApiToken).order_by(ApiToken.id))).scalars().all()


async def touch(session: AsyncSession, token_id: int, now: datetime) -> None:
    """Note the key's use; as the first write of a POST it serialises the key's POSTs (row
    lock on PostgreSQL, the write lock on SQLite), so its limits are counted exactly."""
    await session.execute(update(ApiToken).where(ApiToken.id == token_id).values(used_at=now))


async def set_limits(
    session: AsyncSession, token_id: int, *, per_minute: int | None, per_day: int | None
) -> bool:
    """Give a key its own limits (None: the defaults); False when there is no such key."""
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id)
        .values(per_minute=per_minute, per_day=per_day)
    )
    return bool(getattr(result, "rowcount", 0))
