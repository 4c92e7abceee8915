"""Fixtures: a database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set), the Bot API
emulator on a free port, and the real bot polling it."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import sqlite3
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import URL, make_url, text

from bot.sandbox.emulator import Emulator, RateLimits, User
from storage import migrate
from storage.db import create_engine
from storage.models import Base
from tests.harness import TOKEN, Clock, Harness
from tests.staff_helpers import Staff, staff_of

PG_URL = os.environ.get("TEST_DATABASE_URL")


# The tests that take tens of seconds (most run the bot or pip in another process), slowest
# first. Collected in file order, the wheel's test started last and held the suite open for
# minutes after the other workers were done; run first, one a worker, they end early.
SLOW_FIRST = (
    "tests/test_benchmark_smoke.py",
    "tests/test_wheel.py",
    "tests/test_api.py::test_both_apis_keep_the_promises_of_their_openapi_document",
    "tests/test_operator_lines.py",
    "tests/test_crash.py",
    "tests/test_webhook.py::test_webhook_mode_names_a_missing_or_wrong_setting_in_one_line",
    "tests/test_web_sandbox.py",
    "tests/test_sandbox_again.py",
    "tests/test_areas.py::test_lapor_bot_areas",
    "tests/test_logs.py",
    "tests/test_code_space.py",
    "tests/test_startup.py",
    "tests/test_counter.py",
    "tests/test_open311_sending.py",
    "tests/test_run_http.py",
)


def _slowness(item: pytest.Item) -> int | None:
    for rank, prefix in enumerate(SLOW_FIRST):
        if item.nodeid.startswith(prefix):
            return rank
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first, each followed by a quick one.

    xdist (`--maxschedchunk 1`, in pyproject.toml) hands each worker its next test as it
    finishes one, two ahead: a quick test between two slow ones keeps a worker from holding
    the next slow test while another worker is free for it.
    """
    ranked = [
        (rank, n, item) for n, item in enumerate(items) if (rank := _slowness(item)) is not None
    ]
    slow = [item for _, _, item in sorted(ranked, key=lambda r: (r[0], r[1]))]
    quick = [item for item in items if _slowness(item) is None]
    ordered: list[pytest.Item] = []
    for n, item in enumerate(slow):
        ordered.append(item)
        if n < len(quick):
            ordered.append(quick[n])
    ordered.extend(quick[len(slow) :])
    items[:] = ordered


async def _admin(url: URL, statement: str) -> None:
    # CREATE/DROP DATABASE cannot run inside a transaction block.
    engine = create_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _run_apart(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to completion on its own thread and loop.

    The session fixture may first be asked for from inside a test's running event loop.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database of this test run's own, migrated, dropped at the end.

    Runs on one server (developers, helpers, CI) never see each other's tables.
    """
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    base = make_url(PG_URL)
    name = f"lapor_test_{os.getpid()}_{secrets.token_hex(3)}"
    _run_apart(_admin(base, f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    _run_apart(migrate.upgrade_url(url))
    yield url
    _run_apart(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once for this test run (for each xdist worker); each test
    starts from a copy, which costs a millisecond where Alembic took seconds."""
    path = tmp_path_factory.mktemp("template") / "lapor.db"
    _run_apart(migrate.upgrade_url(f"sqlite+aiosqlite:///{path}"))
    # One self-contained file to copy: no write-ahead log beside it.
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated, empty database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "lapor.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = request.getfixturevalue("pg_url")
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    yield url


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """The Bot API emulator, serving on a free local port."""
    # The bot of the harness tells the emulator when it is done (bot/sandbox/emulator/
    # resting.py); a bot in another process is taken to be done after a settle of 0.3 s
    # without a call. The timeout only ends a wait that went wrong: a loaded two-core
    # machine may take seconds to render a receipt or speak a reply.
    emu = Emulator(
        bot_token=TOKEN,
        bot_username="lapor_test_bot",
        limits=RateLimits(enabled=False),
        default_settle=0.3,
        default_timeout=60.0,
    )
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


@pytest.fixture
def staff(harness: Harness, emulator: Emulator) -> Staff:
    """Dina, a verifier (an administrator), and Agus, an agency officer, in the staff group."""
    return staff_of(harness, emulator)
