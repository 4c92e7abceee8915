"""The Emulator: one emulated Telegram with one bot, served over real HTTP.

It composes a World (what the fake Telegram holds and records) and the parts that take it,
and is the face tests and sandboxes use.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

from aiohttp import web

from bot.sandbox.emulator import by_hand
from bot.sandbox.emulator.control import ControlApi
from bot.sandbox.emulator.dates import Dates
from bot.sandbox.emulator.faults import Hold
from bot.sandbox.emulator.flood_control import RateLimits
from bot.sandbox.emulator.http_routes import ApiServer
from bot.sandbox.emulator.load import LoadApi
from bot.sandbox.emulator.resting import InProcessBot
from bot.sandbox.emulator.scripted import Scripter
from bot.sandbox.emulator.state import (
    ApiCall,
    CallbackQuery,
    Chat,
    Message,
    User,
)
from bot.sandbox.emulator.updates import Update
from bot.sandbox.emulator.world import World

ChatRef = Chat | User | int


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
        bot = User(id=bot_id, first_name=bot_name, username=bot_username, is_bot=True)
        world = World(
            bot_token,
            bot,
            limits if limits is not None else RateLimits(),
            privacy_mode=privacy_mode,
            faults_seed=faults_seed,
            clock=clock,
            default_settle=default_settle,
            default_timeout=default_timeout,
            webhook_retry_base=webhook_retry_base,
            webhook_retry_max=webhook_retry_max,
            dates=dates if dates is not None else Dates(),
        )
        self.world = world
        # The World's parts, under the names tests have always used; none is ever replaced.
        self.token = world.token
        self.clock = world.clock
        self.bot = world.bot
        self.dates = world.dates
        self.store = world.store
        self.queue = world.queue
        self.timing = world.timing
        self.rest = world.rest
        self.webhook = world.webhook
        self.limiter = world.limiter
        self.faults = world.faults
        self.send_log = world.send_log
        self.api_calls = world.api_calls
        self.callback_answers = world.callback_answers
        self.presses = world.presses
        self.chat_actions = world.chat_actions
        self.commands = world.commands
        self.bot_texts = world.bot_texts
        self.script = Scripter(world)
        self._runner: web.AppRunner | None = None

    # --- settings kept in the World --------------------------------------------------------

    @property
    def privacy_mode(self) -> bool:
        return self.world.privacy_mode

    @privacy_mode.setter
    def privacy_mode(self, value: bool) -> None:
        self.world.privacy_mode = value

    @property
    def default_settle(self) -> float:
        return self.world.default_settle

    @default_settle.setter
    def default_settle(self, value: float) -> None:
        self.world.default_settle = value

    @property
    def default_timeout(self) -> float:
        return self.world.default_timeout

    @default_timeout.setter
    def default_timeout(self, value: float) -> None:
        self.world.default_timeout = value

    @property
    def edit_time_limit(self) -> float | None:
        return self.world.edit_time_limit

    @edit_time_limit.setter
    def edit_time_limit(self, value: float | None) -> None:
        self.world.edit_time_limit = value

    @property
    def last_activity(self) -> float:
        return self.world.last_activity

    @property
    def limits(self) -> RateLimits:
        return self.limiter.limits

    @limits.setter
    def limits(self, value: RateLimits) -> None:
        self.limiter.limits = value
        self.limiter.reset()

    # --- server ----------------------------------------------------------------------------

    @property
    def host(self) -> str | None:
        return self.world.host

    @host.setter
    def host(self, value: str | None) -> None:
        self.world.host = value

    @property
    def port(self) -> int | None:
        return self.world.port

    @port.setter
    def port(self, value: int | None) -> None:
        self.world.port = value

    @property
    def base_url(self) -> str:
        return self.world.base_url

    @property
    def base_file_url(self) -> str:
        return self.world.base_file_url

    @property
    def control_url(self) -> str:
        return self.world.control_url

    def make_app(self) -> web.Application:
        """The Bot API, file and control routes, for serving from another aiohttp runner.

        Set ``emu.host`` and ``emu.port`` to where it is served so that ``base_url``
        and friends are right.
        """
        app = ApiServer(self.world).make_app()
        ControlApi(self.world, self.script).register(app)
        LoadApi(self.world, self.script).register(app)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.world.open()
        runner = web.AppRunner(self.make_app(), shutdown_timeout=1.0, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self.host = host
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        self.world.close()
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
        await self.world.sleep(seconds)

    async def held(self, hold: Hold) -> bool:
        """Parks a call on a hold; True if it then goes through (never once stopping)."""
        return await self.world.held(hold)

    # --- activity --------------------------------------------------------------------------

    def touch(self, chat_id: int | None) -> None:
        self.world.touch(chat_id)

    def pulse(self) -> None:
        self.world.pulse()

    async def activity(self, timeout: float) -> None:  # noqa: ASYNC109
        """Returns after the next bot activity or after ``timeout`` seconds."""
        await self.world.activity(timeout)

    # --- bots in this process --------------------------------------------------------------

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
        self.world.pulse()

    async def at_rest(self, deadline: float) -> bool:
        """Waits until the bots of this process handled every update handed to them and
        their outboxes have nothing due; False if ``deadline`` (of ``clock``) came first."""
        return await self.world.at_rest(deadline)

    def record_call(self, call: ApiCall) -> None:
        self.world.record_call(call)

    # --- people, chats, groups --------------------------------------------------------------------

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
        return self.script.add_user(
            first_name, last_name, username, language_code, started, user_id=user_id
        )

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
        return by_hand.create_topic(
            self.world, group, name, by, icon_color=icon_color, notify=notify
        )

    def delete_topic(self, group: Chat, topic_id: int) -> None:
        """A topic deleted by hand: its messages go with it and Telegram tells the bot nothing."""
        by_hand.delete_topic(group, topic_id)

    def delete_by_hand(self, group: Chat, message_id: int) -> None:
        """A member deletes a message in a group; Telegram tells the bot nothing."""
        by_hand.delete_message(self.world, group, message_id)

    def block_bot(self, user: User) -> None:
        by_hand.block_bot(self.world, user)

    def unblock_bot(self, user: User) -> None:
        by_hand.unblock_bot(self.world, user)

    def deactivate(self, user: User) -> None:
        user.deactivated = True

    def kick_bot(self, group: Chat, by: User | None = None) -> None:
        by_hand.kick_bot(self.world, group, by)

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
        return self.world.calls(method)

    def unanswered_callbacks(self) -> list[CallbackQuery]:
        return self.world.unanswered_callbacks()

    @property
    def pending_updates(self) -> list[Update]:
        return list(self.queue.pending)

    @property
    def rate_limited_count(self) -> int:
        """How many 429 answers the emulator has served."""
        return self.world.rate_limited_count

    def max_rate_observed(self, window: float = 1.0, chat: ChatRef | None = None) -> int:
        """The most accepted sends in any ``window`` seconds (overall, or to one chat)."""
        chat_id = self.chat(chat).id if chat is not None else None
        return self.world.max_rate_observed(window, chat_id)

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
