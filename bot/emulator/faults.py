"""Injected failures: 5xx answers and slow calls, decided before a call touches state.

``methods=None`` means every Bot API method except getUpdates: the poller calls
it constantly, so it would swallow faults meant for the bot's sends at random.
Name getUpdates explicitly to fault it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bot.emulator import errors


@dataclass
class _Rule:
    methods: frozenset[str] | None
    remaining: int | None  # None: unlimited
    status: int = 500
    fraction: float = 1.0
    delay: float = 0.0

    def matches(self, method: str) -> bool:
        if self.methods is None:
            return method != "getupdates"
        return method in self.methods


@dataclass(frozen=True)
class Fault:
    status: int | None  # None: no error, only the delay
    delay: float


@dataclass
class Faults:
    seed: int = 0
    injected: int = 0
    _rules: list[_Rule] = field(default_factory=list)

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
        self, count: int = 1, status: int = 500, methods: list[str] | str | None = None
    ) -> None:
        """The next ``count`` matching calls answer ``status`` and change nothing."""
        _check_status(status)
        self._rules.append(_Rule(self._methods(methods), count, status))

    def fail_randomly(
        self,
        fraction: float,
        status: int = 502,
        methods: list[str] | str | None = None,
        seed: int | None = None,
    ) -> None:
        """Each matching call fails with probability ``fraction`` (seeded, reproducible)."""
        _check_status(status)
        if seed is not None:
            self._rng = random.Random(seed)
        self._rules.append(_Rule(self._methods(methods), None, status, fraction))

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

    def clear(self) -> None:
        self._rules.clear()

    @property
    def active(self) -> bool:
        return bool(self._rules)

    def draw(self, method: str) -> Fault | None:
        """The fault for this call, if any; consumes one use of the matching rule."""
        method = method.lower()
        for rule in list(self._rules):
            if not rule.matches(method):
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
    if status not in errors.SERVER_ERRORS:
        raise ValueError(f"fault status must be one of {sorted(errors.SERVER_ERRORS)}")


def fault_error(status: int) -> errors.ApiError:
    return errors.ApiError(status, errors.SERVER_ERRORS[status])
