"""Presses on staff card buttons: checked, applied in one unit of work, answered aloud.

Every press is answered with an alert (`show_alert`), which screen readers read; a toast
would not be heard. A refusal says why; a change says the report's new status (and where
its card went), since the card itself is only edited and an edit is not announced. The
alert costs the staff group none of its 20 messages a minute.
"""

from __future__ import annotations

from telegram import CallbackQuery, Update

from bot.core import queues
from bot.core.lifecycle import Status
from bot.core.outgoing import Button, ChatTarget, Outgoing
from bot.core.tracking import format_code
from bot.core.transitions import Action, Role, TransitionRefused, check
from bot.notify.card_buttons import TEXT_ACTIONS, CallbackDataError, CardPress, decode
from bot.notify.cards import moved_to
from bot.notify.status_text import status_label
from bot.transport.context import LaporContext
from bot.workflow import changes
from handlers.redelivery import owed_answer, send_owed
from handlers.staff_access import StaffTurn, role_in, scope_of
from handlers.staff_text import Denial, refusal_text
from storage import handled, outbox
from storage import reports as report_store
from storage.errors import ReportNotFound
from storage.models import Report

# answerCallbackQuery's text: 0 to 200 characters.
ALERT_MAX = 200


async def on_card_press(update: Update, context: LaporContext) -> None:
    """Apply the action of a card button, or explain in an alert why not."""
    query = update.callback_query
    chat = update.effective_chat
    user = update.effective_user
    if query is None or chat is None or user is None:
        return
    services = context.services
    scope = scope_of(services, chat.id)
    role = await role_in(context.bot, scope, user.id) if scope else None
    actor = changes.Actor(role or Role.CITIZEN, user.id, chat.id, user.first_name)
    async with services.sessionmaker.begin() as session:
        if scope is None or role is None:
            changes.refuse(
                session, actor, "press", None, reason=Denial.NOT_STAFF, now=services.clock()
            )
            t = services.locales.get(services.settings.bot_locale)
            alert: str | None = t(f"staff.refused.{Denial.NOT_STAFF.value}")
        else:
            turn = StaffTurn(session, services, scope, actor, services.clock())
            alert = await _handle(turn, query)
        owed = owed_answer(query.id, alert)
        now = services.clock()
        await handled.record(session, update.update_id, chat_id=chat.id, replies=owed, now=now)
    context.bot_data.wake_dispatcher()
    await send_owed(context, update.update_id, chat.id, owed)


async def _handle(turn: StaffTurn, query: CallbackQuery) -> str | None:
    """Do what the press asks; the alert saying what came of it, or None when a new message
    answers (the list of agencies, how to give a text)."""
    try:
        press = decode(query.data or "")
    except CallbackDataError:
        return turn.refused("press", None, Denial.UNKNOWN_BUTTON)
    try:
        report = await report_store.by_code(turn.session, press.code)
    except ReportNotFound:
        return turn.refused("press", None, Denial.NOT_FOUND)
    if not turn.scope.covers(report):
        return turn.refused("press", report, Denial.OTHER_AGENCY)
    here = ChatTarget(turn.scope.chat_id, getattr(query.message, "message_thread_id", None))
    if press.action is None:
        _agency_choice(turn, report, here)
        return None
    if press.action in TEXT_ACTIONS:
        try:
            check(
                press.action,
                report.status,
                turn.actor.role,
                answerable=report.reporter_id is not None,
            )
        except TransitionRefused as refusal:
            return turn.refused(press.action.value, report, refusal.reason.value)
        text = turn.t(f"staff.how_to.{press.action.value}", code=format_code(report.code))
        prompt = Outgoing(text=text, under_card=True)
        outbox.enqueue(
            turn.session, here, prompt, purpose="staff_prompt", now=turn.now, report_id=report.id
        )
        return None
    source = queues.queue_of(report)
    try:
        await changes.apply(
            turn.session,
            turn.services,
            report,
            press.action,
            turn.actor,
            now=turn.now,
            agency=press.agency,
            announced=True,
        )
    except TransitionRefused as refusal:
        return refusal_text(turn.services, turn.t, refusal.reason.value, report)
    return _done(turn, report, moved=queues.queue_of(report) != source)


def _done(turn: StaffTurn, report: Report, *, moved: bool) -> str:
    """The alert after a change: the report's new status, and where its card is if it moved."""
    t = turn.t
    done = t(
        "card.done",
        code=format_code(report.code),
        label=t.render(status_label(turn.services, report)),
    )
    if not moved:
        return done
    where = " ".join((done, moved_to(turn.services, t, report)))
    # Telegram shows at most 200 characters in an alert; the status comes first.
    return where if len(where) <= ALERT_MAX else done


def _agency_choice(turn: StaffTurn, report: Report, here: ChatTarget) -> None:
    """Post the agencies to forward (or reassign) the report to, one button each."""
    services, t = turn.services, turn.t
    waiting = report.status is Status.MENUNGGU_VERIFIKASI or (
        report.status is Status.DITUNDA and report.reporter_id is None
    )
    action = Action.FORWARD if waiting else Action.REASSIGN
    buttons = tuple(
        (
            Button(
                t(f"card.button.{action.value}", agency=agency.short_name),
                CardPress(action, report.code, agency.key).encode(),
            ),
        )
        for agency in services.directory.agencies.values()
        if agency.key != report.agency or action is Action.FORWARD
    )
    text = t("staff.choose_agency", code=format_code(report.code))
    outbox.enqueue(
        turn.session,
        here,
        Outgoing(text=text, buttons=buttons),
        purpose="staff_prompt",
        now=turn.now,
        report_id=report.id,
    )
