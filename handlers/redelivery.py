"""Updates take effect once: a redelivered update is skipped, the replies it owed are sent.

Telegram delivers an update again when a webhook answer was not 2xx or a poller died
before confirming its offset. Each unit of work records its update together with the
replies it owes (catalogue keys and parameters, so they render the same later); the
replies are sent after commit and then marked sent. A redelivered update whose record
exists is not handled again: if its replies never went out (the process died, or
Telegram failed, between commit and sending), they are sent now. Answers still owed a
little later, whose update will not come again (a poller confirmed it), are sent by a job.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.delivery.failures import FailureKind, classify
from bot.language.i18n import Lines, Listing, Msg
from bot.transport.context import LaporContext
from handlers.render import Preferences, send_replies
from handlers.turn import Label, Reply
from storage import handled
from storage.models import Reporter

log = logging.getLogger(__name__)

# Telegram gives up on an update after about a day; records are kept a little longer.
KEEP_HANDLED = timedelta(days=3)
# A poller confirms its offset while it still handles updates, so an answer lost in a crash
# may never come back as a redelivery: a sweep sends it. It waits long enough for the
# process that committed the turn to have sent the answer itself.
OWED_AFTER = timedelta(seconds=10)
Owed = list[dict[str, Any]]


class RepliesNotSent(Exception):
    """The update's effect is committed but Telegram did not take its replies (yet).

    They stay stored; the webhook answers non-2xx so that Telegram delivers the update
    again, and the redelivery sends them. The citizen is not asked to repeat anything.
    """

    def __init__(self, update_id: int) -> None:
        super().__init__(f"the replies of update {update_id} are not sent yet")
        self.update_id = update_id


# --- what a unit of work owes, as JSON ----------------------------------------------------


def _encode(value: object) -> object:
    if isinstance(value, Msg):
        return {"key": value.key, "params": {k: _encode(v) for k, v in value.params.items()}}
    if isinstance(value, Listing):
        return {"listing": [_encode(label) for label in value.labels]}
    if isinstance(value, Lines):
        return {"lines": [_encode(item) for item in value.items]}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    # The translator renders any other parameter with str(), so the text is the same.
    return str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "key" in value:
            return Msg(value["key"], {k: _decode(v) for k, v in value["params"].items()})
        if "listing" in value:
            return Listing(tuple(_decode(label) for label in value["listing"]))
        if "lines" in value:
            return Lines(tuple(_decode(item) for item in value["lines"]))
    return value


def owed_replies(replies: Sequence[Reply], reporter: Reporter) -> Owed:
    """A turn's replies to a citizen, with how they want them, to store with its update."""
    return [
        {
            "locale": reporter.locale,
            "simple": bool(reporter.simple_mode),
            "voice": bool(reporter.voice_replies),
            "text": _encode(reply.text),
            "buttons": [[_encode(label) for label in row] for row in reply.buttons]
            if reply.buttons
            else None,
            "remove_keyboard": reply.remove_keyboard,
        }
        for reply in replies
    ]


def owed_answer(query_id: str, alert: str | None) -> Owed:
    """The answer to a button press (an alert when refused), to store with its update."""
    return [{"callback_query_id": query_id, "alert": alert}]


def _reply(entry: dict[str, Any]) -> Reply:
    buttons: tuple[tuple[Label, ...], ...] | None = (
        tuple(tuple(_decode(label) for label in row) for row in entry["buttons"])
        if entry["buttons"]
        else None
    )
    return Reply(_decode(entry["text"]), buttons, bool(entry["remove_keyboard"]))


# --- sending ----------------------------------------------------------------------------


async def _send(context: LaporContext, chat_id: int | None, owed: Owed) -> None:
    messages = [entry for entry in owed if "text" in entry]
    if messages and chat_id is not None:
        first = messages[0]
        t = context.services.locales.get(first["locale"])
        # The settings the citizen had when the turn committed, as stored with it.
        wants = Reporter(simple_mode=first["simple"], voice_replies=first["voice"])
        prefs = Preferences.of(wants, t, context.services.settings)
        await send_replies(context.bot, chat_id, [_reply(entry) for entry in messages], prefs)
    for entry in owed:
        if "callback_query_id" in entry:
            alert = entry["alert"]
            await context.bot.answer_callback_query(
                entry["callback_query_id"], alert, show_alert=alert is not None
            )


async def send_owed(context: LaporContext, update_id: int, chat_id: int | None, owed: Owed) -> None:
    """Send what a committed update owes, then mark it sent.

    A failure that may pass (network, 5xx, 429) raises RepliesNotSent and leaves the
    replies stored for a redelivery; one that will not (blocked, bad request) is final.
    """
    if not owed:
        return
    try:
        await _send(context, chat_id, owed)
    except TelegramError as error:
        if classify(error, citizen=True).kind in (FailureKind.TRANSIENT, FailureKind.FLOOD):
            raise RepliesNotSent(update_id) from error
        await _mark_sent(context, update_id)
        raise
    await _mark_sent(context, update_id)


async def _mark_sent(context: LaporContext, update_id: int) -> None:
    # With the ledger's next batch, not a transaction of its own.
    context.bot_data.ledger.replies_sent(update_id)


async def _claimed(context: LaporContext, update_id: int, seen_at: datetime) -> bool:
    services = context.services
    async with services.sessionmaker.begin() as session:
        return await handled.claim_one(session, update_id, seen_at, services.clock())


# --- the guard and the upkeep -----------------------------------------------------------


async def skip_handled(update: Update, context: LaporContext) -> None:
    """Stop an update handled before; send the replies it still owed."""
    first_seen = context.bot_data.first_seen
    if update.update_id in first_seen:
        first_seen.discard(update.update_id)
        return
    services = context.services
    async with services.sessionmaker() as session:
        record = await handled.find(session, update.update_id)
    if record is None:
        return
    if record.handled_at < services.clock() - KEEP_HANDLED:
        # Older than any redelivery: Telegram numbers updates afresh after a week of silence
        # (and a new emulator on an old database from 1), so this is another update.
        async with services.sessionmaker.begin() as session:
            await handled.forget(session, update.update_id)
        log.info("update %s reuses the number of one handled long ago", update.update_id)
        return
    log.info("update %s was delivered again; it was handled before", update.update_id)
    if not record.replies_sent and await _claimed(context, update.update_id, record.handled_at):
        try:
            await send_owed(context, update.update_id, record.chat_id, record.replies or [])
        except Exception as error:
            # Reported like a handler's error, but no later handler may run on this update.
            await context.application.process_error(update, error)
    raise ApplicationHandlerStop


async def send_owed_replies(context: LaporContext) -> None:
    """Job: send the answers of turns whose process died (or Telegram failed) after commit."""
    services = context.services
    async with services.sessionmaker.begin() as session:
        owed = await handled.claim_owed(session, services.clock(), OWED_AFTER)
    for record in owed:
        try:
            await send_owed(context, record.update_id, record.chat_id, record.replies)
        except RepliesNotSent:
            log.warning("the owed replies of update %s are not sent yet", record.update_id)
        except TelegramError as error:
            kind = type(error).__name__
            log.warning("the owed replies of update %s failed: %s", record.update_id, kind)
        else:
            log.info("sent the replies update %s still owed", record.update_id)


async def prune_handled(context: LaporContext) -> None:
    """Job: forget handled updates older than Telegram would ever deliver again."""
    services = context.services
    async with services.sessionmaker.begin() as session:
        removed = await handled.prune(session, services.clock() - KEEP_HANDLED)
    if removed:
        log.info("forgot %d handled updates", removed)
