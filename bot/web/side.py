"""What the web serves besides Telegram's updates: /healthz, /metrics, the agencies' API
and Open311. The webhook server mounts them on its application; `lapor-bot run` serves
them on HTTP_ADDRESS while it polls (nothing when unset)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.api.mount import HANDLER_ARGS, mount_apis
from bot.transport.context import LaporApplication
from bot.web.health import check
from bot.web.metrics import Metrics

log = logging.getLogger(__name__)


@dataclass
class Side:
    """The bot the side routes report on, and this process's metrics."""

    application: LaporApplication
    metrics: Metrics = field(default_factory=Metrics)


SIDE = web.AppKey("side", Side)


def add_side_routes(app: web.Application, side: Side) -> None:
    """/healthz, /metrics, /api/v1/ and /open311/v2/ on `app`, about `side`'s bot."""
    app[SIDE] = side
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    bot_data = side.application.bot_data
    # The dispatcher, started with the bot, reports each attempt to these metrics.
    bot_data.delivery_observer = side.metrics.delivery_attempted
    mount_apis(app, bot_data.services, wake=bot_data.wake_dispatcher)


async def healthz(request: web.Request) -> web.Response:
    """200 when the database answers and the bot and its dispatcher run, else 503."""
    health = await check(request.app[SIDE].application)
    return web.json_response(health.to_json(), status=200 if health.ok else 503)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus metrics of this process and of the database."""
    side = request.app[SIDE]
    await side.metrics.refresh(side.application.bot_data.services)
    return web.Response(
        body=side.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST}
    )


@asynccontextmanager
async def http_side(application: LaporApplication, host: str, port: int) -> AsyncIterator[None]:
    """Serve the side routes on host:port while the block runs (`lapor-bot run`)."""
    side = Side(application)
    # Polling has no request to time; each update handled to the end is counted.
    application.bot_data.ledger.observers.append(
        lambda _update_id: side.metrics.updates.labels("ok").inc()
    )
    app = web.Application()
    add_side_routes(app, side)
    # Oversized requests reach the APIs' own limits, answered in their format.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0, **HANDLER_ARGS)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        log.info("serving /healthz, /metrics and the APIs on %s:%s", host, port)
        yield
    finally:
        await runner.cleanup()
