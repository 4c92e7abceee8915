"""The outbox dispatcher: claims due rows by lease and sends them within Telegram's limits.

Rows are grouped by chat; each chat's rows go out one after another in row order,
different chats concurrently. A row that must wait (429, network trouble) holds back
the later rows of its chat. Every row ends as "sent", "failed" or "unreachable";
none is dropped silently. Delivery is at least once: a send whose answer was lost
(timeout, crash before the row is marked) is sent again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncIterator, Callable, Hashable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from time import monotonic
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut

from bot.core.outgoing import (
    CitizenChat,
    Destination,
    Outgoing,
    destination_from_json,
    outgoing_from_json,
)
from bot.delivery import leases
from bot.delivery.destinations import Destinations, Place
from bot.delivery.failures import (
    Failure,
    FailureKind,
    Undeliverable,
    classify,
    edit_refusal,
    safe_detail,
)
from bot.delivery.limits import ChatLimits, Rates
from bot.delivery.open311_send import Open311Send
from bot.delivery.records import Records
from bot.delivery.send_methods import DeliveryFailed, SendMethod, method_for
from bot.delivery.sending import DeliveryBot, Upload, edit, send
from bot.delivery.webhooks import WebhookPush
from bot.language import speech
from bot.services import Services
from bot.settings import Settings
from bot.transport.aiohttp_request import AiohttpRequest
from storage import outbox_queries as queries
from storage import uploads
from storage.outbox_queries import ClaimedRow

if TYPE_CHECKING:
    from bot.transport.context import BotData

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=120)
# No send starts this close to the end of its lease: the call and its record must fit.
LEASE_MARGIN = 30.0
BACKOFF_FIRST = 1.0
# A Telegram call refused with a 5xx or a lost connection is usually fine a moment later:
# the first retry comes soon, so the row's chat is not held back long. Like Telegram's
# limits, it is a span of Telegram's time: sped up with them (outbox_rate_scale).
TELEGRAM_BACKOFF_FIRST = 0.25
# Bot API calls of the dispatcher on their way at once: with the overall budget's burst
# (limits.Rates) it stays under the burst Telegram allows, however late the answers come.
IN_FLIGHT = 8
# Due rows all taken by another dispatcher's claim: look again soon, then less often.
CONTENDED_FIRST = 0.05
BACKOFF_CAP = 300.0
# With the 5-minute cap, about an hour of failures before a row is "failed".
MAX_ATTEMPTS = 20
# What one delivery attempt came to: sent; to be retried after a network error or 5xx
# ("retry") or a 429 ("flood"); the citizen unreachable (403); failed for good.
RESULTS = ("sent", "retry", "flood", "unreachable", "failed")
# Told each attempt's result (the webhook server counts them for /metrics).
Observer = Callable[[str], None]


def default_methods(services: Services) -> tuple[SendMethod, ...]:
    """Every send method an agency's system may be reached by (bot/delivery/send_methods)."""
    return (WebhookPush(services), Open311Send(services))


def new_worker_id() -> str:
    """A lease owner name unique to this process and start (see bot.delivery.leases)."""
    return leases.new_worker_id()


def delivery_bot(settings: Settings, connections: int = 40) -> Bot:
    """A Bot for the dispatcher alone.

    The application's bot goes through AIORateLimiter, whose fixed group limit would
    slow our (scalable) budgets down further and whose retries on 429 would send
    behind our accounting; its own connection pool also keeps outbox traffic from
    queueing behind the replies to people who are chatting right now.
    """
    return DeliveryBot(
        settings.token(),
        base_url=settings.telegram_base_url,
        base_file_url=settings.telegram_base_file_url,
        request=AiohttpRequest(connections),
    )


def backoff(attempts: int, first: float = BACKOFF_FIRST) -> float:
    """Seconds before retrying after the n-th failed attempt: 1, 2, 4 ... 300 (from
    `first`), with jitter so that rows failed together do not come back together."""
    base = first * 2.0 ** min(attempts - 1, 20)
    return min(BACKOFF_CAP, base * random.uniform(1.0, 1.5))


class _Deferred(Exception):
    """The row was not attempted (stopping, or its lease would run out while waiting)."""


@dataclass(frozen=True)
class _Done:
    """The message a row came to: posted anew, or one of ours edited (a card)."""

    message_id: int
    posted: bool


@dataclass
class _Chat:
    """The claimed rows of one chat and when their lease runs out (monotonic)."""

    key: Hashable
    rows: list[ClaimedRow]
    deadline: float
    # Destinations resolved already (a citizen's chat, read with the claim), by their JSON.
    places: dict[str, Place] = field(default_factory=dict)


class Dispatcher:
    """Sends outbox rows; several may run on one PostgreSQL database."""

    def __init__(
        self,
        services: Services,
        bot: Bot,
        *,
        worker_id: str,
        batch_size: int = 100,
        idle_interval: float = 1.0,
        concurrency: int = 128,
        rows_per_chat: int = 10,
        lease: timedelta = LEASE,
        max_attempts: int = MAX_ATTEMPTS,
        rates: Rates | None = None,
        owns_bot: bool = False,
        strategies: Sequence[SendMethod] | None = None,
        observer: Observer | None = None,
    ) -> None:
        self.services = services
        self.bot = bot
        self.worker_id = worker_id
        self.batch_size = batch_size
        self.idle_interval = idle_interval
        self.concurrency = concurrency
        self.rows_per_chat = rows_per_chat
        # Pending rows one claim reads at most, oldest first (tests make it small).
        self.claim_scan = queries.ClaimLimits.scan
        self.lease = lease
        self.max_attempts = max_attempts
        self.owns_bot = owns_bot
        self.observer = observer
        # When the loop last went round (monotonic): health checks tell a hang from a wait.
        self.last_turn = monotonic()
        leases.register(worker_id)
        scale = services.settings.outbox_rate_scale
        self.limits = ChatLimits((rates or Rates()).scaled(scale))
        self.telegram_backoff = TELEGRAM_BACKOFF_FIRST / scale
        # Telegram counts a message when it arrives: calls piled up on a slow connection
        # arrive together when it recovers, so no more than these are on their way at once.
        self._in_flight = asyncio.Semaphore(IN_FLIGHT)
        # Every write of the sending loop goes through it, made together (a group commit).
        self.records = Records(services.sessionmaker, services.clock)
        self.destinations = Destinations(services, bot)
        # The speaking programs, for the spoken copies of prompts (spoken replies).
        self.voice = speech.tools(services.settings)
        # Destinations other than Telegram chats (agencies' webhooks).
        self.strategies: Sequence[SendMethod] = (
            strategies if strategies is not None else default_methods(services)
        )
        self._chats: dict[Hashable, asyncio.Task[None]] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        # Bumped by notify(): an empty claim counts as idle only if nothing came since.
        self._notified = 0
        # How long to wait after a claim that found due rows but could take none (0: it took).
        self._contended = 0.0
        # Claims made (each a transaction), for tests.
        self.claims = 0

    # --- running --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start polling for due rows in the background."""
        if self._task is not None:
            return
        await self.bot.initialize()
        try:
            await self._take_back_orphans()
        except Exception:
            # Their leases run out by themselves; only the shortcut is lost.
            log.exception("outbox: taking back rows of dead dispatchers failed")
        self._stopping.clear()
        self.last_turn = monotonic()
        self._task = asyncio.create_task(self._run(), name=f"outbox {self.worker_id}")

    async def _take_back_orphans(self) -> None:
        """Free the rows leased by dispatchers of this machine whose process died.

        A restart after a crash then sends them at once, not when the lease runs out.
        """
        async with self.services.sessionmaker.begin() as session:
            owners = await queries.lease_owners(session, self.services.clock())
            gone = [owner for owner in owners if leases.is_gone(owner, self.worker_id)]
            freed = await queries.release_owners(session, gone) if gone else 0
        if freed:
            log.warning("outbox: took back %s rows leased by a dispatcher that died", freed)

    @property
    def running(self) -> bool:
        """Started and its loop has not ended (health checks ask)."""
        return self._task is not None and not self._task.done()

    def notify(self) -> None:
        """Rows were just committed: look now rather than at the next poll."""
        self._notified += 1
        self._wake.set()

    async def stop(self) -> None:
        """Finish the sends under way, give back the claimed rows not sent, and stop."""
        task, self._task = self._task, None
        self._stopping.set()
        self._wake.set()
        self.limits.open_all()
        if task is not None:
            await task
        leases.forget(self.worker_id)
        for strategy in self.strategies:
            await strategy.close()
        if self.owns_bot:
            await self.bot.shutdown()

    async def drain(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Deliver until no row is due (rows waiting for a later time stay pending)."""
        if self._task is None:
            await self.bot.initialize()
            async with asyncio.timeout(timeout):
                while await self._claim() or self._chats:
                    await asyncio.gather(*list(self._chats.values()))
            return
        self._idle.clear()
        self.notify()
        await asyncio.wait_for(self._idle.wait(), timeout)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            self.last_turn = monotonic()
            notified = self._notified
            self._wake.clear()
            claimed = 0
            try:
                claimed = await self._claim()
            except Exception:
                log.exception("outbox: claiming rows failed")
            else:
                idle = not claimed and not self._chats and not self._contended
                if idle and notified == self._notified:
                    self._idle.set()
            if self._contended:
                await self._pause(self._contended, self._wake)
            elif claimed < self.batch_size or len(self._chats) >= self.concurrency:
                await self._pause(self.idle_interval, self._wake)
        if self._chats:
            await asyncio.gather(*list(self._chats.values()), return_exceptions=True)

    async def _pause(self, seconds: float, event: asyncio.Event) -> bool:
        """Sleep until the event is set or the time is up; True if the event was set."""
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            return False
        return True

    # --- claiming -------------------------------------------------------------------------

    async def _claim(self) -> int:
        """Claim due rows and start one task per chat; the number of rows claimed."""
        contended, self._contended = self._contended, 0.0
        room = self.concurrency - len(self._chats)
        if room <= 0 or self._stopping.is_set():
            return 0
        if self._chats and room < max(1, self.concurrency // 4):
            # A claim costs a transaction and a scan whatever it takes: one for every chat
            # finished cost more than the sends themselves during a fan-out.
            return 0
        now = self.services.clock()
        async with self.services.sessionmaker() as session:
            if not await queries.has_due(session, now):
                return 0
        deadline = monotonic() + self.lease.total_seconds()
        limits = queries.ClaimLimits(
            rows=self.batch_size, chats=room, rows_per_chat=self.rows_per_chat,
            scan=self.claim_scan,
        )  # fmt: skip

        async def claim(session: AsyncSession) -> tuple[queries.Claimed, dict[int, int]]:
            rows = await queries.claim(
                session,
                owner=self.worker_id,
                now=now,
                lease_until=now + self.lease,
                order_key=self.destinations.order_key,
                limits=limits,
            )
            # Their citizens' chats in one read, not one read a row.
            citizens = {
                row.destination["reporter_id"]
                for row in rows
                if row.destination.get("kind") == "citizen"
                and isinstance(row.destination.get("reporter_id"), int)
            }
            found = await queries.reporter_chats(session, sorted(citizens)) if citizens else {}
            return rows, found

        self.claims += 1
        rows, citizen_chats = await self.records.write(claim)
        if not rows and rows.contended:
            # Another dispatcher is claiming the due rows right now: soon there are others.
            self._contended = min(self.idle_interval, 2 * contended or CONTENDED_FIRST)
        chats: dict[Hashable, _Chat] = {}
        for row in rows:
            key = self.destinations.order_key(row.destination)
            chat = chats.setdefault(key, _Chat(key, [], deadline))
            chat.rows.append(row)
            reporter_id = row.destination.get("reporter_id")
            if row.destination.get("kind") == "citizen" and reporter_id in citizen_chats:
                where = json.dumps(row.destination, sort_keys=True)
                chat.places[where] = Place(
                    citizen_chats[reporter_id], citizen=True, reporter_id=reporter_id
                )
        for chat in chats.values():
            previous = self._chats.get(chat.key)
            self._chats[chat.key] = asyncio.create_task(self._serve(chat, previous))
        return len(rows)

    async def _serve(self, chat: _Chat, previous: asyncio.Task[None] | None) -> None:
        """Send one chat's rows in order; stop at the first that must wait."""
        if previous is not None:
            # Its rows were all finished before these could be claimed; let it end first.
            await asyncio.gather(previous, return_exceptions=True)
        places = chat.places
        done = 0
        try:
            for row in chat.rows:
                if self._stopping.is_set():
                    break
                finished = await self._deliver(row, places, chat.deadline)
                done += 1
                if not finished:
                    break
        except Exception:
            log.exception("outbox: delivering to %s stopped", chat.key)
        finally:
            try:
                if left := [row.id for row in chat.rows[done:]]:
                    await self.records.write(
                        partial(queries.release, ids=left, owner=self.worker_id)
                    )
            except Exception:
                # Their lease runs out by itself and they are claimed again.
                log.exception("outbox: giving back rows for %s failed", chat.key)
            if self._chats.get(chat.key) is asyncio.current_task():
                del self._chats[chat.key]
            self._wake.set()

    # --- one row --------------------------------------------------------------------------

    async def _deliver(self, row: ClaimedRow, places: dict[str, Place], deadline: float) -> bool:
        """Send a row and record the outcome; False when the chat's later rows must wait."""
        try:
            destination = destination_from_json(row.destination)
            message = outgoing_from_json(row.payload)
        except (KeyError, TypeError, ValueError) as error:
            await self._close(
                row, Failure(FailureKind.FAILED, f"unreadable row: {safe_detail(error)}")
            )
            return True
        strategy = method_for(self.strategies, destination)
        if strategy is not None:
            return await self._deliver_by(strategy, row, destination, message)
        if message.edit_card and await self._superseded(row):
            return True
        citizen = isinstance(destination, CitizenChat)
        where = json.dumps(row.destination, sort_keys=True)
        try:
            try:
                done = await self._attempt(
                    row, destination, message, places=places, where=where, deadline=deadline
                )
            except TelegramError as error:
                stale = places.get(where)
                if classify(error, citizen=citizen).kind is not FailureKind.THREAD_GONE or (
                    stale is None or stale.topic_key is None
                ):
                    raise
                # A topic deleted by hand: create it again and try once more at once.
                places[where] = await self.destinations.replace_topic(stale)
                done = await self._attempt(
                    row, destination, message, places=places, where=where, deadline=deadline
                )
        except _Deferred:
            await self._release(row)
            return False
        except Undeliverable as undeliverable:
            # Known before any call: nothing new to record about the person.
            await self._close(row, undeliverable.failure)
            return True
        except Exception as error:
            failure = classify(error, citizen=citizen, token=self.bot.token)
            if not isinstance(error, TelegramError):
                log.exception("outbox: row %s raised", row.id)
            place = places.pop(where, None)
            if place is not None and _not_sent(error):
                self.limits.refund(place.chat_id)
            return await self._failed(
                row, failure, place, _reporter(destination), first_backoff=self.telegram_backoff
            )
        await self._sent(row, places[where], message, done)
        return True

    async def _superseded(self, row: ClaimedRow) -> bool:
        """An edit of a card made needless by a later edit of the same card still to be
        sent: closed as sent without a call, sparing the group's 20 messages a minute."""
        report_id = row.report_id
        if report_id is None:
            return False

        async def close_if_superseded(session: AsyncSession) -> int | None:
            later = await queries.superseding_edit(session, row.id, report_id, row.destination)
            if later is not None:
                await queries.mark_superseded(session, row.id, by=later, now=self.services.clock())
            return later

        later = await self.records.write(close_if_superseded)
        if later is None:
            return False
        self._observe("sent")
        log.debug("outbox: row %s (%s) superseded by row %s", row.id, row.purpose, later)
        return True

    async def _deliver_by(
        self, strategy: SendMethod, row: ClaimedRow, destination: Destination, message: Outgoing
    ) -> bool:
        """Deliver a row through a strategy, recorded and retried as every other row."""
        if self._stopping.is_set():
            await self._release(row)
            return False
        try:
            await strategy.deliver(row.id, destination, message)
        except Undeliverable as undeliverable:
            await self._close(row, undeliverable.failure)
            return True
        except DeliveryFailed as failed:
            return await self._failed(row, failed.failure, None, None)
        except Exception as error:
            log.exception("outbox: row %s raised", row.id)
            return await self._failed(
                row, Failure(FailureKind.TRANSIENT, safe_detail(error)), None, None
            )
        marked = await self.records.write(
            partial(
                queries.mark_sent, row_id=row.id, now=self.services.clock(), chat_id=None,
                message_id=None,
            )
        )  # fmt: skip
        if not marked:
            log.warning("outbox: row %s was sent, but had already been finished", row.id)
        self._observe("sent")
        return True

    async def _attempt(
        self,
        row: ClaimedRow,
        destination: Destination,
        message: Outgoing,
        *,
        places: dict[str, Place],
        where: str,
        deadline: float,
    ) -> _Done:
        place = places.get(where)
        if place is None:
            place = places[where] = await self.destinations.resolve(destination)
        if message.edit_card and row.report_id is not None:
            card_id = await self.destinations.card(place, row.report_id)
            if card_id is not None and await self._edited(row, place, message, card_id, deadline):
                return _Done(card_id, posted=False)
        reply_to = (
            await self.destinations.card(place, row.report_id) if message.under_card else None
        )
        upload, message = await self._upload_of(message)
        async with self._turn(place, deadline):
            message_id, uploaded = await send(
                self.bot, place, message, reply_to, voice=self.voice, upload=upload
            )
        if uploaded is not None and uploaded.file_id and message.file is not None:
            assert message.file.upload is not None
            await self.records.write(
                partial(
                    uploads.settle,
                    attachment_id=message.file.upload,
                    file_id=uploaded.file_id,
                    file_unique_id=uploaded.file_unique_id,
                )
            )
        return _Done(message_id, posted=True)

    async def _edited(
        self, row: ClaimedRow, place: Place, message: Outgoing, card_id: int, deadline: float
    ) -> bool:
        """Edit the report's card; False when Telegram will not edit it any more (deleted
        by hand, too old), so it is posted again. An edit it already has counts as done."""
        try:
            async with self._turn(place, deadline):
                await edit(self.bot, place, message, card_id)
        except TelegramError as error:
            refusal = edit_refusal(error)
            if refusal is None:
                raise
            if refusal == "gone":
                log.info(
                    "outbox: row %s: card %s in chat %s cannot be edited (%s); posting it anew",
                    row.id,
                    card_id,
                    place.chat_id,
                    safe_detail(error),
                )
                return False
        return True

    @asynccontextmanager
    async def _turn(self, place: Place, deadline: float) -> AsyncIterator[None]:
        """The chat's turn, then a place among the calls in flight, then the bot's overall
        turn, within the lease; the call is made inside."""
        await self._wait_turn(partial(self.limits.reserve, place.chat_id), deadline)
        async with self._in_flight:
            turn = self.limits.turn(deadline - monotonic() - LEASE_MARGIN)
            if turn is None or self._stopping.is_set() or not await turn:
                raise _Deferred
            yield

    async def _upload_of(self, message: Outgoing) -> tuple[Upload | None, Outgoing]:
        """The bytes of a file Telegram does not have yet, or its file id if it has it now."""
        if message.file is None or message.file.upload is None:
            return None, message
        attachment_id = message.file.upload
        async with self.services.sessionmaker() as session:
            waiting = await uploads.waiting(session, attachment_id)
            if waiting is None:
                file_id = await uploads.file_id_of(session, attachment_id)
        if waiting is not None:
            return Upload(*waiting), message
        if not file_id:
            raise Undeliverable(Failure(FailureKind.FAILED, "the uploaded file is gone"))
        return None, replace(message, file=replace(message.file, file_id=file_id, upload=None))

    async def _wait_turn(self, book: Callable[[float], float | None], deadline: float) -> None:
        """Book a budget and wait for the slot; _Deferred if that outlasts the lease."""
        wait = book(deadline - monotonic() - LEASE_MARGIN)
        if wait is None or self._stopping.is_set():
            raise _Deferred
        if wait > 0 and await self._pause(wait, self._stopping):
            raise _Deferred

    async def _sent(self, row: ClaimedRow, place: Place, message: Outgoing, done: _Done) -> None:
        # An edited card is linked already, since it was first posted.
        mark = queries.SentMark(
            row.id,
            place.chat_id,
            done.message_id,
            report_id=row.report_id,
            citizen=place.citizen and done.posted,
            link=message.link if done.posted else None,
        )
        if not await self.records.sent(mark):
            log.warning("outbox: row %s was sent, but had already been finished", row.id)
        self._observe("sent")
        log.debug("outbox: row %s (%s) sent to %s", row.id, row.purpose, _logged(place))

    async def _failed(
        self,
        row: ClaimedRow,
        failure: Failure,
        place: Place | None,
        reporter_id: int | None,
        *,
        first_backoff: float = BACKOFF_FIRST,
    ) -> bool:
        """Record a failed call; True when the chat's later rows may still go."""
        now = self.services.clock()
        chat_id = place.chat_id if place is not None else None
        match failure.kind:
            case FailureKind.FLOOD:
                if chat_id is not None and self.limits.hold(chat_id, failure.retry_after):
                    log.warning("outbox: Telegram holds every chat for %ss", failure.retry_after)
                await self._retry_later(
                    row, now + timedelta(seconds=failure.retry_after), row.attempts, failure
                )
                return False
            case FailureKind.TRANSIENT:
                attempts = row.attempts + 1
                if attempts >= self.max_attempts:
                    await self._close(row, failure, attempts=attempts)
                    return True
                log.warning(
                    "outbox: row %s to %s, attempt %s failed: %s",
                    row.id,
                    _logged(place),
                    attempts,
                    failure.detail,
                )
                await self._retry_later(
                    row,
                    now + timedelta(seconds=backoff(attempts, first_backoff)),
                    attempts,
                    failure,
                )
                return False
            case FailureKind.THREAD_GONE:
                # Only a topic of ours is created again; any other thread is the sender's.
                await self._close(row, Failure(FailureKind.FAILED, failure.detail))
                return True
            case _:
                await self._close(row, failure, reporter_id=reporter_id)
                return True

    async def _retry_later(
        self, row: ClaimedRow, at: datetime, attempts: int, failure: Failure
    ) -> None:
        await self.records.write(
            partial(
                queries.retry_later,
                row_id=row.id,
                owner=self.worker_id,
                available_at=at,
                attempts=attempts,
                last_error=failure.detail,
            )
        )
        # Claimed again when its wait is over, not at the next poll: after a fan-out's last
        # sends, only its retries are left, and a second's poll a round made their tail.
        wait = (at - self.services.clock()).total_seconds()
        asyncio.get_running_loop().call_later(max(0.0, wait), self._wake.set)
        self._observe("flood" if failure.kind is FailureKind.FLOOD else "retry")

    async def _close(
        self,
        row: ClaimedRow,
        failure: Failure,
        *,
        reporter_id: int | None = None,
        attempts: int | None = None,
    ) -> None:
        """End a row as unreachable or failed; a failure is an ERROR, never silent."""
        state = queries.UNREACHABLE if failure.kind is FailureKind.UNREACHABLE else queries.FAILED
        now = self.services.clock()

        async def record(session: AsyncSession) -> None:
            if state == queries.UNREACHABLE and reporter_id is not None:
                await queries.mark_unreachable(session, reporter_id, now)
            await queries.close(
                session, row.id, state=state, last_error=failure.detail, attempts=attempts
            )

        await self.records.write(record)
        self._observe(state)
        if state == queries.FAILED:
            log.error("outbox: row %s (%s) failed: %s", row.id, row.purpose, failure.detail)
        else:
            log.info("outbox: row %s (%s): the citizen is unreachable", row.id, row.purpose)

    def _observe(self, result: str) -> None:
        if self.observer is not None:
            self.observer(result)

    async def _release(self, row: ClaimedRow) -> None:
        await self.records.write(partial(queries.release, ids=[row.id], owner=self.worker_id))


def _logged(place: Place | None) -> object:
    """A staff chat by its id; a citizen's chat never (logs name no citizen, anonim or not)."""
    if place is None:
        return None
    return "a citizen" if place.citizen else place.chat_id


def _not_sent(error: BaseException) -> bool:
    """Telegram answered 5xx or was not reached: nothing was delivered or counted. (A
    timeout may have been delivered, and a 4xx was counted: neither is given back.)"""
    return isinstance(error, NetworkError) and not isinstance(error, TimedOut | BadRequest)


def _reporter(destination: Destination) -> int | None:
    return destination.reporter_id if isinstance(destination, CitizenChat) else None


async def start_delivery(bot_data: BotData) -> Dispatcher:
    """Start the application's dispatcher (from post_init) and keep it on bot_data."""
    services = bot_data.services
    dispatcher = Dispatcher(
        services,
        delivery_bot(services.settings),
        worker_id=new_worker_id(),
        owns_bot=True,
        observer=bot_data.delivery_observer,
    )
    bot_data.dispatcher = dispatcher
    await dispatcher.start()
    return dispatcher


async def stop_delivery(bot_data: BotData) -> None:
    """Stop the application's dispatcher (from post_stop); its unsent rows stay pending."""
    dispatcher, bot_data.dispatcher = bot_data.dispatcher, None
    if isinstance(dispatcher, Dispatcher):
        await dispatcher.stop()
