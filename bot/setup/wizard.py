"""The steps of `lapor-bot setup`. Each looks at what Telegram and the database already
have and only adds what is missing, so running it again changes nothing that is right.

1. The token: getMe gives the bot's @username; it must be allowed into groups.
2. The staff group: ADMIN_CHAT_ID if set, otherwise the first group the operator adds the
   bot to; its id and title.
3. The group as the bot needs it: a supergroup with Topics, the bot an admin with the
   rights it uses. Setup names each thing missing and where to switch it on, and waits.
4. The topics: Verifikasi, one per agency, Eskalasi (kept in the database, as `run` does).
5. The bot's menus and descriptions in every language, per scope.
6. The settings for .env: written to the file, or printed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot, ChatFullInfo, User
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden

from bot.app import build_services
from bot.core.outgoing import StaffQueue
from bot.core.queues import ESKALASI, VERIFIKASI
from bot.delivery.destinations import Destinations, topic_name
from bot.language.i18n import Translator
from bot.services import Services
from bot.settings import Settings
from bot.setup import profile
from bot.setup.env_file import write_settings
from bot.setup.staff_group import Problem, problems, wait_for_group
from storage import migrate
from storage import outbox_queries as queries

# How long one getUpdates waits while setup waits for the bot to be added to a group.
POLL_SECONDS = 30
# How often setup looks again at a group that still lacks something.
RECHECK_SECONDS = 3.0


class SetupRefused(Exception):
    """Setup cannot go on: a catalogue key saying why and what to do (one line, exit 2)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass
class Console:
    """Where setup speaks: whole lines, in the operator's language."""

    t: Translator
    write: Callable[[str], None] = print

    def say(self, key: str, **params: object) -> None:
        """One line from the catalogues."""
        self.write(self.t(key, **params))


@dataclass
class Timing:
    """How setup waits; tests make it quick."""

    poll_seconds: int = POLL_SECONDS
    recheck_seconds: float = RECHECK_SECONDS


async def run_setup(
    settings: Settings, console: Console, env_file: Path | None, timing: Timing | None = None
) -> None:
    """Connect the bot to its staff group; see the module's steps."""
    timing = timing or Timing()
    token = settings.token()
    bot = Bot(
        token,
        base_url=settings.telegram_base_url,
        base_file_url=settings.telegram_base_file_url,
    )
    async with bot:
        me = await _the_bot(bot, console, timing)
        username = me.username or me.first_name
        chat_id = settings.admin_chat_id
        if chat_id is None:
            console.say("setup.add_bot", username=username)
            try:
                chat_id = await wait_for_group(bot, timing.poll_seconds)
            except Conflict:
                raise SetupRefused("setup.conflict") from None
        chat = await _ready_group(bot, chat_id, me, console, timing)
        services = build_services(settings.model_copy(update={"admin_chat_id": chat.id}))
        try:
            await migrate.upgrade(services.engine)
            await _topics(bot, services, chat, console)
            staff_chats = [chat.id, *await _agency_groups(bot, services, me, console)]
            await profile.register(bot, services, staff_chats)
        finally:
            await services.engine.dispose()
        console.say("setup.profile_set", count=len(staff_chats))
        found = {"TELEGRAM_BOT_TOKEN": token, "ADMIN_CHAT_ID": str(chat.id)}
        _settings_out(console, env_file, found)
    console.say("setup.done")


async def _the_bot(bot: Bot, console: Console, timing: Timing) -> User:
    """getMe; waits until BotFather lets the bot join groups."""
    me = await bot.get_me()
    username = me.username or me.first_name
    console.say("setup.token_ok", username=username, name=me.first_name)
    if not me.can_join_groups:
        console.say("setup.cannot_join", username=username)
        while not me.can_join_groups:
            await asyncio.sleep(timing.recheck_seconds)
            me = await bot.get_me()
    # With privacy mode on, a bot gets commands, replies to its own messages and service
    # messages from a group where it is not an admin, all lapor-bot needs there; an admin
    # bot (the staff group's) gets every message whatever the mode (docs/operations.md).
    privacy = "setup.privacy_off" if me.can_read_all_group_messages else "setup.privacy_on"
    console.say(privacy, username=username)
    return me


async def _ready_group(
    bot: Bot, chat_id: int, me: User, console: Console, timing: Timing
) -> ChatFullInfo:
    """The staff group once it has all it needs; names each thing it lacks, once."""
    told: list[Problem] = []
    announced = False
    while True:
        try:
            chat = await bot.get_chat(chat_id)
            member = await bot.get_chat_member(chat_id, me.id)
        except ChatMigrated as moved:
            chat_id = moved.new_chat_id
            console.say("setup.migrated", chat_id=chat_id)
            continue
        except (BadRequest, Forbidden):
            where = {"chat_id": chat_id, "username": me.username or me.first_name}
            found = [Problem("setup.problem.cannot_open", where)]
        else:
            if not announced:
                console.say("setup.group", title=chat.title or "", chat_id=chat.id)
                announced = True
            found = problems(chat, member, me)
            if not found:
                console.say("setup.group_ready", title=chat.title or "")
                return chat
        new = [problem for problem in found if problem not in told]
        for problem in new:
            console.say(problem.key, **problem.params)
        if new:
            console.say("setup.waiting")
            told.extend(new)
        await asyncio.sleep(timing.recheck_seconds)


def _queues(services: Services) -> list[str]:
    """The staff group's topics: Verifikasi, each agency without a group of its own, Eskalasi."""
    agencies = services.directory.agencies.values()
    return [VERIFIKASI, *(a.key for a in agencies if a.chat_id is None), ESKALASI]


async def _topics(bot: Bot, services: Services, chat: ChatFullInfo, console: Console) -> None:
    """Create the topics that are missing, as `run` would at its first card."""
    keys = _queues(services)
    async with services.sessionmaker() as session:
        kept = [key for key in keys if await queries.find_topic(session, chat.id, key)]
    destinations = Destinations(services, bot)
    for key in keys:
        if key not in kept:
            await destinations.resolve(StaffQueue(key))
    created = [topic_name(services, key) for key in keys if key not in kept]
    if created:
        console.say("setup.topics_created", count=len(created))
        for name in created:
            console.write(f"  {name}")
    if kept:
        console.say("setup.topics_kept", count=len(kept))


async def _agency_groups(bot: Bot, services: Services, me: User, console: Console) -> list[int]:
    """Agencies' and offices' own groups the bot is in; the others are named, for the
    operator to fix."""
    usable = []
    directory = services.directory
    for agency in (*directory.agencies.values(), *directory.offices.values()):
        if agency.chat_id is None:
            continue
        try:
            member = await bot.get_chat_member(agency.chat_id, me.id)
        except (BadRequest, Forbidden):
            member = None
        if member is None or member.status in ("left", "kicked"):
            console.say(
                "setup.agency_group_missing",
                agency=agency.name,
                chat_id=agency.chat_id,
                username=me.username,
            )
        else:
            usable.append(agency.chat_id)
    return usable


def _settings_out(console: Console, env_file: Path | None, values: dict[str, str]) -> None:
    """Into the .env file, or on the screen when asked to or the file cannot be written."""
    if env_file is not None:
        try:
            write_settings(env_file, values)
        except OSError as error:
            console.say("setup.env_not_written", path=env_file, reason=error.strerror or "")
        else:
            console.say("setup.env_written", path=env_file, names=", ".join(values))
            return
    console.say("setup.env_lines")
    for name, value in values.items():
        console.write(f"{name}={value}")
