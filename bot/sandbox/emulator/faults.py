"""Injected failures: 5xx answers, slow calls and held calls, decided before a call touches
state.

``methods=None`` means every Bot API method except getUpdates: the poller calls
it constantly, so it would swallow faults meant for the bot's sends at random.
Name getUpdates explicitly to fault it.

A hold parks matching calls until the test releases them: a crash test kills the bot
while its call waits, then lets the call through (Telegram got the message, the bot
never heard back) or drops it (the message never reached Telegram).
"""

from __future__ import annotations

import asyncio
import itertools
import random
from dataclasses import dataclass, field

from bot.sandbox.emulator import bot_api_errors
from bot.sandbox.emulator.waiting import wait_event


@dataclass
class _Rule:
    methods: frozenset[str] | None
    remaining: int | None  # None: unlimited
    status: int = 500
    fraction: float = 1.0
    delay: float = 0.0
    # Only calls about this chat (a chat that keeps failing while the others do not).
    chat_id: int | None = None

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.chat_id is not None and chat_id != self.chat_id:
            return False
        if self.methods is None:
            return method != "getupdates"
        return method in self.methods


@dataclass(frozen=True)
class Fault:
    status: int | None  # None: no error, only the delay
    delay: float


@dataclass(eq=False)
class Hold:
    """Parks matching calls until released; ``after`` matching calls pass first.

    ``chat_id`` narrows it to calls about one chat; ``min_offset`` to getUpdates calls
    whose offset would confirm the updates before it.
    """

    id: int
    methods: frozenset[str] | None
    chat_id: int | None = None
    min_offset: int | None = None
    after: int = 0
    passed: int = 0
    held: int = 0
    deliver: bool = True
    released: asyncio.Event = field(default_factory=asyncio.Event)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def matches(self, method: str, chat_id: int | None, offset: int | None) -> bool:
        if self.released.is_set():
            return False
        if self.methods is None and method == "getupdates":
            return False
        if self.methods is not None and method not in self.methods:
            return False
        if self.chat_id is not None and chat_id != self.chat_id:
            return False
        return self.min_offset is None or (offset is not None and offset >= self.min_offset)

    def take(self) -> bool:
        """Count a matching call; True if it is to be held."""
        if self.passed < self.after:
            self.passed += 1
            return False
        self.held += 1
        self._arrived.set()
        self._arrived = asyncio.Event()
        return True

    async def wait_held(self, count: int = 1, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Until ``count`` calls are parked; TimeoutError otherwise."""
        async with asyncio.timeout(timeout):
            while self.held < count:
                await self._arrived.wait()

    async def wait(self, stopping: asyncio.Event) -> bool:
        """Park one call; True if it then goes through, False if it is dropped."""
        while not self.released.is_set() and not stopping.is_set():
            await wait_event(self.released, 1.0)
        return self.deliver and not stopping.is_set()

    def release(self, deliver: bool = True) -> None:
        """Let the parked calls through, or drop them (they fail and change nothing)."""
        self.deliver = deliver
        self.released.set()

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "methods": sorted(self.methods) if self.methods is not None else None,
            "chat_id": self.chat_id,
            "min_offset": self.min_offset,
            "after": self.after,
            "passed": self.passed,
            "held": self.held,
            "released": self.released.is_set(),
        }


@dataclass
class Faults:
    seed: int = 0
    injected: int = 0
    _rules: list[_Rule] = field(default_factory=list)
    holds: dict[int, Hold] = field(default_factory=dict)
    _hold_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    @staticmethod
    def _methods(methods: list[str] | tuple[str, ...] | str | None) -> frozenset[str] | None:
        if methods is None:
            return None
        if isinstance(methods, str):
            methods = [methods]
        return frozenset(m.lower() for m in methods)

    def fail_next(
        self,
        count: int = 1,
        status: int = 500,
        methods: list[str] | str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """The next ``count`` matching calls answer ``status`` and change nothing."""
        _check_status(status)
        self._rules.append(_Rule(self._methods(methods), count, status, chat_id=chat_id))

    def fail_randomly(
        self,
        fraction: float,
        status: int = 502,
        methods: list[str] | str | None = None,
        seed: int | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Each matching call fails with probability ``fraction`` (seeded, reproducible);
        with ``chat_id``, only calls about that chat."""
        _check_status(status)
        if seed is not None:
            self._rng = random.Random(seed)
        self._rules.append(_Rule(self._methods(methods), None, status, fraction, chat_id=chat_id))

    def delay_next(
        self,
        seconds: float,
        count: int = 1,
        methods: list[str] | str | None = None,
        status: int | None = None,
    ) -> None:
        """The next ``count`` matching calls wait ``seconds`` first.

        With ``status=None`` the call then goes through normally - like Telegram,
        where a client that timed out may still have sent its message. With a
        status it then fails with that status instead.
        """
        if status is not None:
            _check_status(status)
        self._rules.append(_Rule(self._methods(methods), count, status or 0, 1.0, seconds))

    def hold(
        self,
        methods: list[str] | tuple[str, ...] | str | None = None,
        *,
        chat_id: int | None = None,
        after: int = 0,
        min_offset: int | None = None,
    ) -> Hold:
        """Park matching calls (after the first ``after``) until the hold is released."""
        hold = Hold(next(self._hold_ids), self._methods(methods), chat_id, min_offset, after)
        self.holds[hold.id] = hold
        return hold

    def holding(self, method: str, chat_id: int | None, offset: int | None) -> Hold | None:
        """The hold that parks this call, if any."""
        method = method.lower()
        for hold in list(self.holds.values()):
            if hold.released.is_set():
                del self.holds[hold.id]
            elif hold.matches(method, chat_id, offset) and hold.take():
                return hold
        return None

    def clear(self) -> None:
        self._rules.clear()
        for hold in self.holds.values():
            hold.release()
        self.holds.clear()

    @property
    def active(self) -> bool:
        return bool(self._rules) or any(not h.released.is_set() for h in self.holds.values())

    def draw(self, method: str, chat_id: int | None = None) -> Fault | None:
        """The fault for this call (about `chat_id`), if any; consumes one use of the
        matching rule."""
        method = method.lower()
        for rule in list(self._rules):
            if not rule.matches(method, chat_id):
                continue
            if rule.fraction < 1.0 and self._rng.random() >= rule.fraction:
                continue
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._rules.remove(rule)
            self.injected += 1
            return Fault(rule.status or None, rule.delay)
        return None


def _check_status(status: int) -> None:
    if status not in bot_api_errors.SERVER_ERRORS:
        raise ValueError(f"fault status must be one of {sorted(bot_api_errors.SERVER_ERRORS)}")


def fault_error(status: int) -> bot_api_errors.BotApiError:
    return bot_api_errors.BotApiError(status, bot_api_errors.SERVER_ERRORS[status])
