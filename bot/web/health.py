"""The health check: the database answers, the bot runs and its outbox dispatcher is alive."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from time import monotonic

from bot.delivery.dispatcher import Dispatcher
from bot.transport.context import LaporApplication
from storage import monitoring

log = logging.getLogger(__name__)

# A load balancer's probe should hear back well within its own timeout.
DATABASE_TIMEOUT = 5.0
# The dispatcher's loop goes round at least every idle_interval (1 s) after a claim, whose
# queries wait at most 30 s for a locked SQLite database (storage/db.py); a minute without
# a turn is a hang, not a wait.
DISPATCHER_STALLED_AFTER = 60.0


@dataclass(frozen=True)
class Health:
    """What /healthz reports."""

    database: bool
    bot: bool
    # "running", "stalled" (its loop has not gone round for too long) or "stopped".
    dispatcher: str

    @property
    def ok(self) -> bool:
        """Everything needed to take updates and deliver notices works."""
        return self.database and self.bot and self.dispatcher == "running"

    def to_json(self) -> dict[str, str]:
        """The body of /healthz."""
        return {
            "status": "ok" if self.ok else "unavailable",
            "database": "ok" if self.database else "unreachable",
            "bot": "running" if self.bot else "stopped",
            "dispatcher": self.dispatcher,
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


def dispatcher_state(dispatcher: object, now: float) -> str:
    """Whether the dispatcher runs, and has gone round its loop lately (monotonic `now`)."""
    if not isinstance(dispatcher, Dispatcher) or not dispatcher.running:
        return "stopped"
    if now - dispatcher.last_turn > DISPATCHER_STALLED_AFTER:
        return "stalled"
    return "running"


async def check(application: LaporApplication, now: float | None = None) -> Health:
    """Check the parts a webhook process needs; `now` is monotonic time, by default now."""
    return Health(
        database=await database_answers(application),
        bot=application.running,
        dispatcher=dispatcher_state(
            application.bot_data.dispatcher, monotonic() if now is None else now
        ),
    )
