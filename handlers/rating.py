"""Rating the answer after SELESAI: puas closes the report; tidak puas, with a reason,
reopens it while the dispute window is open."""

from __future__ import annotations

from bot.core.lifecycle import Status
from bot.core.tracking import format_code
from bot.core.transitions import Action, Role
from bot.workflow import changes
from handlers import home
from handlers.options import buttons, choices, listing, wrong_choice
from handlers.turn import Awaiting, Flow, Turn
from storage import reports
from storage.models import Report

# The same two options bot.notices lists when it first asks.
ANSWERS = ((True, "option.puas"), (False, "option.tidak_puas"))
REASON_MIN_CHARS = 5


async def _report(turn: Turn) -> Report | None:
    report_id = turn.reporter.context_report_id
    report = await reports.get(turn.session, report_id)
    if report is None or report.reporter_id != turn.reporter.id:
        return None
    return report


async def ask(turn: Turn) -> None:
    """Ask whether the citizen is satisfied with the answer."""
    report = await _report(turn)
    if report is None:
        home.show(turn)
        return
    turn.ask(
        "rating.ask", buttons(ANSWERS), code=format_code(report.code), options=listing(ANSWERS)
    )


async def answer(turn: Turn) -> None:
    """Puas closes the report; tidak puas asks for the reason."""
    report = await _report(turn)
    satisfied = turn.pick(choices(turn.services.locales, ANSWERS))
    if report is None:
        home.show(turn)
    elif satisfied is None:
        key, params = wrong_choice(len(ANSWERS))
        turn.problem(key, **params)
        await ask(turn)
    elif satisfied:
        report.rating = "puas"
        report.closed_at = report.closed_at or turn.now
        turn.reporter.context_report_id = None
        turn.say("rating.thanks", code=format_code(report.code))
        home.show(turn)
    else:
        turn.go(Awaiting.RATING_REASON)
        turn.ask("rating.ask_reason")


async def ask_reason(turn: Turn) -> None:
    """Repeat the question about what was not right."""
    turn.ask("rating.ask_reason")


async def answer_reason(turn: Turn) -> None:
    """Record the reason; within the window the report is followed up again."""
    report = await _report(turn)
    reason = turn.input.text.strip()
    if report is None:
        home.show(turn)
        return
    if len(reason) < REASON_MIN_CHARS:
        turn.problem("rating.reason_short")
        turn.ask("rating.ask_reason")
        return
    report.rating = "tidak_puas"
    report.rating_reason = reason
    turn.reporter.context_report_id = None
    code = format_code(report.code)
    open_window = report.closed_at is None and (
        report.deadline_at is None or turn.now <= report.deadline_at
    )
    if report.status is Status.SELESAI and open_window:
        # No Telegram id: the report links its reporter, and an anonim report's timeline
        # and audit log must not name them.
        citizen = changes.Actor(Role.CITIZEN)
        await changes.apply(
            turn.session, turn.services, report, Action.DISPUTE, citizen, now=turn.now, text=reason
        )
        turn.delivered()
        turn.say("rating.reopened", code=code)
    else:
        turn.say("rating.too_late", code=code)
    home.show(turn)


FLOW = Flow(ask=ask, answer=answer, back=home.back, cancel=home.back, help=lambda _: "help.rating")
REASON_FLOW = Flow(
    ask=ask_reason,
    answer=answer_reason,
    back=home.back,
    cancel=home.back,
    help=lambda _: "help.rating",
)
