"""The emulator's world: creates users, chats, topics, messages and files with ids."""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable
from typing import Any

from bot.sandbox.emulator.entities import Entity
from bot.sandbox.emulator.state import (
    ADMIN_RIGHTS,
    JSON,
    TOPIC_COLORS,
    CallbackQuery,
    Chat,
    ForumTopic,
    Member,
    Message,
    StoredFile,
    User,
    message_json,
)

_FILE_PREFIX = {
    "photo": "AgAC", "document": "BQAC", "voice": "AwAC", "audio": "CQAC", "video": "BAAC",
    "video_note": "DQAC", "animation": "CgAC", "sticker": "CAAC",
}  # fmt: skip
_FILE_DIR = {
    "photo": ("photos", ".jpg"), "document": ("documents", ""), "voice": ("voice", ".oga"),
    "audio": ("music", ".mp3"), "video": ("videos", ".mp4"), "video_note": ("video_notes", ".mp4"),
    "animation": ("animations", ".mp4"), "sticker": ("stickers", ".webp"),
}  # fmt: skip
# Telegram stores a photo at several sizes; a user's photo arrives as all of them.
_PHOTO_SIZES = ((90, 68, 0.02), (320, 240, 0.12), (800, 600, 0.45), (1280, 960, 1.0))
FIRST_USER_ID = 1001


class Store:
    def __init__(
        self, bot: User, clock: Callable[[], float], dates: Callable[[], float] = time.time
    ) -> None:
        self.bot = bot
        self.clock = clock
        # Telegram's clock for message dates (unix seconds): a test may move it ahead.
        self.dates = dates
        self.users: dict[int, User] = {bot.id: bot}
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.file_paths: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQuery] = {}
        self._user_ids = itertools.count(FIRST_USER_ID)
        self._group_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)

    def now_unix(self) -> int:
        """Now on Telegram's clock, in whole seconds as message dates are."""
        return int(self.dates())

    # --- users and chats ---------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        started: bool = True,
        *,
        user_id: int | None = None,
    ) -> User:
        uid = user_id if user_id is not None else next(self._user_ids)
        while uid in self.users:
            uid = next(self._user_ids)
        user = User(
            id=uid,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            started=started,
        )
        self.users[uid] = user
        chat = Chat(id=uid, type="private", user=user, chat_instance=self._instance(uid))
        chat.members[uid] = Member(user, "member")
        chat.bot_member = Member(self.bot, "member")
        self.chats[uid] = chat
        return user

    def add_supergroup(
        self,
        title: str,
        forum: bool = False,
        members: list[User] | None = None,
        admins: list[User] | None = None,
        *,
        owner: User | None = None,
        bot_admin: bool = True,
        bot_rights: dict[str, bool] | None = None,
    ) -> Chat:
        chat_id = -1001000000000 - next(self._group_ids)
        chat = Chat(
            id=chat_id,
            type="supergroup",
            title=title,
            is_forum=forum,
            chat_instance=self._instance(chat_id),
            # Message 1 is the group's creation; in a forum it is also the General topic.
            next_message_id=2,
        )
        if owner is not None:
            chat.members[owner.id] = Member(owner, "creator", dict.fromkeys(ADMIN_RIGHTS, True))
        for user in members or []:
            self.add_member(chat, user)
        for user in admins or []:
            self.add_member(chat, user, admin=True)
        rights = dict.fromkeys(ADMIN_RIGHTS, True)
        rights["can_promote_members"] = False
        rights.update(bot_rights or {})
        chat.bot_member = Member(self.bot, "administrator" if bot_admin else "member", rights)
        self.chats[chat_id] = chat
        return chat

    def add_member(self, chat: Chat, user: User, admin: bool = False) -> Member:
        existing = chat.members.get(user.id)
        if existing is not None and existing.status == "creator":
            return existing
        if admin:
            rights = dict.fromkeys(ADMIN_RIGHTS, True)
            rights["can_promote_members"] = False
            member = Member(user, "administrator", rights)
        else:
            member = Member(user, "member")
        chat.members[user.id] = member
        return member

    def member(self, chat: Chat, user_id: int) -> Member:
        if user_id == self.bot.id and chat.bot_member is not None:
            return chat.bot_member
        found = chat.members.get(user_id)
        if found is not None:
            return found
        user = self.users[user_id]
        return Member(user, "left")

    def resolve_chat(self, value: Any) -> Chat | None:
        # "@name" only finds public channels and supergroups on Telegram, never users,
        # and the emulated groups have no public usernames.
        if isinstance(value, str) and value.startswith("@"):
            return None
        try:
            return self.chats.get(int(value))
        except (TypeError, ValueError):
            return None

    def private_chat(self, user: User) -> Chat:
        return self.chats[user.id]

    @staticmethod
    def _instance(chat_id: int) -> str:
        return str(int(hashlib.sha256(str(chat_id).encode()).hexdigest()[:15], 16))

    # --- messages ------------------------------------------------------------------------

    def add_message(
        self,
        chat: Chat,
        *,
        from_bot: bool,
        sender_id: int,
        thread_id: int | None = None,
        reply_to: int | None = None,
        text: str | None = None,
        caption: str | None = None,
        entities: list[Entity] | None = None,
        media: str | None = None,
        file_id: str | None = None,
        content: JSON | None = None,
        extra: JSON | None = None,
        reply_markup: JSON | None = None,
        parse_mode: str | None = None,
        link_preview_disabled: bool = False,
        source: str | None = None,
    ) -> Message:
        msg = Message(
            message_id=chat.next_message_id,
            chat_id=chat.id,
            thread_id=thread_id,
            from_bot=from_bot,
            sender_id=sender_id,
            date=self.now_unix(),
            text=text,
            caption=caption,
            entities=list(entities or []),
            parse_mode=parse_mode,
            reply_markup=reply_markup,
            reply_to_message_id=reply_to,
            media=media,
            file_id=file_id,
            link_preview_disabled=link_preview_disabled,
            content=dict(content or {}),
            extra=dict(extra or {}),
            source=source,
            created_at=self.clock(),
        )
        chat.next_message_id += 1
        chat.messages[msg.message_id] = msg
        self.refresh(chat, msg)
        return msg

    def refresh(self, chat: Chat, msg: Message) -> None:
        """Rebuilds ``raw`` after a change; replies embed their target one level deep."""
        chat.revision += 1
        target_id = msg.reply_to_message_id
        if target_id is None and msg.thread_id is not None and chat.is_forum:
            # Telegram quirk: a non-reply message in a topic replies to the topic's root.
            target_id = msg.thread_id if msg.thread_id != msg.message_id else None
        nested = None
        target = chat.messages.get(target_id) if target_id is not None else None
        if target is not None:
            nested = message_json(chat, target, self.users[target.sender_id], None)
        msg.raw = message_json(chat, msg, self.users[msg.sender_id], nested)

    def find(self, chat: Chat, message_id: int) -> Message | None:
        msg = chat.messages.get(message_id)
        return msg if msg is not None and not msg.deleted else None

    # --- topics --------------------------------------------------------------------------

    def create_topic(
        self,
        chat: Chat,
        name: str,
        creator: User,
        icon_color: int | None = None,
        icon_custom_emoji_id: str | None = None,
    ) -> tuple[ForumTopic, Message]:
        color = icon_color if icon_color is not None else TOPIC_COLORS[len(chat.topics) % 6]
        service = self.add_message(
            chat,
            from_bot=creator.is_bot,
            sender_id=creator.id,
            content={"forum_topic_created": {"name": name, "icon_color": color}},
        )
        topic = ForumTopic(service.message_id, name, color, icon_custom_emoji_id)
        chat.topics[topic.thread_id] = topic
        service.thread_id = topic.thread_id
        self.refresh(chat, service)
        return topic, service

    # --- files ---------------------------------------------------------------------------

    def new_file(
        self,
        kind: str,
        size: int,
        data: bytes | None = None,
        **attrs: Any,
    ) -> StoredFile:
        n = next(self._file_ids)
        unique = hashlib.sha1(f"{kind}:{n}".encode()).hexdigest()[:16]
        file_id = f"{_FILE_PREFIX.get(kind, 'BQAC')}Emu{n:06d}{unique}"
        folder, ext = _FILE_DIR.get(kind, ("documents", ""))
        name = attrs.get("file_name")
        if kind == "document" and isinstance(name, str) and "." in name:
            ext = "." + name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"AQAD{unique}",
            kind=kind,
            size=size,
            file_path=f"{folder}/file_{n}{ext}",
            data=data,
            **attrs,
        )
        self.files[file_id] = stored
        self.file_paths[stored.file_path] = stored
        return stored

    def photo_sizes(self, size: int, data: bytes | None = None) -> list[StoredFile]:
        """All sizes of one photo, largest last; the largest carries the real bytes."""
        sizes = []
        for width, height, share in _PHOTO_SIZES:
            is_largest = share == 1.0
            part = size if is_largest else max(1, int(size * share))
            sizes.append(
                self.new_file(
                    "photo",
                    part,
                    data if is_largest else None,
                    width=width,
                    height=height,
                )
            )
        return sizes

    def new_callback_id(self) -> str:
        return f"{next(self._callback_ids)}{self.bot.id % 10_000:04d}42"
