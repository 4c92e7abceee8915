"""The health check: the database answers, the bot runs and its outbox dispatcher is alive."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.context import LaporApplication
from bot.delivery.dispatcher import Dispatcher
from storage import monitoring

log = logging.getLogger(__name__)

# A load balancer's probe should hear back well within its own timeout.
DATABASE_TIMEOUT = 5.0


@dataclass(frozen=True)
class Health:
    """What /healthz reports."""

    database: bool
    bot: bool
    dispatcher: bool

    @property
    def ok(self) -> bool:
        """Everything needed to take updates and deliver notices works."""
        return self.database and self.bot and self.dispatcher

    def to_json(self) -> dict[str, str]:
        """The body of /healthz."""
        return {
            "status": "ok" if self.ok else "unavailable",
            "database": "ok" if self.database else "unreachable",
            "bot": "running" if self.bot else "stopped",
            "dispatcher": "running" if self.dispatcher else "stopped",
        }


async def database_answers(application: LaporApplication) -> bool:
    """True when a trivial query comes back in time."""
    services = application.bot_data.services
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT), services.sessionmaker() as session:
            await monitoring.ping(session)
    except Exception as error:
        # The error's text may name the server; its kind is enough here.
        log.warning("health: the database did not answer: %s", type(error).__name__)
        return False
    return True


async def check(application: LaporApplication) -> Health:
    """Check the parts a webhook process needs."""
    dispatcher = application.bot_data.dispatcher
    return Health(
        database=await database_answers(application),
        bot=application.running,
        dispatcher=isinstance(dispatcher, Dispatcher) and dispatcher.running,
    )
