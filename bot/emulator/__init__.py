"""A Telegram Bot API emulator: real HTTP, Telegram's limits and errors, scripted people.

Point python-telegram-bot at ``emu.base_url`` / ``emu.base_file_url`` and drive
the conversation with ``await alice.say(...)``; see DESIGN.md section 8.
"""

from bot.emulator.emulator import Emulator
from bot.emulator.errors import ApiError
from bot.emulator.faults import Faults
from bot.emulator.limits import RateLimits
from bot.emulator.scripted import Action
from bot.emulator.state import (
    ApiCall,
    CallbackAnswer,
    CallbackQuery,
    Chat,
    Member,
    Message,
    Press,
    StoredFile,
    Topic,
    User,
)
from bot.emulator.updates import Update

__all__ = [
    "Action",
    "ApiCall",
    "ApiError",
    "CallbackAnswer",
    "CallbackQuery",
    "Chat",
    "Emulator",
    "Faults",
    "Member",
    "Message",
    "Press",
    "RateLimits",
    "StoredFile",
    "Topic",
    "Update",
    "User",
]
