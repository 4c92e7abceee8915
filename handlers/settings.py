"""Pengaturan: the citizen's language, kept on their record."""

from __future__ import annotations

from bot.choices import pick
from handlers import home
from handlers.options import buttons, choices, listing
from handlers.turn import Context, Flow, Turn

LANGUAGES = (("id", "option.bahasa_id"), ("en", "option.bahasa_en"))


async def ask(turn: Turn) -> None:
    """Ask which language the bot should use."""
    turn.go(Context.SETTINGS)
    turn.ask("settings.ask", buttons(LANGUAGES), options=listing(LANGUAGES))


async def answer(turn: Turn) -> None:
    """Switch language; the confirmation and menu come in the new one."""
    chosen = pick(turn.input.text, choices(turn.services.locales, LANGUAGES))
    if chosen is None:
        turn.problem("error.choice", count=len(LANGUAGES))
        await ask(turn)
        return
    turn.reporter.locale = chosen
    turn.say("settings.saved")
    home.show(turn)


FLOW = Flow(
    ask=ask, answer=answer, back=home.back, cancel=home.back, help=lambda _: "help.settings"
)
