"""When a bot in the test's own process has done all it was given: a signal, not silence.

The scripted waits must know when the bot's answer is complete. From outside, the only
sign is that the bot has made no call for a while (a settle), and a loaded machine
stretches a pause inside one answer past any interval short enough to be cheap. A bot
running in the same process as the test can say so instead: it reports each update it
handled to the end, and drains its outbox on request. Bots in another process
(benchmarks, crash tests) are still waited for by their quiet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class InProcessBot(Protocol):
    """A bot in this process that tells the emulator when its work is done."""

    async def drain(self, timeout: float) -> None:  # noqa: ASYNC109
        """Return once nothing due is left in its outbox (TimeoutError after `timeout`)."""


class Rest:
    """The in-process bots and the updates handed to them that they have not finished."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.bots: list[InProcessBot] = []
        # Handed to a bot (getUpdates or a webhook post) and not yet reported handled.
        self.unhandled: set[int] = set()
        # Bot API calls answered so far (but getUpdates): a drain that made none changed
        # nothing the test could see.
        self.calls = 0

    @property
    def signalled(self) -> bool:
        """True while a bot of this process reports its work (the waits use signals)."""
        return bool(self.bots)

    def attach(self, bot: InProcessBot) -> None:
        if all(b is not bot for b in self.bots):
            self.bots.append(bot)

    def detach(self, bot: InProcessBot) -> None:
        # By identity: bots may be dataclasses that compare equal by their fields.
        self.bots = [b for b in self.bots if b is not bot]

    def handed_out(self, update_id: int) -> None:
        """Hook: an update went to the bot for the first time."""
        if self.bots:
            self.unhandled.add(update_id)

    def handled(self, update_id: int) -> None:
        """The bot's observer: it handled this update to the end."""
        self.unhandled.discard(update_id)

    async def drained(self, deadline: float) -> bool:
        """Drain every bot's outbox once; False if the deadline came first.

        True only if no Bot API call was made meanwhile: a card sent may be followed by
        nothing, but that is known only from a drain that found nothing to do.
        """
        before = self.calls
        for bot in list(self.bots):
            remaining = deadline - self.clock()
            if remaining <= 0:
                return False
            try:
                await bot.drain(remaining)
            except TimeoutError:
                return False
        return self.calls == before and not self.unhandled
