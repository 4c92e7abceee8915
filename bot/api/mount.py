"""Mounting the APIs on the web server's application."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.api.agency import agency_api
from bot.api.open311 import open311_api
from bot.services import Services

AGENCY_PREFIX = "/api/v1/"
OPEN311_PREFIX = "/open311/v2/"


def mount_apis(
    app: web.Application, services: Services, *, wake: Callable[[], None] | None = None
) -> None:
    """Serve the agencies' API at /api/v1/ and Open311 GeoReport v2 at /open311/v2/.

    `wake` is called after a request wrote outbox rows (the dispatcher's notify).
    """
    app.add_subapp(AGENCY_PREFIX, agency_api(services, wake=wake))
    app.add_subapp(OPEN311_PREFIX, open311_api(services, wake=wake))
