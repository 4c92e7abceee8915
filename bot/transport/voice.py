"""Sending a voice note made by bot.language.speech."""

from __future__ import annotations

from telegram import Bot, InputFile, Message

from bot.language.speech import VoiceNote

# The name a voice note is uploaded under (Telegram keeps it only for downloads).
FILE_NAME = "balasan.ogg"


async def send_voice(
    bot: Bot, chat_id: int, note: VoiceNote, thread_id: int | None = None
) -> Message:
    """Send a made voice note with its length, for the chat's replies and the outbox alike."""
    return await bot.send_voice(
        chat_id,
        InputFile(note.ogg, filename=FILE_NAME),
        duration=note.seconds,
        message_thread_id=thread_id,
    )
