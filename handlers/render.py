"""Sending replies to a citizen: catalogue text, plain (no markup), no quotes, no previews.

The citizen's settings shape it: simple mode sends no keyboards at all (every choice is
already numbered in the text), and spoken replies add one voice note after each answer
that asks something, reading that answer's messages in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.ext import ExtBot

from bot.language import speech
from bot.language.i18n import Translator
from bot.settings import Settings
from bot.transport.voice import send_voice
from handlers.turn import Reply
from storage.models import Reporter


@dataclass(frozen=True)
class Preferences:
    """How one citizen wants replies: language, keyboards or not, a voice note or not."""

    t: Translator
    simple: bool = False
    # The speaking programs, when the citizen asked for spoken replies and both are there.
    voice: speech.Tools | None = None

    @classmethod
    def of(cls, reporter: Reporter, t: Translator, settings: Settings) -> Preferences:
        """The preferences stored on a reporter."""
        tools = speech.tools(settings) if reporter.voice_replies else None
        return cls(t, reporter.simple_mode, tools if tools and tools.can_speak else None)


def keyboard(
    reply: Reply, t: Translator, simple: bool = False
) -> ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    """The reply keyboard of a message: shortcut buttons that send the typed words."""
    if simple:
        # Also clears a keyboard left from before simple mode was switched on.
        return ReplyKeyboardRemove() if reply.buttons or reply.remove_keyboard else None
    if reply.buttons:
        rows = [[KeyboardButton(t.render(label)) for label in row] for row in reply.buttons]
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=False)
    return ReplyKeyboardRemove() if reply.remove_keyboard else None


def _asks(reply: Reply) -> bool:
    """A question (Turn.ask), as opposed to a statement (Turn.say)."""
    return reply.buttons is not None or reply.remove_keyboard


async def send_replies(
    bot: ExtBot[None], chat_id: int, replies: Sequence[Reply], prefs: Preferences | Translator
) -> None:
    """Send each reply as a new message, in order, then the voice note if one is wanted."""
    if isinstance(prefs, Translator):
        prefs = Preferences(prefs)
    t = prefs.t
    texts = [t(reply.text.key, **reply.text.params) for reply in replies]
    for reply, text in zip(replies, texts, strict=True):
        await bot.send_message(chat_id, text, reply_markup=keyboard(reply, t, prefs.simple))
    if prefs.voice is not None and any(_asks(reply) for reply in replies):
        await _speak(bot, chat_id, "\n".join(texts), t.locale, prefs.voice)


async def _speak(
    bot: ExtBot[None], chat_id: int, text: str, locale: str, tools: speech.Tools
) -> None:
    note = await speech.voice_note(text, locale, tools)
    if note is not None:
        await send_voice(bot, chat_id, note)
