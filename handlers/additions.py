"""A citizen's reply to one of our messages about a report: more information for the staff.

Answering a held report this way also sends it back to verification.
"""

from __future__ import annotations

from bot.core.lifecycle import Status
from bot.core.outgoing import Copy
from bot.core.tracking import format_code
from bot.core.transitions import Action, Role
from bot.workflow import changes, relays
from handlers.inputs import InputKind
from handlers.turn import Awaiting, Turn
from storage.models import Report


async def add(turn: Turn, report: Report, chat_id: int, message_id: int) -> None:
    """Pass the citizen's text or file to the staff under the report's card."""
    sent = turn.input
    if sent.kind is InputKind.OTHER:
        turn.say("error.unsupported")
        return
    copy = None if sent.kind is InputKind.TEXT else Copy(chat_id, message_id)
    text = sent.text.strip() or None
    # No Telegram id: the report links its reporter, and an anonim report's timeline
    # and audit log must not name them.
    citizen = changes.Actor(Role.CITIZEN)
    await relays.citizen_addition(
        turn.session,
        turn.services,
        report,
        text=text,
        copy=copy,
        citizen=citizen,
        now=turn.now,
        file=sent.file,
    )
    if report.status is Status.DITUNDA:
        await changes.apply(
            turn.session,
            turn.services,
            report,
            Action.SUPPLY,
            citizen,
            now=turn.now,
            text=text or turn.services.locales.get(turn.reporter.locale)("addition.file_only"),
            # What they added is under the card already: it is the staff's notice.
            announced=True,
        )
    turn.delivered()
    if turn.reporter.context == Awaiting.ANSWER and turn.reporter.context_report_id == report.id:
        turn.go(Awaiting.MENU)  # answered by quoting the question: nothing more is awaited
        turn.reporter.context_report_id = None
    code = format_code(report.code)
    if sent.kind is InputKind.VOICE and sent.file is not None:
        # Said in words, with its length, so the citizen hears what was passed on.
        turn.say("addition.received_voice", code=code, seconds=sent.file.duration or 0)
    else:
        turn.say("addition.received", code=code)
