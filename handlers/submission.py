"""Sending the finished draft: the report, its code spelled once, and what comes next."""

from __future__ import annotations

from bot.core.deadlines import VERIFY_DAYS
from bot.core.intake.steps import Step
from bot.core.tracking import format_code, spell_code
from bot.language.dates import format_date
from bot.workflow.filing import DraftIncomplete, submit_draft
from handlers import filing_questions as questions
from handlers.turn import Awaiting, Turn
from storage.models import Report


def verification_deadline(turn: Turn, report: Report) -> str:
    """The date by which verifiers must act, in the citizen's words."""
    calendar = turn.services.calendar
    deadline = report.deadline_at or calendar.add_working_days(report.created_at, VERIFY_DAYS)
    return format_date(calendar.local_date(deadline), turn.reporter.locale)


async def submit(turn: Turn) -> None:
    """Create the report from the draft and give the code, spelled once, and what is next."""
    draft = turn.reporter.draft
    assert draft is not None
    services = turn.services
    try:
        submitted = await submit_draft(turn.session, services, turn.reporter, draft, now=turn.now)
    except DraftIncomplete as missing:
        turn.say("filing.incomplete")
        draft.step = missing.step
        questions.ask(turn, Step(missing.step), questions.answers_of(draft))
        return
    report = submitted.report
    if submitted.created:
        turn.delivered()
    turn.say(
        "filing.submitted",
        code=format_code(report.code),
        spelled=spell_code(report.code),
        deadline=verification_deadline(turn, report),
    )
    turn.go(Awaiting.MENU)
    turn.ask("filing.after_submit")
