"""Webhook mode: an aiohttp server that takes Telegram's updates and hands them to the bot.

The python-telegram-bot application runs without its Updater; it is started and stopped
with the web application (cleanup context). Each update goes through the application's
update processor, so one chat's updates are handled in order and different chats
concurrently, and Telegram hears back only when the update was handled: if the process
dies first, Telegram delivers the update again (and the handled-updates record keeps it
from taking effect twice).

Routes: the path of WEBHOOK_URL (POST, Telegram's updates), and the side routes of
bot/web/side.py: /healthz, /metrics, and the agencies' API and Open311 under /api/v1/ and
/open311/v2/ (bot/api).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from time import perf_counter
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.api.mount import HANDLER_ARGS
from bot.app import build_application
from bot.services import Services
from bot.settings import Settings
from bot.transport.context import LaporApplication, LaporContext
from bot.transport.polling import ALLOWED_UPDATES
from bot.transport.running import settle_memory, start_application, stop_application
from bot.web.metrics import Metrics
from bot.web.side import Side, add_side_routes
from handlers.redelivery import RepliesNotSent

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are small; anything larger is not one.
MAX_BODY = 1024 * 1024


@dataclass
class WebhookBot:
    """The bot behind one web application, and what the routes share about it."""

    application: LaporApplication
    url: str
    secret: str = field(repr=False)
    max_connections: int
    metrics: Metrics = field(default_factory=Metrics)
    # Updates whose handling ended with replies still owed: Telegram must deliver again.
    owing: set[int] = field(default_factory=set)

    @property
    def path(self) -> str:
        """Where Telegram posts: the path of the public address."""
        return urlsplit(self.url).path or "/"


BOT = web.AppKey("bot", WebhookBot)


def make_app(settings: Settings, services: Services | None = None) -> web.Application:
    """The web application: webhook, health and metrics routes around a new bot."""
    application = build_application(settings, services)
    bot = WebhookBot(
        application,
        settings.require_webhook(),
        settings.webhook_secret_value(),
        settings.webhook_max_connections,
    )

    async def note_owing(update: object, context: LaporContext) -> None:
        """Error handler: remember updates that committed but could not answer yet."""
        if isinstance(update, Update) and isinstance(context.error, RepliesNotSent):
            bot.owing.add(update.update_id)

    application.add_error_handler(note_owing)
    app = web.Application(client_max_size=MAX_BODY)
    app[BOT] = bot
    app.cleanup_ctx.append(_bot_lifetime)
    app.router.add_post(bot.path, receive)
    add_side_routes(app, Side(application, bot.metrics))
    return app


async def _bot_lifetime(app: web.Application) -> AsyncIterator[None]:
    """Start the bot (hooks included), register the webhook, stop it at clean-up."""
    bot = app[BOT]
    application = bot.application
    await start_application(application, poll_seconds=None)
    # Every process registers the same address; Telegram keeps one webhook per bot.
    await application.bot.set_webhook(
        bot.url,
        secret_token=bot.secret,
        allowed_updates=list(ALLOWED_UPDATES),
        max_connections=bot.max_connections,
    )
    log.info("webhook registered; listening for updates on %s", bot.path)
    settle_memory()
    yield
    # The webhook stays registered: Telegram keeps the updates for the next process.
    await stop_application(application)


async def receive(request: web.Request) -> web.Response:
    """Handle one update from Telegram and answer only when it is done."""
    bot = request.app[BOT]
    application = bot.application
    given = request.headers.get(SECRET_HEADER, "").encode()
    if not hmac.compare_digest(given, bot.secret.encode()):
        bot.metrics.rejected.labels("secret").inc()
        return web.Response(status=403)
    if not application.running:
        bot.metrics.rejected.labels("stopping").inc()
        return web.Response(status=503)
    started = perf_counter()
    try:
        body = await request.json()
        if not _well_formed(body):
            raise ValueError("not an update")
        update = Update.de_json(body, application.bot)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        bot.metrics.rejected.labels("malformed").inc()
        return web.Response(status=400)
    application.bot.insert_callback_data(update)
    # Through the update processor, not around it: per-chat order and the concurrency cap.
    await application.update_processor.process_update(update, application.process_update(update))
    retry = update.update_id in bot.owing
    bot.owing.discard(update.update_id)
    bot.metrics.updates.labels("retry" if retry else "ok").inc()
    bot.metrics.latency.observe(perf_counter() - started)
    # Non-2xx makes Telegram deliver the update again; the redelivery sends what is owed.
    return web.Response(status=500 if retry else 200)


def _well_formed(body: object) -> bool:
    """An object whose update_id is a whole number the handled-updates record can keep
    (a BIGINT): anything else never reaches the application, or the database."""
    update_id = body.get("update_id") if isinstance(body, dict) else None
    return isinstance(update_id, int) and not isinstance(update_id, bool) and 0 <= update_id < 2**63


def serve(settings: Settings, services: Services) -> None:
    """Run the webhook server until interrupted (the `lapor-bot webhook` command)."""
    web.run_app(
        make_app(settings, services),
        host=settings.webhook_listen,
        port=settings.webhook_port,
        access_log=None,
        print=None,
        # Oversized requests reach the APIs' own limits, answered in their format.
        handler_args=HANDLER_ARGS,
    )
