"""Who is calling: an agency by its bearer token, an Open311 client by its api_key."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.api.http import ApiError, services_of
from bot.api.tokens import Scope, holder
from bot.core.agencies import Agency
from bot.core.transitions import Role
from bot.workflow.changes import Actor
from storage.models import ApiToken

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="lapor-bot"'}


@dataclass(frozen=True)
class AgencyCaller:
    """An agency's system, acting as that agency's staff on its own reports."""

    agency: Agency
    token_id: int

    def actor(self, name: str) -> Actor:
        """The workflow actor: a staff member of the agency, audited as this token."""
        return Actor(Role.STAFF, name=name, via=f"api:{self.token_id}")


def bearer(request: web.Request) -> str:
    """The token of an `Authorization: Bearer ...` header, or ""."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.casefold() == "bearer" else ""


async def agency_caller(request: web.Request, session: AsyncSession) -> AgencyCaller:
    """The agency whose valid token came with the request; 401 otherwise."""
    services = services_of(request)
    row = await holder(session, bearer(request), Scope.AGENCY)
    agency = services.directory.agencies.get(row.subject) if row is not None else None
    if row is None or agency is None:
        raise ApiError(401, "unauthorized", "api.error.unauthorized", headers=CHALLENGE)
    return AgencyCaller(agency, row.id)


async def open311_key(session: AsyncSession, api_key: str) -> ApiToken:
    """The token of a valid Open311 api_key; 403 otherwise, as GeoReport v2 answers."""
    row = await holder(session, api_key, Scope.OPEN311)
    if row is None:
        raise ApiError(403, "forbidden", "api.error.api_key", {"name": "api_key"})
    return row


async def open311_client(session: AsyncSession, api_key: str) -> int:
    """The token id of a valid Open311 api_key; 403 otherwise."""
    return (await open311_key(session, api_key)).id
