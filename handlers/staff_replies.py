"""Staff replies to a card: relayed to the citizen, kept as a note, or a tagged action."""

from __future__ import annotations

from telegram import Message, Update

from bot.core import queues
from bot.core.outgoing import ChatTarget, Copy, Outgoing
from bot.core.tracking import format_code
from bot.core.transitions import Action, Role, TransitionRefused
from bot.language.accessibility import Finding
from bot.notify.cards import moved_to
from bot.notify.status_text import status_label
from bot.transport.context import LaporContext
from bot.workflow import changes, relays
from handlers.staff_access import StaffTurn, role_in, scope_of
from handlers.staff_text import Denial, hold_findings, refusal_text, relay_findings, relay_hint
from storage import handled, links, outbox
from storage import reports as report_store
from storage.models import Report

NOTE_TAG = "#catatan"
# A reply starting with one of these tags takes that action, its text told to the citizen.
ACTION_TAGS = {
    f"#{action.value}": action
    for action in (
        Action.HOLD,
        Action.NOT_OURS,
        Action.ARCHIVE,
        Action.START,
        Action.COMPLETE,
        Action.HAND_BACK,
    )
}


def _split_tag(text: str) -> tuple[str | None, str]:
    head, _, rest = text.strip().partition(" ")
    tag = head.casefold()
    if tag == NOTE_TAG or tag in ACTION_TAGS:
        return tag, rest.strip()
    return None, text.strip()


async def on_staff_reply(update: Update, context: LaporContext) -> None:
    """Handle a reply to one of our messages about a report in a staff chat."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.reply_to_message is None:
        return
    services = context.services
    scope = scope_of(services, message.chat_id)
    if scope is None:
        return
    async with services.sessionmaker.begin() as session:
        report_id = await links.report_for_staff_message(
            session, message.chat_id, message.reply_to_message.message_id
        )
        if report_id is None:
            return  # a reply to something that is not about a report
        report = await report_store.get(session, report_id)
        assert report is not None
        role = await role_in(context.bot, scope, user.id)
        actor = changes.Actor(role or Role.CITIZEN, user.id, message.chat_id, user.first_name)
        turn = StaffTurn(session, services, scope, actor, services.clock())
        refusal: str | None = None
        if role is None or not scope.covers(report):
            refusal = turn.refused(
                "reply", report, Denial.NOT_STAFF if role is None else Denial.OTHER_AGENCY
            )
        else:
            refusal = await _act(turn, report, message)
        if refusal is not None:  # a refusal, or a hint on how to write for screen readers
            here = ChatTarget(message.chat_id, message.message_thread_id)
            outbox.enqueue(
                session, here, Outgoing(text=refusal), purpose="staff_prompt", now=turn.now
            )
        await handled.record(
            session, update.update_id, chat_id=message.chat_id, replies=[], now=turn.now
        )
    context.bot_data.wake_dispatcher()


async def _act(turn: StaffTurn, report: Report, message: Message) -> str | None:
    """Keep a note, take a tagged action, or relay the reply.

    Returns what to tell the staff member: a refusal, or a hint when the relayed text
    breaks an accessibility rule (it is sent all the same: a warning, not a block).
    """
    session, services, actor, now = turn.session, turn.services, turn.actor, turn.now
    tag, text = _split_tag(message.text or message.caption or "")
    if tag == NOTE_TAG:
        changes.note_entry(session, report, actor, now=now, internal_note=text)
        changes.record(session, actor, "note", report, now=now)
        return None
    try:
        if tag is not None:
            action = ACTION_TAGS[tag]
            source = queues.queue_of(report)
            await changes.apply(
                session, services, report, action, actor, now=now, text=text or None, announced=True
            )
            moved = queues.queue_of(report) != source
            answer = await changed_answer(turn, report, action, text or None, moved=moved)
            return answer.text
        has_file = message.text is None
        # Relayed, audited, and a forwarded report's first answer starts the follow-up:
        # the same core the agencies' API answers through.
        reporter = await relays.agency_reply(
            session,
            services,
            report,
            text=text or None,
            copy=Copy(message.chat_id, message.message_id) if has_file else None,
            actor=actor,
            now=now,
            in_topic=True,
        )
    except relays.Unreadable:
        return turn.t("staff.reply_blank", code=format_code(report.code))
    except relays.NoReporter as nobody:
        return turn.refused("reply", report, nobody.reason)
    except TransitionRefused as refusal:
        return refusal_text(services, turn.t, refusal.reason.value, report)
    if not text:
        return None
    relayed = relays.relayed_text(services, report, reporter, text)
    return _hint(turn, report, relay_findings(relayed, reporter.locale, relay=True))


def _hint(turn: StaffTurn, report: Report, findings: list[Finding]) -> str | None:
    return relay_hint(turn.t, format_code(report.code), findings)


async def changed_answer(
    turn: StaffTurn, report: Report, action: Action, text: str | None, *, moved: bool
) -> Outgoing:
    """The answer to a change typed by a staff member (a command, a tagged reply), where
    they typed it: what changed and where the card is now; then, when the text told to the
    citizen would trip a screen reader, how to write it next time. The card's edit is not
    announced, so this is how they (and a screen reader) know it was done."""
    t = turn.t
    lines = [
        t(
            "staff.status_changed",
            code=format_code(report.code),
            label=t.render(status_label(turn.services, report)),
            actor=turn.actor.name or t("staff.system"),
        )
    ]
    if moved:
        lines.append(moved_to(turn.services, t, report))
    hint = await action_hint(turn, report, action, text) if text else None
    if hint and action is Action.HOLD:
        return Outgoing(text=hint)  # it says the report is held, and the reporter told
    if hint:
        lines.append(hint)
    return Outgoing(text="\n".join(lines))


async def action_hint(turn: StaffTurn, report: Report, action: Action, text: str) -> str | None:
    """How an action's text, told to the citizen, would trip a screen reader: checked in
    the language the citizen reads; a hold's text is the question they are asked."""
    reporter = await report_store.reporter_of(turn.session, report)
    locale = reporter.locale if reporter is not None else turn.services.settings.bot_locale
    hold = action is Action.HOLD
    found = hold_findings(text, locale) if hold else relay_findings(text, locale, relay=False)
    return relay_hint(turn.t, format_code(report.code), found, hold=hold)
