"""Typed python-telegram-bot context: handlers reach the services as `context.services`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from telegram.ext import Application, CallbackContext, ExtBot

from bot.services import Services

if TYPE_CHECKING:
    from bot.transport.ledger import UpdateLedger


class Stoppable(Protocol):
    """Something running beside the application that stops with it (the poller)."""

    async def stop(self) -> None:
        """Stop, letting work in hand finish."""


class Wakeable(Protocol):
    """Something that sleeps until there is work (the outbox dispatcher)."""

    def notify(self) -> None:
        """There may be new work."""


class BotData:
    """Application-wide data; `services` is set by build_application before start."""

    services: Services
    # Notes updates handled to the end (set by build_application).
    ledger: UpdateLedger
    # Fetches updates in polling mode; None behind a webhook.
    poller: Stoppable | None = None
    dispatcher: Wakeable | None = None
    # Told the result of each outbox delivery attempt (set by the webhook server's metrics).
    delivery_observer: Callable[[str], None] | None = None

    def __init__(self) -> None:
        # Updates the poller fetched for the first time, numbered above every update the
        # database held when it started: no record of them can exist, so the redelivery
        # guard need not look (a query and a session an update).
        self.first_seen: set[int] = set()

    def wake_dispatcher(self) -> None:
        """Call after a commit that wrote outbox rows, so they go out at once."""
        if self.dispatcher is not None:
            self.dispatcher.notify()


class LaporContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """Callback context with the services attached."""

    @property
    def services(self) -> Services:
        """The services of this application."""
        return self.bot_data.services


LaporApplication = Application[
    ExtBot[None], LaporContext, dict[Any, Any], dict[Any, Any], BotData, Any
]
