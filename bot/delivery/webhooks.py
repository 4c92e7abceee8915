"""Signed pushes to agencies' systems: one outbox row as one HTTP POST of JSON.

The signature is HMAC-SHA256, keyed with the agency's webhook_secret, over
"{timestamp}.{body}" (the Unix time in X-Lapor-Timestamp, a dot, the raw body bytes),
sent as X-Lapor-Signature: v1=<hex>. A receiver recomputes it, compares in constant
time, and refuses old timestamps (docs/api.md shows how). Each attempt is signed anew.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from bot.core.outgoing import AgencyWebhook, Destination, Outgoing
from bot.delivery.failures import Failure, FailureKind, Undeliverable, safe_detail
from bot.delivery.send_methods import DeliveryFailed
from bot.services import Services

SIGNATURE_HEADER = "X-Lapor-Signature"
TIMESTAMP_HEADER = "X-Lapor-Timestamp"
EVENT_HEADER = "X-Lapor-Event"
# The outbox row id: the same for every retry of one push, so receivers can drop repeats.
DELIVERY_HEADER = "X-Lapor-Delivery"
SIGNATURE_VERSION = "v1"
TIMEOUT = aiohttp.ClientTimeout(total=15, connect=5)
# Worth trying again: the receiver is overloaded, restarting or timed out.
RETRYABLE = frozenset({408, 425, 429})


def body_of(document: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Lapor-Signature value for a body sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={mac.hexdigest()}"


class WebhookPush:
    """Send method: POST the row's document to the agency's webhook_url, signed."""

    name = "webhook"

    def __init__(self, services: Services, *, clock: Callable[[], float] = time.time) -> None:
        self.services = services
        self.clock = clock
        self._session: aiohttp.ClientSession | None = None

    def handles(self, destination: Destination) -> bool:
        """Agency webhooks only."""
        return isinstance(destination, AgencyWebhook)

    async def deliver(self, row_id: int, destination: Destination, message: Outgoing) -> None:
        """One signed POST; 2xx is delivered, 408/425/429/5xx and network errors retry."""
        assert isinstance(destination, AgencyWebhook)
        agency = self.services.directory.agencies.get(destination.agency)
        if agency is None or agency.webhook_url is None or agency.webhook_secret is None:
            raise Undeliverable(
                Failure(FailureKind.FAILED, "the agency has no webhook_url any more")
            )
        if message.document is None:
            raise Undeliverable(Failure(FailureKind.FAILED, "a push without a document"))
        body = body_of(message.document)
        timestamp = int(self.clock())
        headers = {
            "Content-Type": "application/json",
            EVENT_HEADER: str(message.document.get("event", "")),
            DELIVERY_HEADER: str(row_id),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature(agency.webhook_secret.get_secret_value(), timestamp, body),
        }
        try:
            async with self._client().post(
                str(agency.webhook_url), data=body, headers=headers, allow_redirects=False
            ) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DeliveryFailed(Failure(FailureKind.TRANSIENT, safe_detail(error))) from error
        if 200 <= status < 300:
            return
        kind = FailureKind.TRANSIENT if status in RETRYABLE or status >= 500 else FailureKind.FAILED
        raise DeliveryFailed(Failure(kind, f"the agency's webhook answered HTTP {status}"))

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    async def close(self) -> None:
        """Close the connection pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None
