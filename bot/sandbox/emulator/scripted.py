"""Acting as people: users type, press buttons and send media; tests wait for the bot's answer.

Every action has two halves: ``act_*`` changes the world and queues the update
at once (the control API uses these), and the awaitable wrappers then wait for
the bot: until at least ``expect`` new bot messages are in the chat, and the bot
is done. A bot in the test's own process says when it is (``resting``); one in
another process is taken to be done after no call about that chat for ``settle``
seconds.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from bot.sandbox.emulator import by_hand
from bot.sandbox.emulator.entities import detect_entities
from bot.sandbox.emulator.markup import InlineButton, buttons, is_inline
from bot.sandbox.emulator.methods.media import media_content
from bot.sandbox.emulator.state import (
    JSON,
    CallbackQuery,
    Chat,
    Message,
    Press,
    User,
)
from bot.sandbox.emulator.updates import Update
from bot.sandbox.emulator.world import World

DEFAULT_LOCATION = (-6.9175, 107.6191)  # Bandung city hall
_MEDIA_DEFAULTS: dict[str, dict[str, Any]] = {
    "photo": {"size": 120_000},
    "document": {"size": 50_000, "file_name": "document.pdf", "mime_type": "application/pdf"},
    "voice": {"size": 30_000, "duration": 12, "mime_type": "audio/ogg"},
    "audio": {"size": 2_000_000, "duration": 180, "mime_type": "audio/mpeg"},
    "video": {"size": 3_000_000, "duration": 20, "mime_type": "video/mp4"},
    "video_note": {"size": 400_000, "duration": 8},
    "animation": {"size": 250_000, "duration": 3, "mime_type": "video/mp4"},
    "sticker": {"size": 20_000},
}


@dataclass
class ScriptedAction:
    """A done action: the chat to watch, the last message id before the bot's answer."""

    chat: Chat
    after_id: int
    update: Update | None
    description: str
    message: Message | None = None
    silent_reason: str | None = None  # why no update was queued, for timeout reports


class Scripter:
    def __init__(self, world: World) -> None:
        self.world = world

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
        """A new person, who acts through this script (``await alice.say(...)``)."""
        user = self.world.store.add_user(
            first_name, last_name, username, language_code, started, user_id=user_id
        )
        user.script = self
        return user

    def history(self, user: User) -> list[Message]:
        """The person's private chat with the bot."""
        return self.world.store.private_chat(user).history()

    # --- the acting half ---------------------------------------------------------------

    def _chat_for(self, user: User, chat: Chat | None) -> Chat:
        return chat if chat is not None else self.world.store.private_chat(user)

    def _prepare_actor(self, user: User, chat: Chat) -> None:
        if user.deactivated:
            raise RuntimeError(f"user {user.id} ({user.full_name}) is deactivated")
        if chat.type == "private":
            if chat.id != user.id:
                raise ValueError(f"user {user.id} cannot write in {chat.id}'s private chat")
            # Writing to a bot you blocked means pressing "Restart", which unblocks it.
            by_hand.unblock_bot(self.world, user)
            user.started = True
            return
        member = chat.members.get(user.id)
        if member is None or member.status in ("left", "kicked"):
            raise ValueError(f"user {user.id} ({user.full_name}) is not in {chat.title!r}")

    def _place(
        self, chat: Chat, thread_id: int | None, reply_to: int | None
    ) -> tuple[int | None, int | None]:
        if reply_to is not None:
            target = self.world.store.find(chat, reply_to)
            if target is None:
                raise LookupError(f"no message {reply_to} in chat {chat.id}")
            if thread_id is None and chat.is_forum:
                thread_id = target.thread_id
        if thread_id is not None:
            if not chat.is_forum:
                raise ValueError(f"chat {chat.id} is not a forum; thread_id makes no sense")
            if thread_id == 1:
                return None, reply_to
            if chat.live_topic(thread_id) is None:
                raise LookupError(f"no topic {thread_id} in {chat.title!r}")
        return thread_id, reply_to

    def bot_sees(self, chat: Chat, msg: Message) -> bool:
        """Privacy mode: in groups where it is not an admin, a bot sees only what is for it."""
        if chat.type == "private":
            return True
        member = chat.bot_member
        if member is None or member.status in ("left", "kicked"):
            return False
        if not self.world.privacy_mode or member.status == "administrator":
            return True
        if msg.is_service:
            return True
        body = msg.body
        bot_name = (self.world.bot.username or "").lower()
        for ent in msg.entities:
            if ent["type"] == "bot_command":
                command = body[ent["offset"] : ent["offset"] + ent["length"]]
                if "@" not in command or command.split("@", 1)[1].lower() == bot_name:
                    return True
        target = self.world.store.find(chat, msg.reply_to_message_id or 0)
        if target is not None and target.from_bot:
            return True
        return bool(bot_name) and f"@{bot_name}" in body.lower()

    def _post(
        self,
        user: User,
        chat: Chat | None,
        description: str,
        *,
        text: str | None = None,
        caption: str | None = None,
        media: str | None = None,
        file_id: str | None = None,
        content: JSON | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> ScriptedAction:
        target = self._chat_for(user, chat)
        self._prepare_actor(user, target)
        thread_id, reply_to = self._place(target, thread_id, reply_to)
        body = text if text is not None else caption
        msg = self.world.store.add_message(
            target,
            from_bot=False,
            sender_id=user.id,
            thread_id=thread_id,
            reply_to=reply_to,
            text=text,
            caption=caption,
            entities=detect_entities(body) if body else [],
            media=media,
            file_id=file_id,
            content=content,
        )
        update = None
        if self.bot_sees(target, msg):
            update = self.world.queue.push("message", msg.raw, target.id)
        return ScriptedAction(target, msg.message_id, update, description, msg)

    def act_say(
        self,
        user: User,
        text: str,
        chat: Chat | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> ScriptedAction:
        if not text:
            raise ValueError("Telegram does not let people send empty messages")
        return self._post(
            user, chat, f"{user.first_name} said {text!r}",
            text=text, thread_id=thread_id, reply_to=reply_to,
        )  # fmt: skip

    def act_media(
        self,
        user: User,
        kind: str,
        *,
        chat: Chat | None = None,
        caption: str | None = None,
        size: int | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
        duration: int | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> ScriptedAction:
        if kind not in _MEDIA_DEFAULTS:
            raise ValueError(f"unknown media kind {kind!r}")
        defaults = _MEDIA_DEFAULTS[kind]
        size = size if size is not None else int(defaults["size"])
        store = self.world.store
        if kind == "photo":
            files = store.photo_sizes(size)
        else:
            attrs: dict[str, Any] = {}
            if kind in ("document", "audio", "video", "animation"):
                attrs["file_name"] = file_name or defaults.get("file_name")
            if "mime_type" in defaults or mime_type:
                attrs["mime_type"] = mime_type or defaults.get("mime_type")
            if "duration" in defaults:
                attrs["duration"] = duration if duration is not None else defaults["duration"]
            if kind in ("video", "animation"):
                attrs.update(width=640, height=360)
            if kind in ("video_note", "sticker"):
                attrs["width"] = attrs["height"] = 240 if kind == "video_note" else 512
            files = [store.new_file(kind, size, **attrs)]
        content, file_id = media_content(kind, files)
        allows_caption = kind not in ("sticker", "video_note")
        return self._post(
            user, chat, f"{user.first_name} sent a {kind}",
            caption=caption if allows_caption else None, media=kind, file_id=file_id,
            content=content, thread_id=thread_id, reply_to=reply_to,
        )  # fmt: skip

    def act_location(
        self,
        user: User,
        latitude: float,
        longitude: float,
        *,
        chat: Chat | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> ScriptedAction:
        content = {"location": {"latitude": latitude, "longitude": longitude}}
        return self._post(
            user, chat, f"{user.first_name} shared location {latitude},{longitude}",
            media="location", content=content, thread_id=thread_id, reply_to=reply_to,
        )  # fmt: skip

    def act_contact(
        self,
        user: User,
        phone_number: str = "+6281234567890",
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        chat: Chat | None = None,
        own: bool = True,
    ) -> ScriptedAction:
        contact: JSON = {
            "phone_number": phone_number,
            "first_name": first_name or user.first_name,
        }
        last = last_name if last_name is not None else (user.last_name if own else None)
        if last:
            contact["last_name"] = last
        if own:
            contact["user_id"] = user.id
        return self._post(
            user, chat, f"{user.first_name} shared contact {phone_number}",
            media="contact", content={"contact": contact},
        )  # fmt: skip

    def act_poll(
        self, user: User, question: str, options: list[str], chat: Chat | None = None
    ) -> ScriptedAction:
        target = self._chat_for(user, chat)
        poll = {
            "id": f"{target.id}{target.next_message_id}",
            "question": question,
            # Bot API 9.6: each option has an id that survives edits; clients must send it.
            "options": [
                {"persistent_id": str(n), "text": o, "voter_count": 0}
                for n, o in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": True,
            "members_only": False,
        }
        return self._post(
            user, chat, f"{user.first_name} sent a poll", media="poll", content={"poll": poll}
        )

    def act_edit(
        self, user: User, message_id: int, text: str, chat: Chat | None = None
    ) -> ScriptedAction:
        target = self._chat_for(user, chat)
        self._prepare_actor(user, target)
        msg = self.world.store.find(target, message_id)
        if msg is None or msg.sender_id != user.id:
            raise LookupError(f"user {user.id} has no message {message_id} in chat {target.id}")
        if msg.text is None:
            msg.caption = text
        else:
            msg.text = text
        msg.entities = detect_entities(text)
        msg.edited = True
        msg.edit_date = self.world.store.now_unix()
        self.world.store.refresh(target, msg)
        update = None
        if self.bot_sees(target, msg):
            update = self.world.queue.push("edited_message", msg.raw, target.id)
        after = target.next_message_id - 1
        return ScriptedAction(
            target, after, update, f"{user.first_name} edited message {message_id}", msg
        )

    def act_press(
        self,
        user: User,
        label: str,
        chat: Chat | None = None,
        message_id: int | None = None,
    ) -> ScriptedAction:
        target = self._chat_for(user, chat)
        self._prepare_actor(user, target)
        source, button = self._find_button(target, label, message_id)
        if not button.inline:
            return self._press_reply_button(user, target, source, button)
        after = target.next_message_id - 1
        description = f"{user.first_name} pressed {label!r} on message {source.message_id}"
        data = button.raw.get("callback_data")
        query_id = None
        update = None
        if data is not None:
            query_id = self.world.store.new_callback_id()
            self.world.store.callback_queries[query_id] = CallbackQuery(
                query_id, user.id, target.id, source.message_id, str(data), label,
                self.world.clock(),
            )  # fmt: skip
            payload = {
                "id": query_id,
                "from": user.to_json(),
                "message": source.raw,
                "chat_instance": target.chat_instance,
                "data": str(data),
            }
            update = self.world.queue.push("callback_query", payload, target.id)
        self._record_press(user, target, source.message_id, label, data=data, query_id=query_id)
        silent = None if data is not None else "the button has no callback_data"
        return ScriptedAction(target, after, update, description, silent_reason=silent)

    def _press_reply_button(
        self, user: User, chat: Chat, source: Message, button: InlineButton
    ) -> ScriptedAction:
        markup = chat.reply_keyboard or {}
        if markup.get("one_time_keyboard"):
            chat.reply_keyboard = None
            chat.reply_keyboard_message_id = None
        self._record_press(user, chat, source.message_id, button.label, data=None, query_id=None)
        if button.raw.get("request_contact"):
            return self.act_contact(user, chat=chat)
        if button.raw.get("request_location"):
            return self.act_location(user, *DEFAULT_LOCATION, chat=chat)
        return self.act_say(user, button.label, chat=chat)

    def _record_press(
        self,
        user: User,
        chat: Chat,
        message_id: int | None,
        label: str,
        *,
        data: Any,
        query_id: str | None,
    ) -> None:
        self.world.presses.append(
            Press(user.id, chat.id, message_id, label,
                  None if data is None else str(data), query_id, self.world.clock())
        )  # fmt: skip

    def _find_button(
        self, chat: Chat, label: str, message_id: int | None
    ) -> tuple[Message, InlineButton]:
        """The button with ``label`` on the newest keyboard the person can see."""
        candidates: list[Message] = []
        if message_id is not None:
            msg = self.world.store.find(chat, message_id)
            if msg is None:
                raise LookupError(f"no message {message_id} in chat {chat.id}")
            candidates.append(msg)
        else:
            latest_inline = next(
                (m for m in reversed(chat.history()) if m.from_bot and is_inline(m.reply_markup)),
                None,
            )
            keyboard_msg = chat.messages.get(chat.reply_keyboard_message_id or 0)
            found = [m for m in (latest_inline, keyboard_msg) if m is not None]
            candidates = sorted(found, key=lambda m: m.message_id, reverse=True)
        shown: list[str] = []
        for msg in candidates:
            if message_id is None and not is_inline(msg.reply_markup):
                markup = chat.reply_keyboard
            else:
                markup = msg.reply_markup
            for button in buttons(markup):
                if button.label == label:
                    return msg, button
            labels = [b.label for b in buttons(markup)]
            kind = "inline keyboard" if is_inline(markup) else "reply keyboard"
            shown.append(f"{kind} of message {msg.message_id}: {labels}")
        where = "; ".join(shown) if shown else "no keyboard is shown"
        raise LookupError(f"no button {label!r} in chat {chat.id}: {where}")

    # --- the waiting half ----------------------------------------------------------------

    async def wait(
        self,
        action: ScriptedAction,
        expect: int = 1,
        settle: float | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[Message]:
        world = self.world
        settle = world.default_settle if settle is None else settle
        timeout = world.default_timeout if timeout is None else timeout
        chat, update = action.chat, action.update
        start = world.clock()
        deadline = start + timeout
        while True:
            now = world.clock()
            new = self.new_bot_messages(chat, action.after_id)
            delivered = update is None or update.handed_over
            if delivered and world.rest.signalled:
                # The bot says when it is done; a message still missing then can only come
                # from a timer, so look again at the next call.
                if await world.at_rest(deadline):
                    new = self.new_bot_messages(chat, action.after_id)
                    if len(new) >= expect:
                        return new
                now = world.clock()
                step = deadline - now
            elif delivered and len(new) >= expect:
                handed = update.fetched_at if update is not None else None
                quiet = now - max(chat.last_activity, start, handed or start)
                if quiet >= settle:
                    return new
                step = settle - quiet
            else:
                step = deadline - now
            if now >= deadline:
                raise TimeoutError(self.describe_timeout(action, expect, timeout, new))
            await world.activity(min(step, deadline - now, 0.05))

    def new_bot_messages(self, chat: Chat, after_id: int) -> list[Message]:
        return [m for m in chat.history() if m.from_bot and m.message_id > after_id]

    def describe_timeout(
        self, action: ScriptedAction, expect: int, timeout: float, new: list[Message]
    ) -> str:
        world, chat, update = self.world, action.chat, action.update
        who = chat.title if chat.title else (chat.user.full_name if chat.user else "")
        lines = [
            f"{action.description}: expected {expect} new bot message(s) in chat {chat.id} "
            f"({chat.type} {who!r}) within {timeout}s, got {len(new)}."
        ]
        if update is None:
            reason = action.silent_reason or "privacy mode: the bot may not see it"
            lines.append(f"The bot never got this as an update ({reason}).")
        elif not update.handed_over:
            last_poll = world.queue.last_poll_at
            hint = (
                "never polled"
                if last_poll is None
                else f"last poll {world.clock() - last_poll:.1f}s ago"
            )
            webhook = f", webhook {world.queue.webhook.url}" if world.queue.webhook else ""
            lines.append(
                f"Update {update.update_id} was never fetched by the bot ({hint}{webhook})."
            )
        else:
            lines.append(f"Update {update.update_id} was delivered to the bot.")
        if world.rest.signalled:
            unhandled = sorted(world.rest.unhandled)
            lines.append(f"Updates fetched but not yet handled by the bot: {unhandled or 'none'}.")
        lines.append("Chat history (latest last):")
        for msg in chat.history()[-10:]:
            who_said = "bot" if msg.from_bot else f"user {msg.sender_id}"
            labels = f" buttons={msg.button_labels}" if msg.button_labels else ""
            kind = f" [{msg.media}]" if msg.media else ""
            lines.append(f"  #{msg.message_id} {who_said}{kind}: {msg.body[:100]!r}{labels}")
        calls = [c for c in world.api_calls if c.chat_id == chat.id][-8:]
        if calls:
            lines.append("Recent Bot API calls about this chat:")
            for call in calls:
                note = f" {call.description}" if call.description else ""
                lines.append(f"  {call.method} -> {call.status}{note}")
        return "\n".join(lines)

    # --- the awaitable actions -----------------------------------------------------------

    async def say(
        self,
        user: User,
        text: str,
        *,
        chat: Chat | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
        expect: int = 1,
        settle: float | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[Message]:
        action = self.act_say(user, text, chat, thread_id, reply_to)
        return await self.wait(action, expect, settle, timeout)

    async def press(
        self,
        user: User,
        label: str,
        *,
        chat: Chat | None = None,
        message_id: int | None = None,
        expect: int = 1,
        settle: float | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[Message]:
        action = await self._press_when_shown(user, label, chat, message_id, timeout)
        return await self.wait(action, expect, settle, timeout)

    async def _press_when_shown(
        self,
        user: User,
        label: str,
        chat: Chat | None,
        message_id: int | None,
        timeout: float | None,  # noqa: ASYNC109
    ) -> ScriptedAction:
        """Press as soon as the button is on screen: a person waits for the keyboard too.

        The previous answer may still be arriving on a loaded machine; without this wait a
        test would press on the keyboard before it.
        """
        deadline = self.world.clock() + (timeout or self.world.default_timeout)
        while True:
            try:
                return self.act_press(user, label, chat, message_id)
            except LookupError:
                if self.world.clock() >= deadline:
                    raise
                await asyncio.sleep(0.02)

    async def send_media(
        self,
        user: User,
        kind: str,
        *,
        chat: Chat | None = None,
        caption: str | None = None,
        size: int | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
        duration: int | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
        expect: int = 1,
        settle: float | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[Message]:
        action = self.act_media(
            user, kind, chat=chat, caption=caption, size=size, file_name=file_name,
            mime_type=mime_type, duration=duration, thread_id=thread_id, reply_to=reply_to,
        )  # fmt: skip
        return await self.wait(action, expect, settle, timeout)

    async def send_location(
        self,
        user: User,
        latitude: float,
        longitude: float,
        *,
        chat: Chat | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
        expect: int = 1,
        settle: float | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[Message]:
        action = self.act_location(
            user, latitude, longitude, chat=chat, thread_id=thread_id, reply_to=reply_to
        )
        return await self.wait(action, expect, settle, timeout)

    async def send_contact(
        self,
        user: User,
        *,
        phone_number: str = "+6281234567890",
        first_name: str | None = None,
        last_name: str | None = None,
        own: bool = True,
        chat: Chat | None = None,
        expect: int = 1,
        settle: float | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[Message]:
        action = self.act_contact(
            user, phone_number, first_name=first_name, last_name=last_name, chat=chat, own=own
        )
        return await self.wait(action, expect, settle, timeout)

    async def send_poll(
        self,
        user: User,
        question: str,
        options: list[str],
        *,
        chat: Chat | None = None,
        expect: int = 1,
        settle: float | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[Message]:
        action = self.act_poll(user, question, options, chat)
        return await self.wait(action, expect, settle, timeout)

    async def edit_message(
        self,
        user: User,
        message_id: int,
        text: str,
        *,
        chat: Chat | None = None,
        expect: int = 0,
        settle: float | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[Message]:
        action = self.act_edit(user, message_id, text, chat)
        return await self.wait(action, expect, settle, timeout)

    def last_bot_message(self, user: User) -> Message:
        chat = self.world.store.private_chat(user)
        for msg in reversed(chat.history()):
            if msg.from_bot:
                return msg
        raise LookupError(f"the bot has sent nothing to user {user.id} ({user.full_name})")
