"""The citizen's private chat: one message in, one unit of work, replies out.

The flow a message belongs to is read from the database (the reporter's context and
draft), not from python-telegram-bot's in-memory conversation state, so a restart or a
second instance continues exactly where the citizen was.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError
from telegram import Message, Update

from bot.transport.context import LaporContext
from handlers import (
    additions,
    answer,
    claim,
    consent,
    erase,
    filing_flow,
    follow,
    followup,
    guard,
    home,
    menu,
    preferences,
    rating,
)
from handlers.inputs import Input, InputKind, read_input
from handlers.redelivery import RepliesNotSent, owed_replies, send_owed
from handlers.render import send_replies
from handlers.turn import Awaiting, Flow, Turn, TurnStep
from storage import handled, links, reporters, reports
from storage.models import Report, Reporter
from storage.reporters import Identity

log = logging.getLogger(__name__)

FLOWS: dict[str, Flow] = {
    Awaiting.MENU: menu.FLOW,
    Awaiting.FILING: filing_flow.FLOW,
    Awaiting.CANCEL: filing_flow.CANCEL_FLOW,
    Awaiting.CHECK_STATUS: followup.FLOW,
    Awaiting.MY_REPORTS: followup.MINE_FLOW,
    Awaiting.SETTINGS: preferences.FLOW,
    Awaiting.RATING: rating.FLOW,
    Awaiting.RATING_REASON: rating.REASON_FLOW,
    Awaiting.ANSWER: answer.FLOW,
    Awaiting.ERASE: erase.FLOW,
    Awaiting.CLAIM: claim.FLOW,
    Awaiting.CLAIM_PIN: claim.PIN_FLOW,
    Awaiting.FOLLOWING: follow.FLOW,
}
# Words that work at every step, with or without a slash (ACCESSIBILITY.md rule 2).
UNIVERSAL = (
    "word.menu",
    "word.start",
    "word.bantuan",
    "word.ulang",
    "word.kembali",
    "word.batal",
    "word.lanjut",
    "word.pengaturan",
    "word.hapusdata",
)
# Services of the menu that work at every open question, by their labels and words.
SERVICES = ("menu.option.cek", "menu.option.saya")
# A lost race with another process on the same draft is retried once, from fresh state.
ATTEMPTS = 2


def _identity(update: Update) -> Identity:
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    return Identity(user.id, chat.id, user.first_name, user.last_name, user.username)


async def on_private_message(update: Update, context: LaporContext) -> None:
    """Answer a citizen's message from the state stored for them."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    sent = read_input(message)
    who = _identity(update)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with services.sessionmaker.begin() as session:
                if attempt > 1 and await handled.find(session, update.update_id):
                    return  # the race was with another process handling this very update
                now = services.clock()
                reporter = await reporters.find(session, who)
                turn = Turn(
                    session,
                    services,
                    reporter or reporters.stranger(services.settings.bot_locale),
                    sent,
                    now,
                )
                if reporter is None and turn.said("word.hapusdata"):
                    erase.nothing(turn)
                elif reporter is None:
                    await consent.answer(session, services, who, turn)
                elif not await guard.admit(turn):
                    pass  # barred or flooding: the one notice due, if any, is on the turn
                elif (odd := guard.odd_input(turn, message.date)) is not None:
                    turn.problem(odd.key, **odd.params)
                    await _flow(turn).ask(turn)
                elif (report := await _replied_report(session, message, reporter)) is not None:
                    await additions.add(turn, report, who.chat_id, message.message_id)
                else:
                    await route(turn)
                owed = owed_replies(turn.replies, turn.reporter)
                await handled.record(
                    session, update.update_id, chat_id=who.chat_id, replies=owed, now=now
                )
            break
        except (StaleDataError, IntegrityError):
            if attempt == ATTEMPTS:
                raise
            log.info("retrying a message that lost a race on its draft")
    if turn.outbox_written:
        context.bot_data.wake_dispatcher()
    await send_owed(context, update.update_id, who.chat_id, owed)


async def _replied_report(
    session: AsyncSession, message: Message, reporter: Reporter
) -> Report | None:
    """The citizen's own report that the message replies to (a notice or a staff reply)."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return None
    report_id = await links.report_for_citizen_message(session, message.chat_id, replied.message_id)
    report = await reports.get(session, report_id)
    return report if report is not None and report.reporter_id == reporter.id else None


def _universal(turn: Turn) -> str | None:
    """The universal word typed, alone or as a command with words after it ("/start xyz")."""
    if turn.input.kind is not InputKind.TEXT:
        return None
    found = next((key for key in UNIVERSAL if turn.said(key)), None)
    command = turn.input.command
    if found is None and command is not None:
        bare = replace(turn, input=Input(InputKind.TEXT, command))
        found = next((key for key in UNIVERSAL if bare.said(key)), None)
    return found


def _flow(turn: Turn) -> Flow:
    """The flow whose question the citizen's next message answers."""
    context = turn.reporter.context
    if context in (Awaiting.FILING, Awaiting.CANCEL) and turn.reporter.draft is None:
        context = Awaiting.MENU  # the draft expired or was sent from elsewhere
    return FLOWS.get(context, menu.FLOW)


async def route(turn: Turn) -> None:
    """Handle the universal words, then give the message to the flow it answers."""
    flow = _flow(turn)
    if flow.own_words and turn.said(*flow.own_words):
        await flow.answer(turn)
        return
    match _universal(turn):
        case "word.menu" | "word.start":
            home.show(turn)
        case "word.ulang":
            await flow.ask(turn)
        case "word.bantuan":
            turn.say(flow.help(turn))
            turn.say("help.other_ways", **turn.city())
            await flow.ask(turn)
        case "word.kembali":
            await flow.back(turn)
        case "word.batal":
            await flow.cancel(turn)
        case "word.lanjut" if turn.reporter.draft is not None:
            await filing_flow.start(turn)
        case "word.pengaturan":
            await preferences.ask(turn)
        case "word.hapusdata":
            await erase.start(turn)
        case _ if (service := _service(turn)) is not None:
            _leave(turn)
            await service(turn)
        case _:
            await flow.answer(turn)


def _service(turn: Turn) -> TurnStep | None:
    """ "Cek status" or "laporan saya" typed at any open question (the menu reads its own)."""
    if turn.reporter.context == Awaiting.MENU or turn.input.kind is not InputKind.TEXT:
        return None
    if turn.said(*SERVICES):
        return followup.ask if turn.said(SERVICES[0]) else followup.list_mine
    return None


def _leave(turn: Turn) -> None:
    """Leaving a question for another service: a report being filed is kept, and said so."""
    if turn.reporter.context in (Awaiting.FILING, Awaiting.CANCEL) and turn.reporter.draft:
        turn.say("filing.kept_as_draft")
    turn.go(Awaiting.MENU)


async def on_edited(update: Update, context: LaporContext) -> None:
    """An edited message is not re-read; say so, so the citizen sends a new one."""
    message = update.effective_message
    if message is None or message.location is not None:
        return  # a shared live location moving on the map: nothing was said
    services = context.services
    who = _identity(update)
    async with services.sessionmaker.begin() as session:
        reporter = await reporters.find(session, who)
        stranger = reporters.stranger(services.settings.bot_locale)
        turn = Turn(session, services, reporter or stranger, read_input(message), services.clock())
        if reporter is None or await guard.admit(turn):
            turn.say("error.edited")
    t = services.locales.get(turn.reporter.locale)
    await send_replies(context.bot, who.chat_id, turn.replies, t)


async def on_error(update: object, context: LaporContext) -> None:
    """Log the failure without message text, and tell a citizen to try again."""
    if isinstance(context.error, RepliesNotSent):
        # The answer is stored and goes out when Telegram delivers the update again.
        log.warning("%s", context.error)
        return
    log.error("update handling failed: %s", type(context.error).__name__, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return
    t = context.services.locales.get(context.services.settings.bot_locale)
    try:
        await context.bot.send_message(update.effective_chat.id, t("error.internal"))
    except Exception:
        log.warning("could not send the apology for a failed update")
