"""Bot API method handlers; importing this package fills the registry."""

from bot.emulator.methods import bot_info, chats, media, messages, polling
from bot.emulator.methods.registry import REGISTRY

__all__ = ["REGISTRY", "bot_info", "chats", "media", "messages", "polling"]
