"""Citizens, reports and outbox rows for the delivery tests, written as the workflow would."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from bot.core.lifecycle import Classification, Status
from bot.core.outgoing import Destination, Outgoing
from bot.sandbox.emulator import Chat, Emulator, User
from bot.services import Services
from bot.settings import SAMPLE_AGENCIES_FILE
from storage import outbox
from storage.models import OutboxMessage, Report, Reporter
from tests.harness import Harness


@dataclass(frozen=True)
class Citizen:
    user: User
    reporter_id: int


def agencies_with_own_group(tmp_path: Path, agency: str, chat_id: int) -> Path:
    """The sample agencies file, with one agency sending to a group of its own."""
    text = SAMPLE_AGENCIES_FILE.read_text(encoding="utf-8")
    line = f'key = "{agency}"\n'
    assert line in text
    path = tmp_path / "agencies.toml"
    path.write_text(text.replace(line, f"{line}chat_id = {chat_id}\n"), encoding="utf-8")
    return path


async def add_citizens(harness: Harness, count: int, *, name: str = "Warga") -> list[Citizen]:
    """People who started the bot and gave consent."""
    users = [harness.emulator.add_user(first_name=f"{name} {n}") for n in range(count)]
    now = harness.clock()
    async with harness.services.sessionmaker.begin() as session:
        reporters = [
            Reporter(
                telegram_user_id=user.id,
                chat_id=user.id,
                first_name=user.first_name,
                consent_at=now,
                created_at=now,
                updated_at=now,
            )
            for user in users
        ]
        session.add_all(reporters)
        await session.flush()
        ids = [reporter.id for reporter in reporters]
    return [Citizen(user, reporter_id) for user, reporter_id in zip(users, ids, strict=True)]


async def add_report(harness: Harness, reporter_id: int | None, code: int = 7264185) -> int:
    now = harness.clock()
    async with harness.services.sessionmaker.begin() as session:
        report = Report(
            code=code,
            reporter_id=reporter_id,
            classification=Classification.PENGADUAN,
            content="Jalan berlubang di depan sekolah.",
            category="jalan_rusak",
            agency="dsdabm",
            status=Status.MENUNGGU_VERIFIKASI,
            created_at=now,
            updated_at=now,
        )
        session.add(report)
        await session.flush()
        return report.id


async def enqueue(
    harness: Harness,
    items: Sequence[tuple[Destination, Outgoing]],
    *,
    report_id: int | None = None,
) -> list[int]:
    """Write rows in one transaction, as a state change would; returns their ids."""
    async with harness.services.sessionmaker.begin() as session:
        rows = [
            outbox.enqueue(
                session,
                destination,
                message,
                purpose="test",
                now=harness.clock(),
                report_id=report_id,
            )
            for destination, message in items
        ]
        await session.flush()
        return [row.id for row in rows]


async def outbox_rows(source: Harness | Services) -> list[OutboxMessage]:
    """Every row, oldest first (from a stopped bot's services too)."""
    services = source.services if isinstance(source, Harness) else source
    async with services.sessionmaker() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def reporter(harness: Harness, reporter_id: int) -> Reporter:
    async with harness.services.sessionmaker() as session:
        found = await session.get(Reporter, reporter_id)
        assert found is not None
        return found


def bodies(emulator: Emulator, chat: Chat | User, thread_id: int | None = None) -> list[str]:
    """What the bot's messages in a chat (or topic) say, oldest first."""
    return [m.body for m in emulator.bot_messages(chat, thread_id) if not m.is_service]


def calls_to(emulator: Emulator, method: str, chat_id: int) -> list[int]:
    """HTTP statuses of the bot's calls of a method to one chat."""
    return [call.status for call in emulator.calls(method) if call.chat_id == chat_id]
