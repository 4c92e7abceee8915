"""Telegram's flood limits as token buckets, and a log to check a bot stayed under them.

Telegram publishes the limits only loosely (about 1 message a second per chat
with short bursts, 20 a minute per group, 30 a second overall), so the numbers
are configurable; ``scale`` multiplies every rate so benchmarks can run faster
than real time while keeping the same shape.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.sandbox.emulator import bot_api_errors


@dataclass
class RateLimits:
    enabled: bool = True
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3
    per_group_per_minute: float = 20.0
    per_group_burst: int = 5
    overall_per_second: float = 30.0
    overall_burst: int = 30
    scale: float = 1.0

    def update(self, **changes: float | int | bool) -> None:
        for key, value in changes.items():
            if not hasattr(self, key):
                raise KeyError(f"unknown rate limit setting {key!r}")
            current = getattr(self, key)
            setattr(self, key, type(current)(value))


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass(frozen=True)
class Send:
    time: float
    chat_id: int
    method: str


@dataclass
class SendLog:
    """Every accepted send, in time order, for after-the-fact rate assertions."""

    sends: list[Send] = field(default_factory=list)

    def record(self, send: Send) -> None:
        self.sends.append(send)

    def times(self, chat_id: int | None = None) -> list[float]:
        return [s.time for s in self.sends if chat_id is None or s.chat_id == chat_id]

    def max_in_window(self, window: float, chat_id: int | None = None) -> int:
        """Most sends that fell into any ``window``-second interval."""
        times = self.times(chat_id)
        best = 0
        for index, start in enumerate(times):
            end = bisect.bisect_right(times, start + window - 1e-9)
            best = max(best, end - index)
        return best


class RateLimiter:
    def __init__(self, limits: RateLimits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self.clock = clock
        self._buckets: dict[tuple[str, int], _Bucket] = {}
        self.rejected = 0

    def _rate_and_burst(self, scope: str) -> tuple[float, float]:
        lim = self.limits
        if scope == "private":
            return lim.per_chat_per_second * lim.scale, lim.per_chat_burst
        if scope == "group":
            return lim.per_group_per_minute / 60.0 * lim.scale, lim.per_group_burst
        return lim.overall_per_second * lim.scale, lim.overall_burst

    def _wait_for(self, scope: str, key: int, now: float) -> float:
        rate, burst = self._rate_and_burst(scope)
        bucket = self._buckets.get((scope, key))
        if bucket is None:
            return 0.0
        tokens = min(float(burst), bucket.tokens + (now - bucket.updated) * rate)
        if tokens >= 1.0:
            return 0.0
        return (1.0 - tokens) / rate if rate > 0 else math.inf

    def _take(self, scope: str, key: int, now: float) -> None:
        rate, burst = self._rate_and_burst(scope)
        bucket = self._buckets.get((scope, key))
        if bucket is None:
            bucket = _Bucket(float(burst), now)
            self._buckets[(scope, key)] = bucket
        bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.updated) * rate) - 1.0
        bucket.updated = now

    def acquire(self, chat_id: int, is_group: bool) -> None:
        """Consumes one send for the chat or raises 429 with Telegram's retry_after."""
        if not self.limits.enabled:
            return
        now = self.clock()
        scopes = [("group" if is_group else "private", chat_id), ("overall", 0)]
        wait = max(self._wait_for(scope, key, now) for scope, key in scopes)
        if wait > 0:
            self.rejected += 1
            raise bot_api_errors.too_many_requests(max(1, math.ceil(wait)))
        for scope, key in scopes:
            self._take(scope, key, now)

    def reset(self) -> None:
        self._buckets.clear()
