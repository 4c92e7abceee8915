"""Fresh databases for each run, rows seeded in bulk, and the counts checked afterwards."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from bot.core.outgoing import CitizenChat, Outgoing, destination_to_json, outgoing_to_json
from bot.language.i18n import load_locales
from storage import migrate
from storage.db import create_engine, create_sessionmaker
from storage.models import Draft, OutboxMessage, Report, Reporter, utcnow


@dataclass
class Database:
    """A migrated, empty database of one run; PostgreSQL ones are dropped afterwards."""

    url: str
    admin_url: str | None = None

    @property
    def kind(self) -> str:
        return "postgresql" if self.admin_url else "sqlite"

    async def drop(self) -> None:
        if self.admin_url is None:
            return
        name = make_url(self.url).database
        await _admin(self.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(url: str, statement: str) -> None:
    # CREATE/DROP DATABASE cannot run inside a transaction block.
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def fresh(kind: str, workdir: Path, pg_url: str | None, *, migrated: bool = True) -> Database:
    """A new SQLite file in the run's directory, or a new PostgreSQL database; migrated
    by this tree unless the bot that uses it is to migrate it (a baseline's)."""
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / f'lapor-{secrets.token_hex(3)}.db'}"
        if migrated:
            await migrate.upgrade_url(url)
        return Database(url)
    if pg_url is None:
        raise RuntimeError("no PostgreSQL URL (--pg-url or TEST_DATABASE_URL)")
    name = f"lapor_bench_{secrets.token_hex(4)}"
    await _admin(pg_url, f'CREATE DATABASE "{name}"')
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    if migrated:
        await migrate.upgrade_url(url)
    return Database(url, pg_url)


async def pg_available(pg_url: str | None) -> bool:
    """Whether the PostgreSQL server answers."""
    if not pg_url:
        return False
    try:
        await _admin(pg_url, "SELECT 1")
    except Exception:
        return False
    return True


async def _reporters(url: str, user_ids: Sequence[int]) -> list[tuple[int, int]]:
    """Consented reporters for the given Telegram users; (reporter id, user id) pairs."""
    now = utcnow()
    rows = [
        {
            "telegram_user_id": uid,
            "chat_id": uid,
            "first_name": f"Warga {n}",
            "locale": "id",
            "consent_at": now,
            "context": "menu",
            "tries": 0,
        }
        for n, uid in enumerate(user_ids)
    ]
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            result = await session.execute(
                insert(Reporter).returning(Reporter.id, Reporter.telegram_user_id), rows
            )
            return [(int(r[0]), int(r[1])) for r in result.all()]
    finally:
        await engine.dispose()


async def seed_notifications(url: str, user_ids: Sequence[int]) -> None:
    """One pending outbox notice for each of these citizens."""
    pairs = await _reporters(url, user_ids)
    t = load_locales().get("id")
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "purpose": "benchmark",
            "destination": destination_to_json(CitizenChat(reporter_id)),
            "payload": outgoing_to_json(Outgoing(text=t("notice.officer_says", text=f"#{n}"))),
            "state": "pending",
            "attempts": 0,
            "created_at": now,
            "available_at": now,
        }
        for n, (reporter_id, _) in enumerate(pairs)
    ]
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            await session.execute(insert(OutboxMessage), rows)
    finally:
        await engine.dispose()


async def seed_drafts(
    url: str, user_ids: Sequence[int], answers: dict[str, Any], *, step: str = "isi"
) -> None:
    """Reporters in the middle of filing: each has a draft at `step` (the content question)."""
    pairs = await _reporters(url, user_ids)
    now = utcnow()
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            await session.execute(
                Reporter.__table__.update()  # type: ignore[attr-defined]
                .where(Reporter.telegram_user_id.in_(list(user_ids)))
                .values(context="filing")
            )
            await session.execute(
                insert(Draft),
                [
                    {
                        "uid": secrets.token_hex(16),
                        "reporter_id": reporter_id,
                        "step": step,
                        "editing": False,
                        "answers": answers,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for reporter_id, _ in pairs
                ],
            )
    finally:
        await engine.dispose()


async def counts(url: str) -> dict[str, int]:
    """Rows that matter to a run: reports, reporters, drafts, outbox rows by state."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            found = {
                "reports": await session.scalar(select(func.count()).select_from(Report)),
                "reporters": await session.scalar(select(func.count()).select_from(Reporter)),
                "drafts": await session.scalar(select(func.count()).select_from(Draft)),
            }
            states = await session.execute(
                select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
            )
            for state, number in states.all():
                found[f"outbox_{state}"] = number
        return {k: int(v or 0) for k, v in found.items()}
    finally:
        await engine.dispose()
