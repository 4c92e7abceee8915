"""API tokens: issued once, stored only as a hash, checked on every request.

A token is 32 random bytes (256 bits), so a plain SHA-256 is as safe against guessing as
a slow hash would be, and lets a request find its token by an indexed look-up.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from storage import api_tokens
from storage.models import ApiToken

PREFIX = "lapor"
# Longer than any token we issue, so a pasted document is not hashed.
MAX_LENGTH = 128


class Scope(StrEnum):
    """What a token opens."""

    AGENCY = "agency"  # one agency's reports, /api/v1
    OPEN311 = "open311"  # posting service requests, /open311/v2


def new_token() -> str:
    """A fresh token: a prefix that secret scanners can spot, then 256 random bits."""
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored for a token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(
    session: AsyncSession, scope: Scope, subject: str, now: datetime
) -> tuple[ApiToken, str]:
    """Store a new token's hash; the token itself is returned to be shown once."""
    token = new_token()
    row = await api_tokens.add(
        session, scope=scope.value, subject=subject, token_hash=token_hash(token), now=now
    )
    return row, token


async def holder(session: AsyncSession, token: str, scope: Scope) -> ApiToken | None:
    """The unrevoked token of that scope presented, or None."""
    if not token or len(token) > MAX_LENGTH:
        return None
    return await api_tokens.active(session, token_hash(token), scope.value)
