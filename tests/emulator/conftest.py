"""Fixtures for the emulator's own tests: a started emulator, a real PTB Bot and Application."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from telegram import Bot
from telegram.ext import Application, ApplicationBuilder

from bot.sandbox.emulator import Emulator, RateLimits, User

AppFactory = Callable[[Callable[[Application], None]], Awaitable[Application]]


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    emulator = Emulator(limits=RateLimits(enabled=False))
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url) as client:
        yield client


@pytest.fixture
def alice(emu: Emulator) -> User:
    return emu.add_user("Siti", last_name="Rahma", username="siti", language_code="id")


@pytest.fixture
async def running_app(emu: Emulator) -> AsyncIterator[AppFactory]:
    """Builds a real Application against the emulator, polling, and stops it afterwards."""
    started: list[Application] = []

    async def start(configure: Callable[[Application], None]) -> Application:
        app = (
            ApplicationBuilder()
            .token(emu.token)
            .base_url(emu.base_url)
            .base_file_url(emu.base_file_url)
            .build()
        )
        configure(app)
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        started.append(app)
        return app

    yield start
    for app in started:
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
