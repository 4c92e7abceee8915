"""Answer times, measured where Telegram would see them.

The emulator knows both ends of a step: when getUpdates (or a webhook POST) handed
an update to the bot, and when the bot's messages to that chat arrived. Every bot
message in a chat counts towards the update last handed out for that chat, so a
step's answer is all the bot sent before the person's next message was handed out.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.sandbox.emulator.updates import Update


@dataclass
class Sample:
    """One update and the bot's answer to it (monotonic seconds)."""

    update_id: int
    chat_id: int
    delivered: float
    first: float | None = None
    last: float | None = None
    messages: int = 0


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile of already sorted values."""
    if not values:
        return None
    rank = max(1, math.ceil(p / 100.0 * len(values)))
    return values[min(rank, len(values)) - 1]


def _millis(values: list[float]) -> dict[str, float | None]:
    values.sort()
    figures = {f"p{p}": percentile(values, p) for p in (50, 95, 99)}
    figures["max"] = values[-1] if values else None
    figures["mean"] = sum(values) / len(values) if values else None
    return {k: None if v is None else round(v * 1000.0, 2) for k, v in figures.items()}


class Timing:
    """Per-update answer times and per-chat counts of the bot's messages."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.samples: list[Sample] = []
        self._open: dict[int, Sample] = {}
        self._sent: dict[int, int] = {}
        self._waiters: dict[int, tuple[int, asyncio.Future[None]]] = {}

    def delivered(self, update: Update) -> None:
        """Hook: an update was handed to the bot for the first time."""
        if update.chat_id is None:
            return
        sample = Sample(update.update_id, update.chat_id, update.fetched_at or self.clock())
        self.samples.append(sample)
        self._open[update.chat_id] = sample

    def sent(self, chat_id: int) -> None:
        """Hook: the bot's message to a chat was accepted."""
        now = self.clock()
        count = self._sent.get(chat_id, 0) + 1
        self._sent[chat_id] = count
        sample = self._open.get(chat_id)
        if sample is not None:
            sample.first = sample.first if sample.first is not None else now
            sample.last = now
            sample.messages += 1
        waiter = self._waiters.get(chat_id)
        if waiter is not None and count >= waiter[0] and not waiter[1].done():
            waiter[1].set_result(None)

    def sent_count(self, chat_id: int) -> int:
        """How many bot messages the chat has received so far."""
        return self._sent.get(chat_id, 0)

    async def wait_sent(self, chat_id: int, count: int, seconds: float) -> bool:
        """Wait until the chat has received ``count`` bot messages; False on time-out."""
        if self.sent_count(chat_id) >= count:
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters[chat_id] = (count, future)
        try:
            async with asyncio.timeout(max(0.0, seconds)):
                await future
        except TimeoutError:
            return False
        finally:
            if self._waiters.get(chat_id, (0, None))[1] is future:
                del self._waiters[chat_id]
        return True

    def reset(self) -> None:
        """Forget the samples (the counts per chat stay: waiters rely on them)."""
        self.samples.clear()
        self._open.clear()

    def summary(self, chats: Container[int] | None = None) -> dict[str, Any]:
        """Latency percentiles in milliseconds: to the first and to the last answer (in
        these chats only, if given)."""
        samples = [s for s in self.samples if chats is None or s.chat_id in chats]
        answered = [s for s in samples if s.last is not None]
        first = [s.first - s.delivered for s in answered if s.first is not None]
        complete = [s.last - s.delivered for s in answered if s.last is not None]
        start = min((s.delivered for s in samples), default=None)
        end = max((s.last for s in answered if s.last is not None), default=None)
        span = (end - start) if start is not None and end is not None else None
        return {
            "updates": len(samples),
            "answered": len(answered),
            "messages": sum(s.messages for s in answered),
            "span_seconds": span,
            "first_answer_ms": _millis(first),
            "complete_answer_ms": _millis(complete),
        }
