"""The Emulator: one emulated Telegram with one bot, served over real HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.sandbox.emulator.control import ControlApi
from bot.sandbox.emulator.dates import Dates
from bot.sandbox.emulator.faults import Faults, Hold
from bot.sandbox.emulator.flood_control import RateLimiter, RateLimits, SendLog
from bot.sandbox.emulator.http_routes import ApiServer
from bot.sandbox.emulator.load import LoadApi
from bot.sandbox.emulator.resting import InProcessBot, Rest
from bot.sandbox.emulator.scripted import Scripter
from bot.sandbox.emulator.state import (
    ApiCall,
    CallbackAnswer,
    CallbackQuery,
    Chat,
    Message,
    Press,
    User,
)
from bot.sandbox.emulator.store import Store
from bot.sandbox.emulator.timing import Timing
from bot.sandbox.emulator.updates import Update, UpdateQueue
from bot.sandbox.emulator.waiting import wait_event
from bot.sandbox.emulator.webhook import WebhookDeliverer

ChatRef = Chat | User | int
MAX_RECORDED_CALLS = 200_000


class Emulator:
    def __init__(
        self,
        bot_token: str = "123456:TEST-TOKEN",
        bot_username: str = "lapor_test_bot",
        limits: RateLimits | None = None,
        *,
        bot_name: str = "Lapor Test Bot",
        privacy_mode: bool = True,
        faults_seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
        default_settle: float = 0.15,
        default_timeout: float = 10.0,
        webhook_retry_base: float = 0.1,
        webhook_retry_max: float = 2.0,
        dates: Dates | None = None,
    ) -> None:
        bot_id = int(bot_token.split(":", 1)[0])
        self.token = bot_token
        self.clock = clock
        self.privacy_mode = privacy_mode
        self.default_settle = default_settle
        self.default_timeout = default_timeout
        self.bot = User(id=bot_id, first_name=bot_name, username=bot_username, is_bot=True)
        # Telegram's clock for message dates; a test moves it ahead instead of sleeping.
        self.dates = dates if dates is not None else Dates()
        self.store = Store(self.bot, clock, self.dates)
        self.queue = UpdateQueue(clock)
        self.timing = Timing(clock)
        self.queue.on_hand_out(self.timing.delivered)
        self.rest = Rest(clock)
        self.queue.on_hand_out(lambda update: self.rest.handed_out(update.update_id))
        self.webhook = WebhookDeliverer(self.queue, clock, webhook_retry_base, webhook_retry_max)
        self.limiter = RateLimiter(limits if limits is not None else RateLimits(), clock)
        self.faults = Faults(seed=faults_seed)
        # Seconds after which the bot's own messages can no longer be edited ("message can't
        # be edited"). None, as on Telegram today for a bot's messages (tdlib's
        # can_edit_message); a test sets it to see how a bot copes with older Telegram rules.
        self.edit_time_limit: float | None = None
        self.send_log = SendLog()
        self.api_calls: list[ApiCall] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.presses: list[Press] = []
        self.chat_actions: list[tuple[int, str, float]] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        self.script = Scripter(self)
        self.last_activity = 0.0
        self.host: str | None = None
        self.port: int | None = None
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self._pulse = asyncio.Event()

    # --- server ------------------------------------------------------------------------

    @property
    def limits(self) -> RateLimits:
        return self.limiter.limits

    @limits.setter
    def limits(self, value: RateLimits) -> None:
        self.limiter.limits = value
        self.limiter.reset()

    @property
    def base_url(self) -> str:
        return f"{self._root()}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self._root()}/file/bot"

    @property
    def control_url(self) -> str:
        return f"{self._root()}/_emulator"

    def _root(self) -> str:
        if self.port is None:
            raise RuntimeError("the emulator is not started")
        return f"http://{self.host}:{self.port}"

    def make_app(self) -> web.Application:
        """The Bot API, file and control routes, for serving from another aiohttp runner.

        Set ``emu.host`` and ``emu.port`` to where it is served so that ``base_url``
        and friends are right.
        """
        app = ApiServer(self).make_app()
        ControlApi(self).register(app)
        LoadApi(self).register(app)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._stopping = asyncio.Event()
        self.queue.closed = False
        runner = web.AppRunner(self.make_app(), shutdown_timeout=1.0, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self.host = host
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        self._stopping.set()
        self.queue.close()
        await self.webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        if self.port is None:
            await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def sleep(self, seconds: float) -> None:
        """Sleeps, but wakes at once when the emulator stops."""
        await wait_event(self._stopping, seconds)

    async def held(self, hold: Hold) -> bool:
        """Parks a call on a hold; True if it then goes through (never once stopping)."""
        return await hold.wait(self._stopping)

    # --- activity ------------------------------------------------------------------------

    def touch(self, chat_id: int | None) -> None:
        now = self.clock()
        self.last_activity = now
        self.rest.calls += 1
        chat = self.store.chats.get(chat_id) if chat_id is not None else None
        if chat is not None:
            chat.last_activity = now
        self.pulse()

    def pulse(self) -> None:
        self._pulse.set()
        self._pulse = asyncio.Event()

    async def activity(self, timeout: float) -> None:  # noqa: ASYNC109
        """Returns after the next bot activity or after ``timeout`` seconds."""
        await wait_event(self._pulse, timeout)

    # --- bots in this process ------------------------------------------------------------

    def attach_bot(self, bot: InProcessBot) -> None:
        """A bot of this process reports its work: the scripted waits end on its signals
        (every update handed to it handled, its outbox drained) instead of its quiet."""
        self.rest.attach(bot)

    def detach_bot(self, bot: InProcessBot) -> None:
        """The bot stops; with none attached the waits go back to its quiet."""
        self.rest.detach(bot)

    def bot_handled(self, update_id: int) -> None:
        """The attached bot's observer: it handled this update to the end."""
        self.rest.handled(update_id)
        self.pulse()

    async def at_rest(self, deadline: float) -> bool:
        """Waits until the bots of this process handled every update handed to them and
        their outboxes have nothing due; False if ``deadline`` (of ``clock``) came first."""
        while self.clock() < deadline:
            if self.rest.unhandled:
                await self.activity(min(0.05, deadline - self.clock()))
            elif await self.rest.drained(deadline):
                return True
        return False

    def record_call(self, call: ApiCall) -> None:
        self.api_calls.append(call)
        if len(self.api_calls) > MAX_RECORDED_CALLS:
            del self.api_calls[: MAX_RECORDED_CALLS // 2]

    # --- world ---------------------------------------------------------------------------

    def number_updates_from(self, first_id: int) -> None:
        """Number the next updates from `first_id`.

        Telegram goes on from its last number, or, after a week without updates, starts
        from a new one, maybe lower. A new emulator starts at 1: a bot whose database
        remembers earlier updates (the sandbox run again) has it go on from there.
        """
        self.queue.number_from(first_id)

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
        user = self.store.add_user(
            first_name, last_name, username, language_code, started, user_id=user_id
        )
        user.script = self.script
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
        return self.store.add_supergroup(
            title, forum, members, admins, owner=owner, bot_admin=bot_admin, bot_rights=bot_rights
        )

    def add_group_member(self, group: Chat, user: User, admin: bool = False) -> None:
        self.store.add_member(group, user, admin)

    def remove_group_member(self, group: Chat, user: User) -> None:
        group.members.pop(user.id, None)

    def set_bot_rights(self, group: Chat, **rights: bool) -> None:
        if group.bot_member is None:
            raise ValueError("the bot is not in this chat")
        group.bot_member.rights.update(rights)

    def create_topic(
        self,
        group: Chat,
        name: str,
        by: User | None = None,
        icon_color: int | None = None,
        notify: bool = True,
    ) -> int:
        """Creates a topic as a person would; the bot sees the service message if it may."""
        if not group.is_forum:
            raise ValueError(f"{group.title!r} is not a forum")
        creator = by or self._group_human(group)
        topic, service = self.store.create_topic(group, name, creator, icon_color)
        if notify:
            self.queue.push("message", service.raw, group.id)
        return topic.thread_id

    def delete_topic(self, group: Chat, topic_id: int) -> None:
        """A topic deleted by hand: its messages go with it and Telegram tells the bot nothing."""
        topic = group.topics.get(topic_id)
        if topic is None:
            raise KeyError(f"no topic {topic_id} in {group.title!r}")
        topic.deleted = True
        for msg in group.messages.values():
            if msg.thread_id == topic_id:
                msg.deleted = True
        group.revision += 1

    def delete_by_hand(self, group: Chat, message_id: int) -> None:
        """A member deletes a message in a group; Telegram tells the bot nothing."""
        msg = self.store.find(group, message_id)
        if msg is None:
            raise KeyError(f"no message {message_id} in {group.title!r}")
        msg.deleted = True
        group.revision += 1

    def _group_human(self, group: Chat) -> User:
        ranked = sorted(
            group.members.values(),
            key=lambda m: {"creator": 0, "administrator": 1}.get(m.status, 2),
        )
        if not ranked:
            raise ValueError(f"{group.title!r} has no members to act")
        return ranked[0].user

    def block_bot(self, user: User) -> None:
        if not user.blocked:
            user.blocked = True
            self._my_chat_member(user, "member", "kicked")

    def unblock_bot(self, user: User) -> None:
        if user.blocked:
            user.blocked = False
            self._my_chat_member(user, "kicked", "member")

    def deactivate(self, user: User) -> None:
        user.deactivated = True

    def kick_bot(self, group: Chat, by: User | None = None) -> None:
        if group.bot_member is None:
            return
        old = group.bot_member.status
        group.bot_member.status = "kicked"
        actor = by or self._group_human(group)
        self._push_my_chat_member(group, actor, old, "kicked")

    def _my_chat_member(self, user: User, old: str, new: str) -> None:
        self._push_my_chat_member(self.store.private_chat(user), user, old, new)

    def _push_my_chat_member(self, chat: Chat, actor: User, old: str, new: str) -> None:
        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"user": self.bot.to_json(), "status": status}
            if status == "kicked":
                data["until_date"] = 0
            return data

        payload = {
            "chat": chat.to_json(),
            "from": actor.to_json(),
            "date": self.store.now_unix(),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        self.queue.push("my_chat_member", payload, chat.id)

    # --- reading -------------------------------------------------------------------------

    def chat(self, ref: ChatRef) -> Chat:
        if isinstance(ref, Chat):
            return ref
        chat_id = ref.id if isinstance(ref, User) else int(ref)
        chat = self.store.chats.get(chat_id)
        if chat is None:
            raise KeyError(f"no chat {chat_id}")
        return chat

    def user(self, user_id: int) -> User:
        return self.store.users[user_id]

    def history(self, ref: ChatRef, thread_id: int | None = None) -> list[Message]:
        return self.chat(ref).history(thread_id)

    def bot_messages(self, ref: ChatRef, thread_id: int | None = None) -> list[Message]:
        return [m for m in self.history(ref, thread_id) if m.from_bot]

    def message(self, ref: ChatRef, message_id: int) -> Message:
        return self.chat(ref).messages[message_id]

    def calls(self, method: str | None = None) -> list[ApiCall]:
        if method is None:
            return list(self.api_calls)
        return [c for c in self.api_calls if c.method.lower() == method.lower()]

    def unanswered_callbacks(self) -> list[CallbackQuery]:
        return [q for q in self.store.callback_queries.values() if not q.answered]

    @property
    def pending_updates(self) -> list[Update]:
        return list(self.queue.pending)

    @property
    def rate_limited_count(self) -> int:
        """How many 429 answers the emulator has served."""
        return self.limiter.rejected

    def max_rate_observed(self, window: float = 1.0, chat: ChatRef | None = None) -> int:
        """The most accepted sends in any ``window`` seconds (overall, or to one chat)."""
        chat_id = self.chat(chat).id if chat is not None else None
        return self.send_log.max_in_window(window, chat_id)

    async def wait_idle(
        self,
        settle: float | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        """Waits until every update was handed to the bot and it is done: its signals when
        it runs in this process (``settle`` unused), else no call for ``settle`` s."""
        settle = self.default_settle if settle is None else settle
        timeout = self.default_timeout if timeout is None else timeout
        start = self.clock()
        deadline = start + timeout
        while True:
            now = self.clock()
            waiting = [u for u in self.queue.pending if not u.handed_over]
            if not waiting and self.rest.signalled:
                if await self.at_rest(deadline):
                    return
                now = self.clock()
                step = 0.05
            elif not waiting:
                quiet = now - max(self.last_activity, start)
                if quiet >= settle:
                    return
                step = settle - quiet
            else:
                step = 0.05
            if now >= deadline:
                raise TimeoutError(
                    f"emulator not idle after {timeout}s: {len(waiting)} update(s) never fetched "
                    f"by the bot, {len(self.rest.unhandled)} fetched but not handled, "
                    f"last bot call {now - self.last_activity:.2f}s ago"
                )
            await self.activity(min(step, deadline - now, 0.05))
