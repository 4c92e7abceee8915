"""Claiming a report filed at a counter: the citizen types its code and the receipt's PIN.

From the menu ("Klaim laporan dari loket") the code is asked, then the PIN; code and PIN
typed together in one message work there, at the menu and in "cek status" too. Whatever
was wrong (a code no report has, a wrong PIN) gets the same answer, so nobody learns which
codes exist; the workflow counts and audits every refusal.
"""

from __future__ import annotations

from bot.core.claims import ClaimAttempt, PinError, Verdict, parse_pin, read_claim
from bot.core.conversation import Awaiting
from bot.core.lifecycle import Status
from bot.core.tracking import CodeError, TrackingCode, format_code, parse_code
from bot.language.accessibility import questions
from bot.notify import notices
from bot.workflow import claiming
from handlers import home, rating
from handlers.turn import Flow, Turn
from storage import reports
from storage.models import Report

# What a refusal that ends the claim says (a wrong code or PIN asks again instead).
REFUSALS = {
    Verdict.USED: "claim.used_pin",
    Verdict.LOCKED: "claim.locked_pin",
    Verdict.LIMITED: "claim.too_many_claims",
}


async def ask(turn: Turn) -> None:
    """Ask for the code on the receipt (or the code and PIN at once)."""
    turn.go(Awaiting.CLAIM)
    turn.ask("claim.ask")


async def ask_pin(turn: Turn) -> None:
    """Ask for the PIN on the receipt."""
    turn.ask("claim.ask_pin")


def _explain(turn: Turn, error: CodeError) -> None:
    if error.reason == "check_digit":
        digits = "".join(ch for ch in turn.input.text if ch.isdigit())[:7]
        turn.problem("status.check_digit", code=f"{digits[:3]}-{digits[3:]}")
    else:
        turn.problem("claim.bad_code")


async def answer(turn: Turn) -> None:
    """A code (then the PIN is asked) or a code and its PIN."""
    try:
        attempt = read_claim(turn.input.text)
        code = attempt.code if attempt is not None else parse_code(turn.input.text)
    except CodeError as error:
        _explain(turn, error)
        await ask(turn)
        return
    if attempt is not None:
        await attempt_claim(turn, attempt)
        return
    # Kept only when a report has the code, so the PIN can be checked against it; the
    # question that follows is the same either way.
    report = await reports.by_code_or_none(turn.session, code)
    turn.reporter.context_report_id = report.id if report is not None else None
    turn.go(Awaiting.CLAIM_PIN)
    turn.solved()
    await ask_pin(turn)


async def answer_pin(turn: Turn) -> None:
    """The PIN for the code typed before."""
    try:
        pin = parse_pin(turn.input.text)
    except PinError:
        turn.problem("claim.bad_pin")
        await ask_pin(turn)
        return
    report = await reports.get(turn.session, turn.reporter.context_report_id)
    turn.reporter.context_report_id = None
    await attempt_claim(
        turn, ClaimAttempt(TrackingCode(report.code), pin) if report is not None else pin
    )


async def attempt_claim(turn: Turn, attempt: ClaimAttempt | str) -> None:
    """Claim with a code and PIN, and say what came of it."""
    assert turn.reporter.telegram_user_id is not None
    claimed = await claiming.claim(
        turn.session,
        turn.services,
        turn.reporter,
        attempt,
        user_id=turn.reporter.telegram_user_id,
        now=turn.now,
    )
    report = claimed.report
    match claimed.verdict:
        case Verdict.CLAIMED if report is not None:
            turn.delivered()
            turn.solved()
            turn.say("claim.done", code=format_code(report.code))
            await _carry_on(turn, report)
        case Verdict.USED if claimed.already_theirs and report is not None:
            turn.say("claim.mine", code=format_code(report.code))
            await _carry_on(turn, report)
        case Verdict.WRONG:
            turn.problem("claim.wrong")
            await ask(turn)
        case verdict:
            turn.say(REFUSALS[verdict], **turn.city())
            home.show(turn)


async def _carry_on(turn: Turn, report: Report) -> None:
    """The report's status, then what it waits for from the citizen, if anything."""
    line = notices.status_line(turn.services, report, turn.reporter.locale)
    turn.say(line.key, **line.params)
    if report.status is Status.DITUNDA:
        question = await reports.hold_question(turn.session, report.id)
        turn.go(Awaiting.ANSWER)
        turn.reporter.context_report_id = report.id
        if question and questions(question):
            turn.say("answer.how")
            turn.ask("notice.officer_asks", text=question)
        else:
            if question:
                turn.say("notice.officer_says", text=question)
            turn.ask("answer.ask")
    elif report.status is Status.SELESAI and report.rating is None and report.closed_at is None:
        turn.go(Awaiting.RATING)
        turn.reporter.context_report_id = report.id
        await rating.ask(turn)
    else:
        home.show(turn)


def typed_claim(turn: Turn) -> ClaimAttempt | None:
    """A code and PIN typed together where a code alone was expected, else None."""
    try:
        return read_claim(turn.input.text)
    except CodeError:
        return None


FLOW = Flow(ask=ask, answer=answer, back=home.back, cancel=home.back, help=lambda _: "help.claim")
PIN_FLOW = Flow(
    ask=ask_pin, answer=answer_pin, back=ask, cancel=home.back, help=lambda _: "help.claim"
)
