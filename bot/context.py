"""Typed python-telegram-bot context: handlers reach the services as `context.services`."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.services import Services


class BotData:
    """Application-wide data; `services` is set by build_application before start."""

    services: Services


class LaporContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """Callback context with the services attached."""

    @property
    def services(self) -> Services:
        """The services of this application."""
        return self.bot_data.services


LaporApplication = Application[
    ExtBot[None], LaporContext, dict[Any, Any], dict[Any, Any], BotData, Any
]
