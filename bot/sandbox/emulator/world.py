"""The World: what the emulated Telegram holds and records, shared by the emulator's parts.

The Bot API methods, the HTTP routes, the scripted people, the control and load routes
each take this, not the whole ``Emulator``: the Emulator composes a World and stays the
face that tests and sandboxes use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.sandbox.emulator.dates import Dates
from bot.sandbox.emulator.faults import Faults, Hold
from bot.sandbox.emulator.flood_control import RateLimiter, RateLimits, SendLog
from bot.sandbox.emulator.resting import Rest
from bot.sandbox.emulator.state import ApiCall, CallbackAnswer, CallbackQuery, Press, User
from bot.sandbox.emulator.store import Store
from bot.sandbox.emulator.timing import Timing
from bot.sandbox.emulator.updates import UpdateQueue
from bot.sandbox.emulator.waiting import wait_event
from bot.sandbox.emulator.webhook import WebhookDeliverer

MAX_RECORDED_CALLS = 200_000


class World:
    """Telegram's side of things: the chats, the updates queued, the calls and the faults."""

    def __init__(
        self,
        bot_token: str,
        bot: User,
        limits: RateLimits,
        *,
        privacy_mode: bool,
        faults_seed: int,
        clock: Callable[[], float],
        default_settle: float,
        default_timeout: float,
        webhook_retry_base: float,
        webhook_retry_max: float,
        dates: Dates,
    ) -> None:
        self.token = bot_token
        self.bot = bot
        self.clock = clock
        self.privacy_mode = privacy_mode
        self.default_settle = default_settle
        self.default_timeout = default_timeout
        # Telegram's clock for message dates; a test moves it ahead instead of sleeping.
        self.dates = dates
        self.store = Store(bot, clock, dates)
        self.queue = UpdateQueue(clock)
        self.timing = Timing(clock)
        self.queue.on_hand_out(self.timing.delivered)
        self.rest = Rest(clock)
        self.queue.on_hand_out(lambda update: self.rest.handed_out(update.update_id))
        self.webhook = WebhookDeliverer(self.queue, clock, webhook_retry_base, webhook_retry_max)
        self.limiter = RateLimiter(limits, clock)
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
        self.last_activity = 0.0
        # Where the Bot API is served; set by whoever serves it.
        self.host: str | None = None
        self.port: int | None = None
        self._stopping = asyncio.Event()
        self._pulse = asyncio.Event()

    # --- where it is served ----------------------------------------------------------------

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

    # --- serving and stopping --------------------------------------------------------------

    def open(self) -> None:
        """Serving (again): updates queue up and parked calls wait."""
        self._stopping = asyncio.Event()
        self.queue.closed = False

    def close(self) -> None:
        """Stopping: every sleep and parked call ends, the queue takes nothing more."""
        self._stopping.set()
        self.queue.close()

    async def sleep(self, seconds: float) -> None:
        """Sleeps, but wakes at once when the emulator stops."""
        await wait_event(self._stopping, seconds)

    async def held(self, hold: Hold) -> bool:
        """Parks a call on a hold; True if it then goes through (never once stopping)."""
        return await hold.wait(self._stopping)

    # --- activity --------------------------------------------------------------------------

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

    async def at_rest(self, deadline: float) -> bool:
        """Waits until the bots of this process handled every update handed to them and
        their outboxes have nothing due; False if ``deadline`` (of ``clock``) came first."""
        while self.clock() < deadline:
            if self.rest.unhandled:
                await self.activity(min(0.05, deadline - self.clock()))
            elif await self.rest.drained(deadline):
                return True
        return False

    # --- records ---------------------------------------------------------------------------

    def record_call(self, call: ApiCall) -> None:
        self.api_calls.append(call)
        if len(self.api_calls) > MAX_RECORDED_CALLS:
            del self.api_calls[: MAX_RECORDED_CALLS // 2]

    def calls(self, method: str | None = None) -> list[ApiCall]:
        if method is None:
            return list(self.api_calls)
        return [c for c in self.api_calls if c.method.lower() == method.lower()]

    def unanswered_callbacks(self) -> list[CallbackQuery]:
        return [q for q in self.store.callback_queries.values() if not q.answered]

    @property
    def rate_limited_count(self) -> int:
        """How many 429 answers the emulator has served."""
        return self.limiter.rejected

    def max_rate_observed(self, window: float = 1.0, chat_id: int | None = None) -> int:
        """The most accepted sends in any ``window`` seconds (overall, or to one chat)."""
        return self.send_log.max_in_window(window, chat_id)
