"""What Telegram shows of the bot: its command menus per scope and its descriptions, in
every language the bot speaks (setMyCommands, setMyDescription, setMyShortDescription)."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat

from bot.app import COMMANDS
from bot.language.i18n import Translator
from bot.services import Services
from bot.settings import SUPPORTED_LOCALES

# The staff group's menu, in the order staff look for them: find a report, act on it, see
# the figures, bar a citizen. Every staff command is here (tests/test_setup.py checks).
STAFF_MENU = {
    "laporan": "staff.command.laporan",
    "antrean": "staff.command.antrean",
    "cari": "staff.command.cari",
    "teruskan": "staff.command.teruskan",
    "alihkan": "staff.command.alihkan",
    "tunda": "staff.command.tunda",
    "tindaklanjuti": "staff.command.tindaklanjuti",
    "selesai": "staff.command.selesai",
    "kembalikan": "staff.command.kembalikan",
    "duplikat": "staff.command.duplikat",
    "bukanwewenang": "staff.command.bukanwewenang",
    "arsipkan": "staff.command.arsipkan",
    "naikkan": "staff.command.naikkan",
    "turunkan": "staff.command.turunkan",
    "statistik": "staff.command.statistik",
    "ekspor": "staff.command.ekspor",
    "blokir": "staff.command.blokir",
    "bukablokir": "staff.command.bukablokir",
}


def citizen_menu(t: Translator) -> list[BotCommand]:
    """The private chats' menu: the commands every citizen may type."""
    return [BotCommand(name, t(f"command.{name}")) for name in COMMANDS]


def staff_menu(t: Translator) -> list[BotCommand]:
    """The staff groups' menu."""
    return [BotCommand(name, t(key)) for name, key in STAFF_MENU.items()]


async def register(bot: Bot, services: Services, staff_chats: Iterable[int]) -> None:
    """Every menu and description, in the default language and in each one by its code.

    The default (no language code) is BOT_LOCALE; a person whose Telegram speaks another
    supported language sees that one.
    """
    city = services.directory.city.name
    chats = list(staff_chats)
    for language in (None, *SUPPORTED_LOCALES):
        t = services.locales.get(language or services.settings.bot_locale)
        await bot.set_my_commands(
            citizen_menu(t), scope=BotCommandScopeAllPrivateChats(), language_code=language
        )
        for chat_id in chats:
            await bot.set_my_commands(
                staff_menu(t), scope=BotCommandScopeChat(chat_id), language_code=language
            )
        await bot.set_my_description(t("profile.description", city=city), language_code=language)
        await bot.set_my_short_description(
            t("profile.short_description", city=city), language_code=language
        )
