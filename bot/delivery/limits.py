"""Telegram's flood limits, kept by the dispatcher itself before every send.

python-telegram-bot's AIORateLimiter knows no per-chat limit and cannot be scaled, so
the dispatcher books each send here: one budget per chat (a private chat, or a group
whose forum topics all share it) and one for the whole bot. Budgets are GCRA cells
(a token bucket expressed as the "theoretical arrival time" of the next message): a
chat's messages are booked one after another by the one task serving that chat, so a
booking is exact for the moment the message will really leave.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from time import monotonic


@dataclass(frozen=True)
class Rates:
    """Messages a second (or minute) and bursts, a little under Telegram's figures.

    Telegram counts when a request arrives, we count when it leaves; smaller bursts
    than Telegram allows (3 a chat, 5 a group, 30 overall) leave room for that jitter.
    """

    overall_per_second: float = 30.0
    overall_burst: int = 20
    private_per_second: float = 1.0
    private_burst: int = 2
    group_per_minute: float = 20.0
    group_burst: int = 3
    # Rates are multiplied by it, bursts are not: the same shape, faster (benchmarks).
    scale: float = 1.0
    # Fraction of the rate actually used: a message's budget is booked as it leaves, so
    # only the jitter of the HTTP call itself needs room (the bursts' difference gives it).
    headroom: float = 0.98

    def scaled(self, scale: float) -> Rates:
        """The same limits at `scale` times the speed (as the emulator's RateLimits.scale)."""
        return replace(self, scale=scale)

    def per_second(self, scope: str) -> float:
        """Sustained rate of a scope: "overall", "private" or "group"."""
        base = {
            "overall": self.overall_per_second,
            "private": self.private_per_second,
            "group": self.group_per_minute / 60.0,
        }[scope]
        return base * self.scale * self.headroom

    def burst(self, scope: str) -> int:
        """Messages a scope may send back to back after a quiet spell."""
        return {
            "overall": self.overall_burst,
            "private": self.private_burst,
            "group": self.group_burst,
        }[scope]


@dataclass
class _Cell:
    """One budget: `interval` seconds a message, `tolerance` seconds of burst."""

    interval: float
    tolerance: float
    # When the next message would be due if messages left exactly at the rate.
    tat: float = float("-inf")
    # Whether the last booking found the budget full: a 429 then cannot be this budget's.
    was_full: bool = True

    def earliest(self, now: float) -> float:
        return max(now, self.tat - self.tolerance)

    def book(self, at: float) -> None:
        self.was_full = self.tat <= at
        self.tat = max(self.tat, at) + self.interval

    def hold(self, until: float) -> None:
        # Nothing before `until`, and no saved-up burst right after it either.
        self.tat = max(self.tat, until + self.tolerance)


class ChatLimits:
    """Per-chat, per-group and overall budgets of one dispatcher process."""

    # Forget budgets of chats that have been quiet; a forgotten budget is a full one.
    PRUNE_AT = 10_000

    def __init__(self, rates: Rates, clock: Callable[[], float] = monotonic) -> None:
        self.rates = rates
        self.clock = clock
        self._overall = self._cell("overall")
        self._chats: dict[int, _Cell] = {}
        # Senders waiting at the overall gate, first come first through (see `turn`).
        self._queue: deque[asyncio.Future[bool]] = deque()
        self._pacer: asyncio.Task[None] | None = None

    def _cell(self, scope: str) -> _Cell:
        interval = 1.0 / self.rates.per_second(scope)
        return _Cell(interval, (self.rates.burst(scope) - 1) * interval)

    def _chat(self, chat_id: int) -> _Cell:
        cell = self._chats.get(chat_id)
        if cell is None:
            if len(self._chats) >= self.PRUNE_AT:
                now = self.clock()
                self._chats = {k: c for k, c in self._chats.items() if c.tat > now}
            # Users have positive ids; groups, supergroups and channels negative ones.
            cell = self._cell("group" if chat_id < 0 else "private")
            self._chats[chat_id] = cell
        return cell

    def reserve(self, chat_id: int, max_wait: float) -> float | None:
        """Book the next message to a chat: seconds to wait first, or None (nothing booked)
        when that is longer than `max_wait`. Then book `overall()` right before sending."""
        return self._book(self._chat(chat_id), max_wait)

    def overall(self, max_wait: float) -> float | None:
        """Book a message against the bot-wide budget, as `reserve` does for a chat.

        Booked only once the chat's wait is over: a booking far in the future would
        hold back every other chat until then.
        """
        return self._book(self._overall, max_wait)

    def turn(self, max_wait: float) -> asyncio.Future[bool] | None:
        """A place at the bot-wide gate: a future that is True when the message may leave
        (False: `open_all` was called, the dispatcher stops), or None (nothing booked)
        when the wait would be longer than `max_wait`.

        Unlike `overall`, the budget is booked when the message really leaves, not when it
        starts waiting: with a hundred chats waiting, a loop late by a few milliseconds
        would otherwise send every late message at once, past Telegram's burst (a 429).
        """
        cell, now = self._overall, self.clock()
        wait = max(0.0, cell.earliest(now) - now) + len(self._queue) * cell.interval
        if wait > max_wait:
            return None
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        if not self._queue and wait <= 0:
            cell.book(now)
            future.set_result(True)
            return future
        self._queue.append(future)
        if self._pacer is None or self._pacer.done():
            self._pacer = asyncio.create_task(self._pace(), name="outbox pacing")
        return future

    async def _pace(self) -> None:
        cell, queue = self._overall, self._queue
        while queue:
            now = self.clock()
            at = cell.earliest(now)
            if at > now:
                await asyncio.sleep(at - now)
                continue
            future = queue.popleft()
            if not future.done():  # one whose sender gave up is skipped
                cell.book(now)
                future.set_result(True)

    def open_all(self) -> None:
        """Let every waiting sender go without sending (False): the dispatcher stops."""
        while self._queue:
            future = self._queue.popleft()
            if not future.done():
                future.set_result(False)

    def _book(self, cell: _Cell, max_wait: float) -> float | None:
        now = self.clock()
        at = cell.earliest(now)
        if at - now > max_wait:
            return None
        cell.book(at)
        return at - now

    def refund(self, chat_id: int) -> None:
        """Give back a message's bookings when Telegram refused it without sending (a 5xx,
        a connection that failed): it did not count against the limits, and keeping it
        booked would slow every other chat behind a failing one."""
        now = self.clock()
        for cell in (self._chat(chat_id), self._overall):
            if cell.tat > now:
                cell.tat = max(now, cell.tat - cell.interval)

    def hold(self, chat_id: int, seconds: float) -> bool:
        """Honour a 429 for a chat; True when it must be the bot's overall limit.

        Telegram does not say which limit was hit. If this chat's budget was full when
        the message left, its own limit cannot be the cause, so every chat waits.
        """
        until = self.clock() + seconds
        cell = self._chat(chat_id)
        everything = cell.was_full
        cell.hold(until)
        if everything:
            self._overall.hold(until)
        return everything
