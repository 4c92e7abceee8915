"""Barring a citizen from the staff group, by the code of one of their reports.

Staff never see an anonymous reporter's identity, so they act on "the reporter of report
726-4185". Barring is a city-level decision: only administrators of the main staff group
may do it (an agency's own group has no administrators in this sense). Every attempt is
written to the audit log, with the reason.
"""

from __future__ import annotations

from bot.core.outgoing import Outgoing
from bot.core.tracking import format_code
from bot.core.transitions import Refusal, Role
from bot.workflow import changes
from handlers.inputs import clean
from handlers.staff_access import StaffTurn
from handlers.staff_text import Denial
from storage import audit, reporters
from storage import reports as report_store
from storage.models import Report

BAR, UNBAR = "blokir", "bukablokir"
COMMANDS = (BAR, UNBAR)
# The audit log's detail column holds the reason; it has room for 256 characters.
REASON_MAX = 200
# Audit reasons of the refusals only these commands have.
TOO_LONG, NOT_BARRED = "reason_too_long", "not_barred"


def _audit(turn: StaffTurn, command: str, report: Report, detail: str | None) -> None:
    audit.record(
        turn.session,
        at=turn.now,
        actor_user_id=turn.actor.user_id,
        chat_id=turn.actor.chat_id,
        action=command,
        report_id=report.id,
        allowed=True,
        detail=detail,
    )


async def run(turn: StaffTurn, command: str, words: list[str]) -> Outgoing:
    """Bar or unbar the reporter of the report named by code; the answer for the staff."""
    t = turn.t
    usage = "staff.usage.blokir" if command == BAR else "staff.usage.bukablokir"
    report = await turn.named_report(command, words)
    if report is None:
        return Outgoing(text=t(usage))
    code = format_code(report.code)
    if turn.actor.role is not Role.ADMIN:
        return Outgoing(text=turn.refused(command, report, Refusal.NOT_ALLOWED.value))
    reason = " ".join(clean(" ".join(words[1:])).split())
    if command == BAR and not reason:
        turn.refused(command, report, Refusal.NEEDS_TEXT.value)
        return Outgoing(text=t(usage))
    if len(reason) > REASON_MAX:
        changes.refuse(turn.session, turn.actor, command, report, reason=TOO_LONG, now=turn.now)
        return Outgoing(text=t("staff.bar.reason_long", max=REASON_MAX))
    reporter = await report_store.reporter_of(turn.session, report)
    if reporter is None:
        turn.refused(command, report, Denial.NO_REPORTER)
        return Outgoing(text=t("staff.bar.no_reporter", code=code))
    if command == BAR:
        reporters.bar(reporter, reason, turn.now)
        _audit(turn, command, report, reason)
        return Outgoing(text=t("staff.bar.done", code=code, text=reason))
    if reporter.barred_at is None:
        changes.refuse(turn.session, turn.actor, command, report, reason=NOT_BARRED, now=turn.now)
        return Outgoing(text=t("staff.bar.not_barred", code=code))
    reporters.unbar(reporter)
    _audit(turn, command, report, reason or None)
    return Outgoing(text=t("staff.bar.lifted", code=code))
