"""Telegram's clock, as it dates messages: the real time, or a test's, moved ahead at will.

The bot reads message dates (a text sent right after a long one is the rest of a split
paste); a test that needs messages seconds apart moves this clock instead of sleeping.
"""

from __future__ import annotations

import time


class Dates:
    """Unix seconds for message dates: from `start` (the real time when None), plus however
    far a test has moved it ahead."""

    def __init__(self, start: float | None = None) -> None:
        self.start = start
        self.ahead = 0.0

    def __call__(self) -> float:
        base = time.time() if self.start is None else self.start
        return base + self.ahead

    def advance(self, seconds: float) -> None:
        """Move the clock ahead, as if `seconds` had passed between two messages."""
        if seconds < 0:
            raise ValueError("Telegram's clock does not go back")
        self.ahead += seconds
