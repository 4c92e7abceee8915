"""The main menu's answers: make a report, check a status, my reports, help, preferences."""

from __future__ import annotations

from bot.core.tracking import CodeError, parse_code
from bot.language.choices import pick
from handlers import claim, filing_flow, followup, home, preferences
from handlers.options import choices
from handlers.turn import Flow, Turn


async def ask(turn: Turn) -> None:
    """Repeat the menu."""
    home.show(turn)


async def answer(turn: Turn) -> None:
    """Open the chosen service; a tracking code typed here shows that report at once."""
    choice = pick(turn.input.text, choices(turn.services.locales, home.ITEMS))
    if choice is None and (attempt := claim.typed_claim(turn)) is not None:
        await claim.attempt_claim(turn, attempt)
        return
    if choice is None and turn.input.word:
        try:
            code = parse_code(turn.input.text)
        except CodeError:
            pass
        else:
            await followup.show_status(turn, code)
            return
    match choice:
        case "new":
            await filing_flow.start(turn)
        case "status":
            await followup.ask(turn)
        case "mine":
            await followup.list_mine(turn)
        case "help":
            turn.say("help.menu")
            turn.say("help.other_ways", **turn.city())
            home.show(turn)
        case "settings":
            await preferences.ask(turn)
        case "claim":
            await claim.ask(turn)
        case _ if turn.said("option.kirim"):
            # A second press of "Kirim" after the report went: say where it went.
            await followup.already_sent(turn)
        case _:
            turn.problem("error.menu", count=len(home.ITEMS))
            home.show(turn)


FLOW = Flow(ask=ask, answer=answer, back=home.back, cancel=home.back, help=lambda _: "help.menu")
