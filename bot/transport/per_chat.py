"""Concurrent across chats, in order within each chat (DESIGN.md section 9)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Handles different chats in parallel but each chat's updates one after another.

    A citizen who types fast must see answers in the order asked; two citizens must not
    wait for each other.
    """

    def __init__(
        self,
        max_concurrent_updates: int = 256,
        on_done: Callable[[object], None] | None = None,
    ):
        super().__init__(max_concurrent_updates)
        # Told of each update handled to the end (not of one cancelled at shutdown).
        self._on_done = on_done
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the handler under the lock of the update's chat (or user)."""
        key = _chat_key(update)
        if key is None:
            await coroutine
            self._done(update)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
            self._done(update)
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                # Forget idle chats so memory does not grow with every citizen ever seen.
                del self._waiting[key]
                del self._locks[key]

    def _done(self, update: object) -> None:
        if self._on_done is not None:
            self._on_done(update)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None
