"""Delivery strategies for destinations that are not Telegram chats (an agency's webhook).

The dispatcher claims, orders, retries and records every outbox row the same way; a
strategy only knows how to hand one row's message to its kind of destination.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.outgoing import Destination, Outgoing
from bot.delivery.failures import Failure


class DeliveryFailed(Exception):
    """A delivery attempt failed; the failure says whether to retry (TRANSIENT) or not."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.detail)
        self.failure = failure


class Strategy(Protocol):
    """Hands outbox messages to one kind of destination."""

    def handles(self, destination: Destination) -> bool:
        """Whether this strategy delivers to that destination."""
        ...

    async def deliver(self, row_id: int, destination: Destination, message: Outgoing) -> None:
        """Deliver once; raise Undeliverable (no attempt made) or DeliveryFailed."""
        ...

    async def close(self) -> None:
        """Release connections when the dispatcher stops."""
        ...
