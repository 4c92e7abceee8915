"""Answering the staff's question on a held report by typing (or a voice note) alone.

Quoting the staff's message works too (handlers.additions), but a screen reader user
should not need Telegram's reply gesture: the notice asks, the next message answers.
"""

from __future__ import annotations

from bot.core.tracking import format_code
from handlers import additions, home
from handlers.inputs import InputKind
from handlers.turn import Awaiting, Flow, Turn
from storage import reports
from storage.models import Report


async def _report(turn: Turn) -> Report | None:
    report = await reports.get(turn.session, turn.reporter.context_report_id)
    if report is None or report.reporter_id != turn.reporter.id:
        return None
    return report


async def ask(turn: Turn) -> None:
    """Repeat the question: which report, and that the next message is the answer."""
    report = await _report(turn)
    if report is None:
        home.show(turn)
        return
    turn.ask("answer.ask_again", code=format_code(report.code))


async def answer(turn: Turn) -> None:
    """Pass the answer to the staff, then back to the menu."""
    if turn.input.kind is InputKind.OTHER:
        turn.problem("error.unsupported")
        await ask(turn)
        return
    report = await _report(turn)
    turn.reporter.context_report_id = None
    if report is not None:
        await additions.add(turn, report, turn.input.chat_id, turn.input.message_id)
    turn.go(Awaiting.MENU)
    home.show(turn)


async def leave(turn: Turn) -> None:
    """Batal, kembali or menu: no answer now; quoting the notice still works later."""
    turn.reporter.context_report_id = None
    home.show(turn)


FLOW = Flow(ask=ask, answer=answer, back=leave, cancel=leave, help=lambda _: "help.answer")
