"""Groups the bot does not serve: what is addressed to it is pointed to the private chat.

Someone may add the bot to a neighbourhood group, or type a staff command in the wrong
group. A command, a mention of the bot or a reply to one of its messages gets one short
answer naming the bot and the city's other channels; it reveals nothing (no report, no
status, no "you are not staff"), stores nothing and logs no text. Chatter not addressed to
the bot is left alone: a bot that answers everyone in a group is soon removed from it.
"""

from __future__ import annotations

import logging

from telegram import Bot, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import filters

from bot.services import Services
from bot.transport.context import LaporContext
from handlers.staff_access import scope_of

log = logging.getLogger(__name__)


class UnservedGroup(filters.MessageFilter):
    """A message in a group that is neither the staff group nor an agency's own group."""

    def __init__(self, services: Services) -> None:
        super().__init__(name="UnservedGroup")
        self.services = services

    def filter(self, message: Message) -> bool:
        """Decided by the same rule the staff handlers use (staff_access.scope_of)."""
        in_group = message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
        return in_group and scope_of(self.services, message.chat_id) is None


def addressed(message: Message, bot: Bot) -> bool:
    """A command for this bot, a mention of it, or a reply to one of its messages."""
    if message.is_automatic_forward:
        return False  # a linked channel's post copied into its discussion group
    username = bot.username.casefold()
    entities = message.parse_entities() or message.parse_caption_entities()
    for entity, text in entities.items():
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            # "/start@other_bot" is for another bot, as python-telegram-bot reads it.
            _, _, target = text.partition("@")
            if target.casefold() in ("", username):
                return True
        if entity.type == MessageEntity.MENTION and text[1:].casefold() == username:
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id:
            return True
    replied = message.reply_to_message
    # In a forum, a message in a topic "replies" to the topic's opening, which is no reply.
    return (
        replied is not None
        and replied.forum_topic_created is None
        and replied.from_user is not None
        and replied.from_user.id == bot.id
    )


def pointer(services: Services, bot: Bot) -> str:
    """The answer, in the bot's default language: where the service works, and other ways."""
    t = services.locales.get(services.settings.bot_locale)
    city = services.directory.city
    # The username is quoted as Telegram has it (set apart like any name the bot quotes):
    # it must be exact to be found, and Telegram makes it a tap that opens the bot's chat.
    name = f"\u2068@{bot.username}\u2069"
    return t("unserved.private_only", city=city.name, bot=name, phone=city.phone, sms=city.sms)


async def on_unserved_group(update: Update, context: LaporContext) -> None:
    """Answer a message addressed to the bot in a group it does not serve; ignore the rest."""
    message = update.effective_message
    if message is None or not addressed(message, context.bot):
        return
    thread_id = message.message_thread_id if message.is_topic_message else None
    try:
        await context.bot.send_message(
            message.chat_id, pointer(context.services, context.bot), message_thread_id=thread_id
        )
    except TelegramError as error:
        # Nothing is owed: the bot may not write there (muted, kicked); the sender can ask again.
        log.warning("answer in an unserved group not sent: %s", type(error).__name__)
