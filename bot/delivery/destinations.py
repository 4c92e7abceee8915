"""Where an outbox destination is at send time: a citizen's chat, an agency's own group,
a topic of the staff group (created when missing), or the staff group with a hashtag."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from telegram import Bot
from telegram.error import BadRequest

from bot.core.outgoing import ChatTarget, CitizenChat, Destination, StaffQueue
from bot.delivery.failures import NO_TOPICS, Failure, FailureKind, Undeliverable
from bot.services import Services
from storage import outbox_queries as queries

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    """A resolved destination: the chat, the topic, and how the text is adapted there."""

    chat_id: int
    thread_id: int | None = None
    # "#verifikasi" and the like, in a staff group without topics.
    tag: str | None = None
    # The queue whose stored topic this is, so a topic deleted by hand can be replaced.
    topic_key: str | None = None
    citizen: bool = False
    reporter_id: int | None = None


def hashtag(key: str) -> str:
    """The tag standing in for a topic; keys are [a-z0-9_], anything else becomes "_"."""
    return "#" + re.sub(r"\W", "_", key)


def topic_name(services: Services, key: str) -> str:
    """An agency's or a counter's topic carries its name; the verifiers' and escalation
    topics their key."""
    return services.directory.queue_name(key) or key.capitalize()


class Destinations:
    """Resolves destinations; remembers which staff chats are forums (a cache only)."""

    def __init__(self, services: Services, bot: Bot) -> None:
        self.services = services
        self.bot = bot
        self._forums: dict[int, bool] = {}
        # One topic made at a time per queue: lanes of one chat resolve it side by side.
        self._making: dict[tuple[int, str], asyncio.Lock] = {}

    def staff_chat(self, key: str) -> int | None:
        """The chat a staff queue lives in: the agency's (or counter's) own group, else the
        staff group."""
        own = self.services.directory.own_chat(key)
        return own if own is not None else self.services.settings.admin_chat_id

    def order_key(self, destination: dict[str, Any]) -> Hashable:
        """Rows with the same key go out one after another, in row order: one per chat.

        Known without the database, so claims can use it: a citizen is their chat,
        and every queue of the staff group is that group.
        """
        kind = destination.get("kind")
        if kind == "citizen":
            return ("citizen", destination.get("reporter_id"))
        if kind == "staff":
            chat_id = self.staff_chat(str(destination.get("key")))
            lane = destination.get("lane")
            if chat_id is None:
                return ("staff", None)
            # A lane of its own per API client: it takes turns with the others in the chat.
            return ("chat", chat_id, lane) if lane else ("chat", chat_id)
        if kind == "chat":
            return ("chat", destination.get("chat_id"))
        if kind == "webhook":
            return ("webhook", destination.get("agency"))
        if kind == "system":
            return ("system", destination.get("method"), destination.get("agency"))
        return ("unknown", repr(sorted(destination.items())))

    async def resolve(self, destination: Destination) -> Place:
        """The place to send to now; raises Undeliverable when there is none."""
        match destination:
            case CitizenChat(reporter_id=reporter_id):
                async with self.services.sessionmaker() as session:
                    chat_id = await queries.reporter_chat(session, reporter_id)
                if chat_id is None:
                    raise Undeliverable(Failure(FailureKind.UNREACHABLE, "reporter unreachable"))
                return Place(chat_id, citizen=True, reporter_id=reporter_id)
            case StaffQueue(key=key):
                return await self._queue(key)
            case ChatTarget(chat_id=chat_id, thread_id=thread_id):
                return Place(chat_id, thread_id)
        raise Undeliverable(Failure(FailureKind.FAILED, "unknown destination"))

    async def _queue(self, key: str) -> Place:
        own = self.services.directory.own_chat(key)
        if own is not None:
            return Place(own)
        chat_id = self.services.settings.admin_chat_id
        if chat_id is None:
            raise Undeliverable(Failure(FailureKind.FAILED, "ADMIN_CHAT_ID is not set"))
        if not await self._is_forum(chat_id):
            return Place(chat_id, tag=hashtag(key))
        thread_id = await self._topic(chat_id, key)
        if thread_id is None:
            return Place(chat_id, tag=hashtag(key))
        return Place(chat_id, thread_id, topic_key=key)

    async def replace_topic(self, place: Place) -> Place:
        """After "message thread not found": forget the deleted topic and create it again."""
        assert place.topic_key is not None and place.thread_id is not None
        async with self.services.sessionmaker.begin() as session:
            await queries.forget_topic(session, place.chat_id, place.topic_key, place.thread_id)
        log.warning(
            "topic %s of chat %s was deleted by hand; creating it again",
            place.topic_key,
            place.chat_id,
        )
        return await self._queue(place.topic_key)

    async def _is_forum(self, chat_id: int) -> bool:
        forum = self._forums.get(chat_id)
        if forum is None:
            chat = await self.bot.get_chat(chat_id)
            forum = self._forums[chat_id] = bool(chat.is_forum)
        return forum

    async def _topic(self, chat_id: int, key: str) -> int | None:
        """The stored topic for a queue, created when missing; None if the group refuses."""
        async with self._making.setdefault((chat_id, key), asyncio.Lock()):
            return await self._stored_or_new_topic(chat_id, key)

    async def _stored_or_new_topic(self, chat_id: int, key: str) -> int | None:
        async with self.services.sessionmaker() as session:
            thread_id = await queries.find_topic(session, chat_id, key)
        if thread_id is not None:
            return thread_id
        try:
            topic = await self.bot.create_forum_topic(chat_id, topic_name(self.services, key))
        except BadRequest as error:
            if not any(reason in error.message.casefold() for reason in NO_TOPICS):
                raise
            # Staff still see the message, in the main chat with its hashtag, until
            # someone gives the bot the right to manage topics.
            log.warning("chat %s refuses topics (%s); using hashtags", chat_id, error.message)
            if "forum" in error.message.casefold():
                self._forums[chat_id] = False
            return None
        try:
            async with self.services.sessionmaker.begin() as session:
                queries.save_topic(session, chat_id, key, topic.message_thread_id)
        except IntegrityError:
            # Another dispatcher created one too; theirs is the one kept.
            async with self.services.sessionmaker() as session:
                kept = await queries.find_topic(session, chat_id, key)
            log.warning("topic %s of chat %s was created twice", key, chat_id)
            return kept if kept is not None else topic.message_thread_id
        return topic.message_thread_id

    async def card(self, place: Place, report_id: int | None) -> int | None:
        """The report's card in that chat, for replies under it (never in a citizen's chat)."""
        if place.citizen or report_id is None:
            return None
        async with self.services.sessionmaker() as session:
            return await queries.newest_card(session, place.chat_id, report_id)
