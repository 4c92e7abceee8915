"""Send methods: the ways a report leaves for another system, behind one interface.

As FixMyStreet's SendReport::Email and SendReport::Open311 are, each is a small class
that knows one kind of destination; the dispatcher claims, orders, retries and records
every outbox row the same way whichever method sends it. Today: the signed webhook
(bot/delivery/webhooks.py) and the Open311 client (bot/delivery/open311_send.py). A
connector to another system (the national SP4N-LAPOR! integration API) is one more class
with a `name`, added to `default_methods`; docs/api.md says how.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.core.outgoing import Destination, Outgoing
from bot.delivery.failures import Failure


class DeliveryFailed(Exception):
    """A delivery attempt failed; the failure says whether to retry (TRANSIENT) or not."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.detail)
        self.failure = failure


class SendMethod(Protocol):
    """Hands outbox messages to one kind of destination."""

    # The name an AgencySystem destination (and docs/api.md) calls it by.
    name: str

    def handles(self, destination: Destination) -> bool:
        """Whether this method delivers to that destination."""
        ...

    async def deliver(self, row_id: int, destination: Destination, message: Outgoing) -> None:
        """Deliver once; raise Undeliverable (no attempt made) or DeliveryFailed.

        The same row may be delivered again (at least once): a method whose system keeps
        what it is sent (a service request) must make a repeat harmless itself.
        """
        ...

    async def close(self) -> None:
        """Release connections when the dispatcher stops."""
        ...


def method_for(methods: Sequence[SendMethod], destination: Destination) -> SendMethod | None:
    """The method that delivers to a destination, None for Telegram chats."""
    return next((method for method in methods if method.handles(destination)), None)
