"""Getting updates: long polling and webhooks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot.sandbox.emulator import bot_api_errors
from bot.sandbox.emulator.methods.registry import api_method
from bot.sandbox.emulator.params import Params
from bot.sandbox.emulator.updates import WebhookConfig

if TYPE_CHECKING:
    from bot.sandbox.emulator.world import World

_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _allowed(p: Params) -> list[str] | None:
    value = p.get_json("allowed_updates")
    return [str(v) for v in value] if isinstance(value, list) else None


@api_method("getUpdates")
async def get_updates(world: World, p: Params) -> Any:
    offset = p.get_int("offset")
    limit = p.get_int("limit", 100) or 100
    timeout = p.get_float("timeout", 0.0) or 0.0
    return await world.queue.get_updates(offset, limit, timeout, _allowed(p))


@api_method("setWebhook")
async def set_webhook(world: World, p: Params) -> Any:
    url = (p.get_str("url") or "").strip()
    if not url:
        return await delete_webhook(world, p)
    if not url.startswith(("http://", "https://")):
        raise bot_api_errors.bad_request(
            "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
        )
    secret = p.get_str("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bot_api_errors.bad_request("secret token contains unallowed characters")
    if p.get_bool("drop_pending_updates"):
        world.queue.drop_pending()
    world.queue.set_allowed(_allowed(p))
    max_connections = p.get_int("max_connections", 40) or 40
    if not 1 <= max_connections <= 100:
        raise bot_api_errors.bad_request("bad webhook: max_connections must be between 1 and 100")
    world.queue.terminate_poll(bot_api_errors.TERMINATED_BY_SETWEBHOOK)
    world.queue.webhook = WebhookConfig(url, secret, max_connections)
    world.webhook.start()
    return True


@api_method("deleteWebhook")
async def delete_webhook(world: World, p: Params) -> Any:
    world.queue.webhook = None
    if p.get_bool("drop_pending_updates"):
        world.queue.drop_pending()
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(world: World, p: Params) -> Any:
    pending = len(world.queue.pending)
    config = world.queue.webhook
    if config is None:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}
    return config.info(pending, world.queue.allowed_updates)
