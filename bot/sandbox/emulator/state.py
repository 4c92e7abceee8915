"""What the emulated Telegram holds: users, chats, topics, messages and files.

Everything here is plain data plus the Bot API JSON shapes built from it. The
``User`` methods are thin forwards to :mod:`bot.sandbox.emulator.scripted` so that tests
can write ``await alice.say("halo")``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.sandbox.emulator.entities import Entity
from bot.sandbox.emulator.markup import buttons, inline_for_message

JSON = dict[str, Any]

ADMIN_RIGHTS: tuple[str, ...] = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories", "can_pin_messages", "can_manage_topics",
)  # fmt: skip
SERVICE_KEYS = ("forum_topic_created", "forum_topic_edited", "new_chat_members")
TOPIC_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)


class Script(Protocol):
    """What a person's actions go through (the emulator's ``Scripter``)."""

    async def say(self, user: User, text: str, *args: Any, **kw: Any) -> list[Message]: ...

    async def press(self, user: User, label: str, *args: Any, **kw: Any) -> list[Message]: ...

    async def send_media(self, user: User, kind: str, *args: Any, **kw: Any) -> list[Message]: ...

    async def send_location(
        self, user: User, latitude: float, longitude: float, *args: Any, **kw: Any
    ) -> list[Message]: ...

    async def send_contact(self, user: User, *args: Any, **kw: Any) -> list[Message]: ...

    async def send_poll(
        self, user: User, question: str, options: list[str], *args: Any, **kw: Any
    ) -> list[Message]: ...

    async def edit_message(
        self, user: User, message_id: int, text: str, *args: Any, **kw: Any
    ) -> list[Message]: ...

    def last_bot_message(self, user: User) -> Message: ...

    def history(self, user: User) -> list[Message]: ...


@dataclass(eq=False)
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    started: bool = True
    blocked: bool = False
    deactivated: bool = False
    script: Script | None = field(default=None, repr=False)

    def to_json(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def _script(self) -> Script:
        if self.script is None:
            raise RuntimeError(f"user {self.id} is not attached to an emulator")
        return self.script

    # Scripted actions: see Scripter for the waiting rules and parameters.
    async def say(self, text: str, **kw: Any) -> list[Message]:
        return await self._script().say(self, text, **kw)

    async def press(self, label: str, **kw: Any) -> list[Message]:
        return await self._script().press(self, label, **kw)

    async def send_photo(self, **kw: Any) -> list[Message]:
        return await self._script().send_media(self, "photo", **kw)

    async def send_document(self, **kw: Any) -> list[Message]:
        return await self._script().send_media(self, "document", **kw)

    async def send_voice(self, **kw: Any) -> list[Message]:
        return await self._script().send_media(self, "voice", **kw)

    async def send_video_note(self, **kw: Any) -> list[Message]:
        return await self._script().send_media(self, "video_note", **kw)

    async def send_animation(self, **kw: Any) -> list[Message]:
        return await self._script().send_media(self, "animation", **kw)

    async def send_sticker(self, **kw: Any) -> list[Message]:
        return await self._script().send_media(self, "sticker", **kw)

    async def send_location(self, latitude: float, longitude: float, **kw: Any) -> list[Message]:
        return await self._script().send_location(self, latitude, longitude, **kw)

    async def send_contact(self, **kw: Any) -> list[Message]:
        return await self._script().send_contact(self, **kw)

    async def send_poll(self, question: str, options: list[str], **kw: Any) -> list[Message]:
        return await self._script().send_poll(self, question, options, **kw)

    async def edit_message(self, message_id: int, text: str, **kw: Any) -> list[Message]:
        return await self._script().edit_message(self, message_id, text, **kw)

    async def say_in(self, chat: Chat, text: str, **kw: Any) -> list[Message]:
        return await self._script().say(self, text, chat=chat, **kw)

    async def press_in(self, chat: Chat, message_id: int, label: str, **kw: Any) -> list[Message]:
        return await self._script().press(self, label, chat=chat, message_id=message_id, **kw)

    async def send_photo_in(self, chat: Chat, **kw: Any) -> list[Message]:
        return await self._script().send_media(self, "photo", chat=chat, **kw)

    async def send_document_in(self, chat: Chat, **kw: Any) -> list[Message]:
        return await self._script().send_media(self, "document", chat=chat, **kw)

    async def send_location_in(
        self, chat: Chat, latitude: float, longitude: float, **kw: Any
    ) -> list[Message]:
        return await self._script().send_location(self, latitude, longitude, chat=chat, **kw)

    def last_bot_message(self) -> Message:
        return self._script().last_bot_message(self)

    def history(self) -> list[Message]:
        return self._script().history(self)


# What a restricted member may not do (Bot API ChatMemberRestricted).
RESTRICTED_PERMISSIONS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
    "can_react_to_messages",
    "can_edit_tag",
)


@dataclass(eq=False)
class Member:
    user: User
    status: str  # creator | administrator | member | restricted | left | kicked
    rights: dict[str, bool] = field(default_factory=dict)

    def to_json(self) -> JSON:
        data: JSON = {"user": self.user.to_json(), "status": self.status}
        if self.status == "creator":
            data["is_anonymous"] = False
        elif self.status == "administrator":
            data.update({"can_be_edited": False, "is_anonymous": False})
            data.update({right: self.rights.get(right, False) for right in ADMIN_RIGHTS})
        elif self.status == "kicked":
            data["until_date"] = 0
        elif self.status == "restricted":
            # Muted: every permission off; `is_member` False for one restricted and gone.
            data.update({"is_member": self.rights.get("is_member", True), "until_date": 0})
            data.update(dict.fromkeys(RESTRICTED_PERMISSIONS, False))
        return data


@dataclass(eq=False)
class ForumTopic:
    thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    deleted: bool = False
    closed: bool = False

    def to_json(self) -> JSON:
        data: JSON = {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            data["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return data


@dataclass(eq=False)
class Message:
    """One message as the chat shows it; ``raw`` is the Bot API Message JSON."""

    message_id: int
    chat_id: int
    thread_id: int | None
    from_bot: bool
    sender_id: int
    date: int
    text: str | None = None
    caption: str | None = None
    entities: list[Entity] = field(default_factory=list)  # of the text, or of the caption
    parse_mode: str | None = None
    reply_markup: JSON | None = None  # as sent, reply keyboards included
    reply_to_message_id: int | None = None
    media: str | None = None  # photo | document | voice | location | contact | sticker | ...
    file_id: str | None = None
    edited: bool = False
    edit_date: int | None = None
    link_preview_disabled: bool = False
    deleted: bool = False
    content: JSON = field(default_factory=dict)  # the media fields of the Message JSON
    extra: JSON = field(default_factory=dict)  # other Message JSON fields (forward_origin, ...)
    source: str | None = None  # text or caption exactly as the bot sent it, before parsing
    created_at: float = 0.0  # emulator monotonic clock
    raw: JSON = field(default_factory=dict)

    @property
    def kind(self) -> str | None:
        return self.media

    @property
    def is_service(self) -> bool:
        """ForumTopic created/edited and similar notices, which have no text of their own."""
        return any(key in self.content for key in SERVICE_KEYS)

    @property
    def body(self) -> str:
        """Text or caption, whichever the message has."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def button_labels(self) -> list[str]:
        return [b.label for b in buttons(self.reply_markup)]

    @property
    def callback_data(self) -> dict[str, str]:
        return {
            b.label: str(b.raw["callback_data"])
            for b in buttons(self.reply_markup)
            if b.inline and "callback_data" in b.raw
        }


@dataclass(eq=False)
class Chat:
    id: int
    type: str  # private | group | supergroup
    title: str | None = None
    is_forum: bool = False
    user: User | None = None  # the other party of a private chat
    members: dict[int, Member] = field(default_factory=dict)
    bot_member: Member | None = None
    topics: dict[int, ForumTopic] = field(default_factory=dict)
    messages: dict[int, Message] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: JSON | None = None  # the reply keyboard the chat currently shows
    reply_keyboard_message_id: int | None = None
    chat_instance: str = ""
    last_activity: float = 0.0
    # A basic group upgraded to a supergroup: the new one's id (Telegram's migrate_to_chat_id).
    migrated_to: int | None = None
    # Bumped whenever a message appears, is edited or is deleted: a page showing the chat
    # waits for it to move (control API /chats/{id}/changes), edits included.
    revision: int = 0

    def to_json(self) -> JSON:
        if self.type == "private" and self.user is not None:
            data = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
            return data
        data = {"id": self.id, "type": self.type, "title": self.title or ""}
        if self.is_forum:
            data["is_forum"] = True
        return data

    def full_json(self) -> JSON:
        data = self.to_json()
        data.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        if self.type != "private":
            data["permissions"] = {"can_send_messages": True}
        return data

    def history(self, thread_id: int | None = None, include_deleted: bool = False) -> list[Message]:
        return [
            m
            for m in self.messages.values()
            if (include_deleted or not m.deleted)
            and (thread_id is None or m.thread_id == thread_id)
        ]

    def live_topic(self, thread_id: int) -> ForumTopic | None:
        topic = self.topics.get(thread_id)
        return topic if topic is not None and not topic.deleted else None


@dataclass(eq=False)
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    size: int
    file_path: str
    data: bytes | None = None  # None: user files, served as filler bytes of ``size``
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    duration: int | None = None

    def content(self) -> bytes:
        if self.data is not None:
            return self.data
        pattern = f"emulated {self.kind} {self.file_unique_id}\n".encode()
        return (pattern * (self.size // len(pattern) + 1))[: self.size]

    def describe(self) -> JSON:
        """The Bot API object (Document, Voice, ...) for this file."""
        data: JSON = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        for key in ("file_name", "mime_type", "width", "height", "duration"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass(eq=False)
class CallbackQuery:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    label: str
    created_at: float
    answered: bool = False


@dataclass(frozen=True)
class CallbackAnswer:
    callback_query_id: str
    user_id: int
    text: str | None
    show_alert: bool
    answered_at: float
    url: str | None = None


@dataclass(frozen=True)
class Press:
    user_id: int
    chat_id: int
    message_id: int | None
    label: str
    callback_data: str | None
    callback_query_id: str | None
    time: float


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: JSON
    status: int
    time: float
    description: str | None = None
    chat_id: int | None = None


def now_unix() -> int:
    return int(time.time())


def message_json(chat: Chat, msg: Message, sender: User, nested: JSON | None) -> JSON:
    data: JSON = {
        "message_id": msg.message_id,
        "from": sender.to_json(),
        "chat": chat.to_json(),
        "date": msg.date,
    }
    if msg.thread_id is not None:
        data["message_thread_id"] = msg.thread_id
        if chat.is_forum:
            data["is_topic_message"] = True
    if nested is not None:
        data["reply_to_message"] = nested
    if msg.edit_date is not None:
        data["edit_date"] = msg.edit_date
    if msg.text is not None:
        data["text"] = msg.text
        if msg.entities:
            data["entities"] = msg.entities
    data.update(msg.content)
    if msg.caption is not None:
        data["caption"] = msg.caption
        if msg.entities:
            data["caption_entities"] = msg.entities
    data.update(msg.extra)
    inline = inline_for_message(msg.reply_markup)
    if inline is not None:
        data["reply_markup"] = inline
    return data
