"""The bot's update queue: getUpdates long polling with Telegram's confirm and conflict rules.

Updates stay queued until confirmed (getUpdates with a higher offset, or a 2xx
from the webhook), so a poll whose client has gone away loses nothing.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.emulator import bot_api_errors
from bot.sandbox.emulator.waiting import wait_event

JSON = dict[str, Any]

UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "message_reaction", "message_reaction_count", "inline_query", "chosen_inline_result",
    "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll",
    "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
    "removed_chat_boost",
)  # fmt: skip
# Telegram leaves these out unless asked for by name.
OPT_IN_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass(eq=False)
class Update:
    update_id: int
    kind: str
    payload: JSON
    chat_id: int | None
    created_at: float
    fetched_at: float | None = None  # first handed to the bot (getUpdates or webhook attempt)
    confirmed_at: float | None = None
    dropped: bool = False  # filtered by allowed_updates or drop_pending_updates
    attempts: int = 0
    next_attempt_at: float = 0.0

    def to_json(self) -> JSON:
        return {"update_id": self.update_id, self.kind: self.payload}

    @property
    def handed_over(self) -> bool:
        return self.fetched_at is not None or self.confirmed_at is not None or self.dropped


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None

    def info(self, pending: int, allowed: list[str] | None) -> JSON:
        data: JSON = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
            "max_connections": self.max_connections,
            "ip_address": "127.0.0.1",
        }
        if self.last_error_date is not None:
            data["last_error_date"] = self.last_error_date
            data["last_error_message"] = self.last_error_message or ""
        if allowed is not None:
            data["allowed_updates"] = allowed
        return data


@dataclass(eq=False)
class _Poll:
    event: asyncio.Event = field(default_factory=asyncio.Event)
    terminated_by: str | None = None


class UpdateQueue:
    def __init__(self, clock: Callable[[], float], first_update_id: int = 1) -> None:
        self.clock = clock
        self.pending: list[Update] = []
        self.allowed_updates: list[str] | None = None
        self.webhook: WebhookConfig | None = None
        self.last_poll_at: float | None = None
        self.closed = False
        self._next_id = first_update_id
        self._poll: _Poll | None = None
        self._listeners: list[Callable[[], None]] = []
        self._hand_out_listeners: list[Callable[[Update], None]] = []
        self.pushed: dict[int, Update] = {}  # every update by id, for resend()

    def number_from(self, first_id: int) -> None:
        """Number the next updates from `first_id`, lower than before if so told."""
        self._next_id = first_id

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def on_hand_out(self, listener: Callable[[Update], None]) -> None:
        self._hand_out_listeners.append(listener)

    def hand_out(self, update: Update, now: float) -> None:
        """Marks an update as handed to the bot; listeners hear only of the first time."""
        if update.fetched_at is None:
            update.fetched_at = now
            for listener in self._hand_out_listeners:
                listener(update)

    def _notify(self) -> None:
        if self._poll is not None:
            self._poll.event.set()
        for listener in self._listeners:
            listener()

    def allows(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in OPT_IN_TYPES

    def push(self, kind: str, payload: JSON, chat_id: int | None) -> Update:
        update = Update(self._next_id, kind, payload, chat_id, self.clock())
        self._next_id += 1
        self.pushed[update.update_id] = update
        if not self.allows(kind):
            update.dropped = True
            return update
        self.pending.append(update)
        self._notify()
        return update

    def resend(self, update_id: int) -> Update:
        """Queues an update again, as Telegram does when its delivery was not confirmed.

        A webhook gets it at once; a poller only if its offset is not past it (a restarted
        bot polls from the start of the queue).
        """
        first = self.pushed[update_id]
        again = Update(first.update_id, first.kind, first.payload, first.chat_id, self.clock())
        bisect.insort(self.pending, again, key=lambda u: u.update_id)
        self._notify()
        return again

    def confirm(self, update: Update) -> None:
        update.confirmed_at = self.clock()
        if update in self.pending:
            self.pending.remove(update)
        self._notify()

    def drop_pending(self) -> None:
        for update in self.pending:
            update.dropped = True
        self.pending.clear()
        self._notify()

    def set_allowed(self, allowed: list[str] | None) -> None:
        if allowed is not None:
            self.allowed_updates = [a for a in allowed if a in UPDATE_TYPES] or None

    def _apply_offset(self, offset: int) -> None:
        if offset < 0:
            keep = self.pending[offset:]
            forgotten = self.pending[: len(self.pending) - len(keep)]
        else:
            forgotten = [u for u in self.pending if u.update_id < offset]
        now = self.clock()
        for update in forgotten:
            update.confirmed_at = now
            self.pending.remove(update)

    async def get_updates(
        self,
        offset: int | None,
        limit: int,
        timeout: float,  # noqa: ASYNC109
        allowed: list[str] | None,
    ) -> list[JSON]:
        if self.webhook is not None:
            raise bot_api_errors.conflict(bot_api_errors.WEBHOOK_ACTIVE)
        self.terminate_poll(bot_api_errors.GETUPDATES_CONFLICT)
        poll = _Poll()
        self._poll = poll
        self.last_poll_at = self.clock()
        try:
            self.set_allowed(allowed)
            if offset is not None:
                self._apply_offset(offset)
                self._notify()
            deadline = self.clock() + max(0.0, timeout)
            while True:
                if poll.terminated_by is not None:
                    raise bot_api_errors.conflict(poll.terminated_by)
                ready = self.pending[: max(1, min(limit, 100))]
                remaining = deadline - self.clock()
                if ready or self.closed or remaining <= 0:
                    now = self.clock()
                    for update in ready:
                        self.hand_out(update, now)
                    self.last_poll_at = now
                    return [u.to_json() for u in ready]
                poll.event.clear()
                await wait_event(poll.event, remaining)
        finally:
            if self._poll is poll:
                self._poll = None

    def terminate_poll(self, reason: str) -> None:
        if self._poll is not None:
            self._poll.terminated_by = reason
            self._poll.event.set()
            self._poll = None

    def close(self) -> None:
        self.closed = True
        self._notify()
