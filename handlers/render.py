"""Sending replies to a citizen: catalogue text, plain (no markup), no quotes, no previews."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.ext import ExtBot

from bot.i18n import Translator
from handlers.turn import Reply


def keyboard(reply: Reply, t: Translator) -> ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    """The reply keyboard of a message: shortcut buttons that send the typed words."""
    if reply.buttons:
        rows = [[KeyboardButton(t.render(label)) for label in row] for row in reply.buttons]
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=False)
    return ReplyKeyboardRemove() if reply.remove_keyboard else None


async def send_replies(
    bot: ExtBot[None], chat_id: int, replies: Sequence[Reply], t: Translator
) -> None:
    """Send each reply as a new message, in order."""
    for reply in replies:
        await bot.send_message(
            chat_id, t(reply.text.key, **reply.text.params), reply_markup=keyboard(reply, t)
        )
