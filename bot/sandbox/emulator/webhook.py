"""Webhook delivery: POSTs queued updates to the bot, retrying non-2xx answers.

Like Telegram, updates of one chat go out strictly one after another (a chat's
next update waits until the previous one got a 2xx), while different chats are
delivered in parallel up to ``max_connections``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import aiohttp

from bot.sandbox.emulator.state import now_unix
from bot.sandbox.emulator.updates import Update, UpdateQueue, WebhookConfig
from bot.sandbox.emulator.waiting import wait_event


class WebhookDeliverer:
    def __init__(
        self,
        queue: UpdateQueue,
        clock: Callable[[], float],
        retry_base: float = 0.1,
        retry_max: float = 2.0,
        request_timeout: float = 10.0,
    ) -> None:
        self.queue = queue
        self.clock = clock
        self.retry_base = retry_base
        self.retry_max = retry_max
        self.request_timeout = request_timeout
        self.deliveries: list[tuple[int, int | None, float]] = []  # update_id, status, time
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._in_flight: dict[object, asyncio.Task[None]] = {}
        queue.on_change(self._wake.set)

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        self._wake.set()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for flight in list(self._in_flight.values()):
            flight.cancel()
        self._in_flight.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    @staticmethod
    def _key(update: Update) -> object:
        return update.chat_id if update.chat_id is not None else ("update", update.update_id)

    async def _run(self) -> None:
        while True:
            config = self.queue.webhook
            if config is None:
                return
            wait = self._dispatch(config)
            self._wake.clear()
            await wait_event(self._wake, wait)

    def _dispatch(self, config: WebhookConfig) -> float:
        """Starts every delivery allowed now; returns how long to sleep at most."""
        now = self.clock()
        seen: set[object] = set()
        next_retry = 1.0
        for update in list(self.queue.pending):
            key = self._key(update)
            if key in seen:
                continue
            seen.add(key)
            if key in self._in_flight:
                continue
            if len(self._in_flight) >= max(1, config.max_connections):
                break
            if update.next_attempt_at > now:
                next_retry = min(next_retry, update.next_attempt_at - now)
                continue
            task = asyncio.get_running_loop().create_task(self._deliver(config, update))
            self._in_flight[key] = task
            task.add_done_callback(self._on_done(key))
        return max(0.005, next_retry)

    def _on_done(self, key: object) -> Callable[[asyncio.Task[None]], None]:
        def finished(_task: asyncio.Task[None]) -> None:
            self._in_flight.pop(key, None)
            self._wake.set()

        return finished

    async def _deliver(self, config: WebhookConfig, update: Update) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.request_timeout)
            )
        headers = {"Content-Type": "application/json"}
        if config.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = config.secret_token
        update.attempts += 1
        self.queue.hand_out(update, self.clock())
        status: int | None = None
        error: str | None = None
        try:
            async with self._session.post(
                config.url, json=update.to_json(), headers=headers
            ) as response:
                status = response.status
                await response.read()
                if not 200 <= status < 300:
                    error = f"Wrong response from the webhook: {status} {response.reason}"
        except TimeoutError:
            error = "Read timeout expired"
        except aiohttp.ClientConnectorError:
            error = "Connection refused"
        except aiohttp.ClientError as exc:
            error = f"Connection error: {exc}"
        self.deliveries.append((update.update_id, status, self.clock()))
        if self.queue.webhook is not config:
            return
        if error is None:
            self.queue.confirm(update)
            return
        config.last_error_date = now_unix()
        config.last_error_message = error
        delay = min(self.retry_max, self.retry_base * 2 ** (update.attempts - 1))
        update.next_attempt_at = self.clock() + delay
