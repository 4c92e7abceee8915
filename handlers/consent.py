"""Consent to store personal data (UU 27/2022), asked before anything is stored."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import Services
from handlers import home
from handlers.options import buttons, choices, listing
from handlers.turn import Turn
from storage.reporters import Identity, create_with_consent

ANSWERS = ((True, "option.setuju"), (False, "option.tidak_setuju"))


def ask(turn: Turn) -> None:
    """Explain what is stored and ask for consent."""
    turn.ask("consent.ask", buttons(ANSWERS), options=listing(ANSWERS), **turn.city())


async def answer(session: AsyncSession, services: Services, who: Identity, turn: Turn) -> None:
    """Store the person only once they agree; otherwise point to other channels."""
    agreed = turn.pick(choices(services.locales, ANSWERS))
    if agreed:
        locale = services.settings.bot_locale
        turn.reporter = await create_with_consent(session, who, locale, turn.now)
        turn.say("consent.thanks")
        home.show(turn)
    elif agreed is False:
        turn.say("consent.declined", **turn.city())
    else:
        ask(turn)
