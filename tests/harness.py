"""Runs the real lapor-bot application against the Bot API emulator over HTTP."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import SecretStr

from bot.app import build_application, build_services
from bot.core import tracking
from bot.delivery.dispatcher import Dispatcher
from bot.sandbox.emulator import Emulator
from bot.services import Services
from bot.settings import Settings
from bot.transport.context import LaporApplication
from bot.transport.running import start_application, stop_application

TOKEN = "123456:TEST-TOKEN"
# The emulator fixture has Telegram's flood limits off, so the outbox need not pace itself
# either; tests of the limits set both (tests/test_delivery.py).
UNPACED = 50.0


@dataclass
class Clock:
    """Time under the test's control: starts at a fixed instant and moves when told."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 25, 3, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Harness:
    """One bot process: its application, services and the emulator it talks to."""

    emulator: Emulator
    database_url: str
    clock: Clock
    admin_chat_id: int
    rng: random.Random = field(default_factory=lambda: random.Random(7264185))
    application: LaporApplication | None = None
    # Further settings for this bot, e.g. agencies_file or outbox_rate_scale.
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def services(self) -> Services:
        assert self.application is not None
        return self.application.bot_data.services

    @property
    def dispatcher(self) -> Dispatcher:
        """The outbox dispatcher of the running bot."""
        assert self.application is not None
        dispatcher = self.application.bot_data.dispatcher
        assert isinstance(dispatcher, Dispatcher)
        return dispatcher

    def settings(self) -> Settings:
        return Settings(
            telegram_bot_token=SecretStr(TOKEN),
            admin_chat_id=self.admin_chat_id,
            database_url=self.database_url,
            telegram_base_url=self.emulator.base_url,
            telegram_base_file_url=self.emulator.base_file_url,
            _env_file=None,  # type: ignore[call-arg]
            # A city without areas unless a test gives one (tests/test_area_journeys.py): the
            # journeys written before areas meet no kelurahan question.
            **{"outbox_rate_scale": UNPACED, "areas_file": None, **self.overrides},
        )

    async def start(self) -> None:
        settings = self.settings()
        services = build_services(
            settings, clock=self.clock, new_code=lambda: tracking.new_code(self.rng)
        )
        application = build_application(settings, services)
        self.report_to_emulator(application)
        await start_application(application, poll_seconds=1)
        self.application = application

    async def stop(self) -> None:
        application = self.application
        if application is None:
            return
        self.emulator.detach_bot(self)
        await stop_application(application)
        self.application = None

    def report_to_emulator(self, application: LaporApplication) -> None:
        """Tell the emulator of each update handled and let it drain the outbox, so that
        its scripted waits end on the bot's signals rather than after a quiet moment."""
        application.bot_data.ledger.observers.append(self.emulator.bot_handled)
        self.emulator.attach_bot(self)

    async def drain(self, timeout: float) -> None:  # noqa: ASYNC109
        """Note the finished updates now and return once the running dispatcher finds
        nothing due (the emulator's waits): a test then reads the database as it stands
        once the bot is done, redelivered updates included."""
        application = self.application
        if application is not None:
            await application.bot_data.ledger.write()
        dispatcher = application.bot_data.dispatcher if application is not None else None
        # A dispatcher a test stopped stays stopped: draining it would send by hand.
        if isinstance(dispatcher, Dispatcher) and dispatcher.running:
            await dispatcher.drain(timeout)

    async def restart(self) -> None:
        """Stop the bot and start a fresh process-equivalent: nothing kept in memory."""
        await self.stop()
        await self.start()
