"""Fixtures: a database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set), the Bot API
emulator on a free port, and the real bot polling it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.emulator import Emulator, RateLimits, User
from storage import migrate
from storage.db import create_engine
from storage.models import Base
from tests.harness import TOKEN, Clock, Harness

PG_URL = os.environ.get("TEST_DATABASE_URL")
_pg_migrated = False


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated, empty database for one test."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}"
        engine = create_engine(url)
        await migrate.upgrade(engine)
        await engine.dispose()
        yield url
        return
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    global _pg_migrated  # noqa: PLW0603 - migrate the shared server's schema once per run
    engine = create_engine(PG_URL)
    if not _pg_migrated:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await migrate.upgrade(engine)
        _pg_migrated = True
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    yield PG_URL


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """The Bot API emulator, serving on a free local port."""
    emu = Emulator(bot_token=TOKEN, bot_username="lapor_test_bot", limits=RateLimits(enabled=False))
    await emu.start(host="127.0.0.1", port=0)
    yield emu
    await emu.stop()


@pytest.fixture
def clock() -> Clock:
    """Time as the bot sees it, moved by the test."""
    return Clock()


@pytest.fixture
async def harness(emulator: Emulator, database_url: str, clock: Clock) -> AsyncIterator[Harness]:
    """The real application polling the emulator."""
    staff = emulator.add_user(first_name="Petugas", username="petugas")
    group = emulator.add_supergroup(
        title="Staf Pengaduan", forum=True, members=[staff], admins=[staff]
    )
    bot = Harness(emulator, database_url, clock, group.id)
    await bot.start()
    yield bot
    await bot.stop()


@pytest.fixture
def citizen(emulator: Emulator) -> User:
    """Siti, a citizen who has never used the bot."""
    return emulator.add_user(first_name="Siti", last_name="Rahma", username="siti")
