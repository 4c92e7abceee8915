"""A Telegram Bot API emulator: real HTTP, Telegram's limits and errors, scripted people.

Point python-telegram-bot at ``emu.base_url`` / ``emu.base_file_url`` and drive
the conversation with ``await alice.say(...)``; see DESIGN.md section 8.
"""

from bot.sandbox.emulator.bot_api_errors import BotApiError
from bot.sandbox.emulator.dates import Dates
from bot.sandbox.emulator.emulator import Emulator
from bot.sandbox.emulator.faults import Faults
from bot.sandbox.emulator.flood_control import RateLimits
from bot.sandbox.emulator.scripted import ScriptedAction
from bot.sandbox.emulator.state import (
    ApiCall,
    CallbackAnswer,
    CallbackQuery,
    Chat,
    ForumTopic,
    Member,
    Message,
    Press,
    StoredFile,
    User,
)
from bot.sandbox.emulator.updates import Update

__all__ = [
    "ApiCall",
    "BotApiError",
    "CallbackAnswer",
    "CallbackQuery",
    "Chat",
    "Dates",
    "Emulator",
    "Faults",
    "ForumTopic",
    "Member",
    "Message",
    "Press",
    "RateLimits",
    "ScriptedAction",
    "StoredFile",
    "Update",
    "User",
]
