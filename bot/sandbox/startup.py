"""What both sandboxes start: the emulator with its people, and the real bot against it."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from bot.app import build_application, build_services
from bot.sandbox.emulator import Chat, Emulator, RateLimits, User
from bot.settings import Settings
from bot.transport.context import LaporApplication
from storage import handled, migrate

SANDBOX_TOKEN = "100000:sandbox-token-not-secret"
# The emulator answers a poll as soon as there is news; a short poll only speeds stopping.
SANDBOX_POLL_SECONDS = 5


@dataclass(frozen=True)
class People:
    """Who the sandbox acts as: one citizen, and one officer in the forum staff group."""

    citizen: User
    staff: User
    group: Chat


def new_emulator() -> tuple[Emulator, People]:
    """An emulator with a citizen, an officer, and the staff group (a forum)."""
    # One person at the keyboard: flood limits would only delay answers (tests exercise them).
    emulator = Emulator(
        bot_token=SANDBOX_TOKEN,
        bot_username="lapor_sandbox_bot",
        limits=RateLimits(enabled=False),
    )
    citizen = emulator.add_user(first_name="Warga", username="warga_sandbox")
    staff = emulator.add_user(first_name="Petugas", username="petugas_sandbox")
    group = emulator.add_supergroup(
        title="Staf Pengaduan", forum=True, members=[staff], admins=[staff]
    )
    return emulator, People(citizen, staff, group)


async def sandbox_application(
    settings: Settings, emulator: Emulator, people: People
) -> LaporApplication:
    """The bot, pointed at the started emulator, its database brought up to date."""
    settings = settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(SANDBOX_TOKEN),
            "admin_chat_id": people.group.id,
            "telegram_base_url": emulator.base_url,
            "telegram_base_file_url": emulator.base_file_url,
        }
    )
    services = build_services(settings)
    await migrate.upgrade(services.engine)
    async with services.sessionmaker() as session:
        newest = await handled.highest_update_id(session)
    # Each run is a new emulator on the same database: it numbers updates on from the last
    # the bot has seen, as Telegram does, or the bot would skip them as handled before.
    emulator.number_updates_from(newest + 1)
    return build_application(settings, services)
