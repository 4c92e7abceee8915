"""Typed staff commands: the equivalent of every card button, and the queue, a report, search."""

from __future__ import annotations

from datetime import datetime

from telegram import Update

from bot.core import queues
from bot.core.lifecycle import OPEN_STATUSES
from bot.core.outgoing import ChatTarget, Outgoing
from bot.core.tracking import format_code
from bot.core.transitions import (
    JOINING_ACTIONS,
    NEEDS_TEXT,
    SYSTEM_ACTIONS,
    Action,
    TransitionRefused,
)
from bot.language.dates import format_date, format_time
from bot.language.i18n import Translator
from bot.notify.cards import card_text, citizen_text
from bot.notify.status_text import timeline_label
from bot.services import Services
from bot.transport.context import LaporContext
from bot.workflow import changes
from handlers import staff_bar, staff_duplicates
from handlers.staff_access import StaffTurn, command_name, read_command, scope_of
from handlers.staff_replies import changed_answer
from handlers.staff_text import Denial, refusal_text
from storage import counter as counter_store
from storage import handled, outbox
from storage import reports as report_store
from storage.models import Report

# Actions citizens take are not staff commands.
ACTION_COMMANDS = tuple(
    a.value
    for a in Action
    if a not in (Action.SUPPLY, Action.DISPUTE, *SYSTEM_ACTIONS, *JOINING_ACTIONS)
)
QUERY_COMMANDS = ("laporan", "antrean", "cari")
LISTED = 20


async def on_staff_command(update: Update, context: LaporContext) -> None:
    """Run a staff command and answer in the same topic."""
    typed = await read_command(update, context)
    if typed is None:
        return
    services = context.services
    message, scope, command, words = typed.message, typed.scope, typed.command, typed.words
    role, actor = typed.role, typed.actor
    async with services.sessionmaker.begin() as session:
        turn = StaffTurn(session, services, scope, actor, services.clock())
        if role is None:
            answer: Outgoing | None = Outgoing(text=turn.refused(command, None, Denial.NOT_STAFF))
        elif command in QUERY_COMMANDS:
            answer = await _query(turn, command, words)
        elif command in staff_bar.COMMANDS:
            answer = await staff_bar.run(turn, command, words)
        elif command in staff_duplicates.COMMANDS:
            answer = await staff_duplicates.run(turn, words)
        else:
            answer = await _action(turn, command, words)
        if answer is not None:
            here = ChatTarget(message.chat_id, message.message_thread_id)
            outbox.enqueue(session, here, answer, purpose="staff_prompt", now=turn.now)
        await handled.record(
            session, update.update_id, chat_id=message.chat_id, replies=[], now=turn.now
        )
    context.bot_data.wake_dispatcher()


async def on_edited_command(update: Update, context: LaporContext) -> None:
    """An edited command is not run again (it may have run already); say so in the topic."""
    message = update.effective_message
    if message is None or scope_of(context.services, message.chat_id) is None:
        return
    command = command_name(message.text or "")
    known = (*ACTION_COMMANDS, *QUERY_COMMANDS, *staff_bar.COMMANDS, *staff_duplicates.COMMANDS)
    if command not in known:
        return
    services = context.services
    t = services.locales.get(services.settings.bot_locale)
    async with services.sessionmaker.begin() as session:
        here = ChatTarget(message.chat_id, message.message_thread_id)
        edited = Outgoing(text=t("staff.edited"))
        outbox.enqueue(session, here, edited, purpose="staff_prompt", now=services.clock())
    context.bot_data.wake_dispatcher()


async def _action(turn: StaffTurn, command: str, words: list[str]) -> Outgoing | None:
    """Apply the action a command names to the report whose code follows it."""
    action = Action(command)
    t = turn.t
    report = await turn.named_report(command, words)
    if report is None:
        return Outgoing(text=t(f"staff.usage.{command}"))
    rest = words[1:]
    agency: str | None = None
    if action in (Action.FORWARD, Action.REASSIGN):
        agency = (
            rest[0].casefold() if rest else (report.agency if action is Action.FORWARD else None)
        )
        rest = rest[1:]
    text = " ".join(rest) or None
    source = queues.queue_of(report)
    try:
        await changes.apply(
            turn.session,
            turn.services,
            report,
            action,
            turn.actor,
            now=turn.now,
            text=text,
            agency=agency,
            announced=True,
        )
    except TransitionRefused as refusal:
        reason = refusal.reason.value
        if action in NEEDS_TEXT and reason == "needs_text":
            return Outgoing(text=t(f"staff.usage.{command}"))
        return Outgoing(text=refusal_text(turn.services, t, reason, report))
    moved = queues.queue_of(report) != source
    return await changed_answer(turn, report, action, text, moved=moved)


async def _query(turn: StaffTurn, command: str, words: list[str]) -> Outgoing:
    """A report with its timeline, the queue, or a search, as one message."""
    session, services, scope, t, now = turn.session, turn.services, turn.scope, turn.t, turn.now
    if command == "laporan":
        report = await turn.named_report(command, words)
        if report is None:
            return Outgoing(text=t("staff.usage.laporan"))
        reporter = await report_store.reporter_of(session, report)
        events = await report_store.timeline(session, report.id)
        tz = services.settings.timezone
        locale = services.settings.bot_locale
        walk_in = await counter_store.walk_in_of(session, report)
        lines = [card_text(services, report, reporter, walk_in), t("staff.timeline")]
        lines += [
            t(
                "staff.timeline_entry",
                date=format_date(event.at.astimezone(tz).date(), locale),
                time=format_time(event.at, tz, locale),
                label=t.render(timeline_label(event, staff=True)),
                text=_quoted(event.public_text or event.internal_note),
            )
            for event in events
        ]
        return Outgoing(text="\n".join(lines), html=True)
    if command == "antrean":
        agency = (words[0].casefold() if words else None) or scope.agency
        if scope.agency not in (None, agency):
            # Another agency's queue is answered as one with nothing in it.
            turn.refused(command, None, Denial.OTHER_AGENCY)
            return Outgoing(text=t("staff.queue_empty"))
        statuses = OPEN_STATUSES if scope.statuses is None else OPEN_STATUSES & scope.statuses
        reports = await report_store.open_queue(session, agency, tuple(statuses), LISTED)
        if not reports:
            return Outgoing(text=t("staff.queue_empty"))
        return Outgoing(
            text="\n".join([t("staff.queue"), *(_line(services, r, t, now) for r in reports)])
        )
    found = (
        await report_store.search(session, words, scope.agency, LISTED, statuses=scope.statuses)
        if words
        else []
    )
    if not found:
        return Outgoing(text=t("staff.search_empty"))
    return Outgoing(
        text="\n".join([t("staff.search"), *(_line(services, r, t, now) for r in found)])
    )


def _quoted(text: str | None) -> str:
    """Someone's own words in a timeline, set apart from the bot's (bot.cards.citizen_text)."""
    return citizen_text(text) if text else ""


def _line(services: Services, report: Report, t: Translator, now: datetime) -> str:
    """One report in a list: code, category, status and the time left or overdue."""
    agency = services.directory.unit(report.agency)
    label = t(report.status.label_key, agency=agency.short_name if agency else report.agency)
    category = services.directory.category(report.category).label(services.settings.bot_locale)
    if report.deadline_at is None:
        left = t("staff.no_deadline")
    else:
        days = services.calendar.working_days_between(now, report.deadline_at)
        left = t("staff.days_left", days=days) if days >= 0 else t("staff.days_late", days=-days)
    return t(
        "staff.queue_line", code=format_code(report.code), category=category, label=label, left=left
    )
