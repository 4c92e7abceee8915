"""Alembic migrations: from an empty database, and from the previous schema with data in it,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import make_url, select, text
from sqlalchemy.engine import Connection

from bot.core import tracking
from bot.core.agencies import load_directory
from bot.core.tracking import format_code
from bot.core.workdays import WorkingCalendar
from bot.sandbox.emulator import Emulator
from bot.settings import Settings
from storage import migrate
from storage.db import create_engine, create_sessionmaker
from storage.models import (
    Base,
    CitizenMessage,
    HandledUpdate,
    OutboxMessage,
    Report,
    Reporter,
)
from storage.text_search import is_search_object
from storage.types import UTCDateTime
from tests.harness import Clock, Harness
from tests.steps import texts

PG_URL = os.environ.get("TEST_DATABASE_URL")
BEFORE = "0002"
FILED_AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)

# The tables as revision 0002 left them: only the columns the rows below fill.
OLD = sa.MetaData()
OLD_REPORTERS = sa.Table(
    "reporters",
    OLD,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("telegram_user_id", sa.BigInteger),
    sa.Column("chat_id", sa.BigInteger),
    sa.Column("first_name", sa.String(128)),
    sa.Column("locale", sa.String(8)),
    sa.Column("consent_at", UTCDateTime()),
    sa.Column("context", sa.String(32)),
    sa.Column("tries", sa.Integer),
    sa.Column("created_at", UTCDateTime()),
    sa.Column("updated_at", UTCDateTime()),
)
OLD_REPORTS = sa.Table(
    "reports",
    OLD,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.Integer),
    sa.Column("reporter_id", sa.Integer),
    sa.Column("channel", sa.String(16)),
    sa.Column("classification", sa.String(32)),
    sa.Column("content", sa.Text),
    sa.Column("category", sa.String(64)),
    sa.Column("agency", sa.String(64)),
    sa.Column("incident_date", sa.Date),
    sa.Column("anonymous", sa.Boolean),
    sa.Column("confidential", sa.Boolean),
    sa.Column("status", sa.String(32)),
    sa.Column("locale", sa.String(8)),
    sa.Column("created_at", UTCDateTime()),
    sa.Column("updated_at", UTCDateTime()),
    sa.Column("deadline_at", UTCDateTime()),
)
OLD_EVENTS = sa.Table(
    "timeline_events",
    OLD,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("report_id", sa.Integer),
    sa.Column("at", UTCDateTime()),
    sa.Column("actor", sa.String(16)),
    sa.Column("to_status", sa.String(32)),
)
OLD_OUTBOX = sa.Table(
    "outbox",
    OLD,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", UTCDateTime()),
    sa.Column("available_at", UTCDateTime()),
    sa.Column("report_id", sa.Integer),
    sa.Column("purpose", sa.String(32)),
    sa.Column("destination", sa.JSON),
    sa.Column("payload", sa.JSON),
    sa.Column("state", sa.String(16)),
    sa.Column("attempts", sa.Integer),
    sa.Column("chat_id", sa.BigInteger),
    sa.Column("message_id", sa.BigInteger),
)


async def _admin(statement: str) -> None:
    assert PG_URL is not None
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database with no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    name = f"lapor_migration_{os.getpid()}_{secrets.token_hex(3)}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _differences(connection: Connection) -> list[object]:
    # The search index is made by the migration alone (storage/text_search.py).
    options = {"include_name": lambda name, *_: not is_search_object(name)}
    context = MigrationContext.configure(connection, opts=options)
    return list(compare_metadata(context, Base.metadata))


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def test_an_empty_database_is_brought_to_the_newest_schema(empty_url: str) -> None:
    engine = create_engine(empty_url)
    try:
        assert await migrate.pending(engine)
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
        assert not await migrate.pending(engine)
        await migrate.upgrade(engine)  # a second run finds nothing to do
    finally:
        await engine.dispose()


async def test_two_processes_starting_at_once_both_bring_up_one_schema(empty_url: str) -> None:
    """Two bot processes started together on an empty database both migrate it."""
    await asyncio.gather(migrate.upgrade_url(empty_url), migrate.upgrade_url(empty_url))
    engine = create_engine(empty_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()


async def _fill_at_0002(url: str, user_id: int, code: int) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                OLD_REPORTERS.insert(),
                {
                    "id": 1,
                    "telegram_user_id": user_id,
                    "chat_id": user_id,
                    "first_name": "Siti",
                    "locale": "id",
                    "consent_at": FILED_AT,
                    "context": "menu",
                    "tries": 0,
                    "created_at": FILED_AT,
                    "updated_at": FILED_AT,
                },
            )
            await connection.execute(
                OLD_REPORTS.insert(),
                {
                    "id": 1,
                    "code": code,
                    "reporter_id": 1,
                    "channel": "telegram",
                    "classification": "pengaduan",
                    "content": "Lampu jalan di depan pasar mati sejak seminggu.",
                    "category": "jalan_rusak",
                    "agency": "dsdabm",
                    "incident_date": date(2026, 11, 19),
                    "anonymous": False,
                    "confidential": False,
                    "status": "DITERUSKAN",
                    "locale": "id",
                    "created_at": FILED_AT,
                    "updated_at": FILED_AT,
                    "deadline_at": datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
                },
            )
            await connection.execute(
                OLD_EVENTS.insert(),
                [
                    {"report_id": 1, "at": FILED_AT, "actor": "citizen", "to_status": status}
                    for status in ("MENUNGGU_VERIFIKASI", "DITERUSKAN")
                ],
            )
            await connection.execute(
                OLD_OUTBOX.insert(),
                {
                    "created_at": FILED_AT,
                    "available_at": FILED_AT,
                    "report_id": 1,
                    "purpose": "citizen_notice",
                    "destination": {"kind": "citizen", "reporter_id": 1},
                    "payload": {"text": "sent before the upgrade"},
                    "state": "sent",
                    "attempts": 1,
                    "chat_id": user_id,
                    "message_id": 7,
                },
            )
    finally:
        await engine.dispose()


async def test_a_database_of_the_previous_schema_keeps_its_data_and_serves_on(
    empty_url: str, emulator: Emulator, clock: Clock
) -> None:
    citizen = emulator.add_user(first_name="Siti", username="siti")
    code = tracking.new_code()
    engine = create_engine(empty_url)
    try:
        await migrate.upgrade(engine, BEFORE)
        async with engine.connect() as connection:
            assert await connection.run_sync(_revision) == BEFORE
        await _fill_at_0002(empty_url, citizen.id, code)
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
        async with create_sessionmaker(engine)() as session:
            reporter = (await session.scalars(select(Reporter))).one()
            assert (reporter.telegram_user_id, reporter.first_name) == (citizen.id, "Siti")
            assert not reporter.simple_mode and not reporter.voice_replies
            assert reporter.barred_at is None and reporter.erased_at is None
            report = (await session.scalars(select(Report))).one()
            assert (report.code, report.incident_date) == (code, date(2026, 11, 19))
            assert report.created_at == FILED_AT
            # The statistics' facts come from the timeline, the limit from the calendar.
            settings = Settings(_env_file=None)  # type: ignore[call-arg]
            days = load_directory(settings.agencies_file).agencies["dsdabm"].first_response_days
            due = WorkingCalendar(settings.timezone).add_working_days(FILED_AT, days)
            assert (report.forwarded_at, report.response_due_at) == (FILED_AT, due)
            assert (report.responded_at, report.done_at) == (None, None)
            [row] = (await session.scalars(select(OutboxMessage))).all()
            assert (row.state, row.message_id, row.payload) == (
                "sent",
                7,
                {"text": "sent before the upgrade"},
            )
            assert (await session.scalars(select(HandledUpdate))).all() == []
            # Which report the notice was about outlives the outbox row (pruned later).
            [link] = (await session.scalars(select(CitizenMessage))).all()
            assert (link.chat_id, link.message_id, link.report_id) == (citizen.id, 7, 1)
    finally:
        await engine.dispose()

    # The bot runs on the upgraded database: the citizen's report is theirs and readable.
    staff = emulator.add_user(first_name="Petugas", username="petugas")
    group = emulator.add_supergroup(title="Staf", forum=True, members=[staff], admins=[staff])
    bot = Harness(emulator, empty_url, clock, group.id)
    await bot.start()
    try:
        await citizen.say("cek status")
        status = texts(await citizen.say(format_code(code)))[0]
    finally:
        await bot.stop()
    assert status.startswith(f"Status laporan {format_code(code)}: Diteruskan ke Dinas")
