"""The baseline: a bare python-telegram-bot bot that echoes every text, nothing else.

Same library, same emulator, same polling and the same concurrency (updates handled
concurrently), but no database, no catalogue and no conversation: what lapor-bot's
throughput is compared with. ECHO_REQUEST=aiohttp sends over lapor-bot's own request
class (bot/transport/aiohttp_request.py), as lapor-bot does: the fair yardstick.
ECHO_REQUEST=httpx keeps python-telegram-bot's default client, kept only as a note.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.transport.aiohttp_request import AiohttpRequest


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    message = update.effective_message
    if message is not None and message.text:
        await context.bot.send_message(message.chat_id, message.text)


def main() -> None:
    """Poll the Bot API at TELEGRAM_BASE_URL with TELEGRAM_BOT_TOKEN."""
    builder = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_BASE_URL"])
        .concurrent_updates(256)
    )
    if os.environ.get("ECHO_REQUEST", "aiohttp") == "aiohttp":
        builder = builder.request(AiohttpRequest()).get_updates_request(
            AiohttpRequest(connections=1)
        )
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=["message"])


if __name__ == "__main__":
    main()
