"""Mounting the APIs on the web server's application, with the limits on what a client
may send answered in each API's own format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.api import open311_formats as formats
from bot.api.agency import agency_api
from bot.api.http import Handler
from bot.api.open311 import format_asked, open311_api
from bot.services import Services

AGENCY_PREFIX = "/api/v1/"
OPEN311_PREFIX = "/open311/v2/"
# aiohttp's own limits on a request line and a header (8,190 bytes): kept, but checked
# here, so a client that passes them gets an answer in the API's format. aiohttp's parser
# takes up to HANDLER_ARGS' sizes; beyond those it answers itself (plain text).
MAX_LINE = 8190
HANDLER_ARGS: dict[str, Any] = {"max_line_size": 65536, "max_field_size": 65536}


def mount_apis(
    app: web.Application, services: Services, *, wake: Callable[[], None] | None = None
) -> None:
    """Serve the agencies' API at /api/v1/ and Open311 GeoReport v2 at /open311/v2/.

    `wake` is called after a request wrote outbox rows (the dispatcher's notify). Serve
    the application with HANDLER_ARGS so oversized requests reach the limits here.
    """
    app.add_subapp(AGENCY_PREFIX, agency_api(services, wake=wake))
    app.add_subapp(OPEN311_PREFIX, open311_api(services, wake=wake))
    app.middlewares.append(_sizes(services))


def _sizes(services: Services) -> Middleware:
    """414 for a request line, 431 for a header past aiohttp's usual limits."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        too_long = len(request.raw_path) + len(request.method) + 11 > MAX_LINE
        too_large = any(len(k) + len(v) + 2 > MAX_LINE for k, v in request.raw_headers)
        if not (too_long or too_large):
            return await handler(request)
        status = 414 if too_long else 431
        t = services.locales.get(services.settings.bot_locale)
        text = t("api.error.too_long_request")
        if request.path.startswith(OPEN311_PREFIX):
            return formats.error_answer(status, text, format_asked(request))
        if request.path.startswith(AGENCY_PREFIX):
            reason = "uri_too_long" if too_long else "headers_too_large"
            return web.json_response({"error": {"code": reason, "message": text}}, status=status)
        return web.Response(status=status)

    return middleware
