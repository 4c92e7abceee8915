"""Bot API method handlers; importing this package fills the registry."""

from bot.sandbox.emulator.methods import bot_info, chats, get_updates, media, messages
from bot.sandbox.emulator.methods.registry import REGISTRY

__all__ = ["REGISTRY", "bot_info", "chats", "get_updates", "media", "messages"]
