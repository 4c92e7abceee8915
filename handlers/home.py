"""The main menu's question, shown from every flow (kept apart so flows need not import
the menu's answers, which lead into the flows)."""

from __future__ import annotations

from bot.core.intake.steps import TOTAL, Step
from handlers.options import buttons, listing
from handlers.turn import Awaiting, Turn

ITEMS = (
    ("new", "menu.option.buat"),
    ("status", "menu.option.cek"),
    ("mine", "menu.option.saya"),
    ("help", "menu.option.bantuan"),
    ("settings", "menu.option.pengaturan"),
    # Last, so the numbers of the others stay as people learned them.
    ("claim", "menu.option.klaim"),
)


def show(turn: Turn) -> None:
    """Show the menu, mentioning a draft that waits to be finished."""
    if turn.on_behalf is not None:
        turn.on_behalf.home(turn)  # a counter desk has its own way back
        return
    turn.go(Awaiting.MENU)
    draft = turn.reporter.draft
    if draft is not None:
        turn.say("menu.draft_waiting", step=Step(draft.step).number, total=TOTAL)
    turn.ask("menu.ask", buttons(ITEMS), options=listing(ITEMS), **turn.city())


async def back(turn: Turn) -> None:
    """Back (or cancel) from a flow that has nothing to undo: the menu."""
    show(turn)
