"""Bot API method table: lower-cased name -> (Telegram's spelling, handler)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.sandbox.emulator.params import Params

if TYPE_CHECKING:
    from bot.sandbox.emulator.world import World

Handler = Callable[["World", Params], Awaitable[Any]]
REGISTRY: dict[str, tuple[str, Handler]] = {}


def api_method(*names: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            REGISTRY[name.lower()] = (name, handler)
        return handler

    return register
