"""Pengaturan: language, simple mode and spoken replies, kept on the citizen's record.

Reached from the menu (its item, or "bahasa") and, from anywhere, by typing pengaturan
or /pengaturan. One numbered list holds every setting, so each is one answer away.
"""

from __future__ import annotations

from bot.language import speech
from bot.language.i18n import Msg
from handlers import home
from handlers.options import buttons, choices, listing, wrong_choice
from handlers.turn import Awaiting, Flow, Turn

LANGUAGES = (("id", "option.bahasa_id"), ("en", "option.bahasa_en"))
ITEMS = (*LANGUAGES, ("simple", "option.mode_sederhana"), ("voice", "option.balasan_suara"))


def _state(on: bool) -> Msg:
    return Msg("settings.on" if on else "settings.off")


async def ask(turn: Turn) -> None:
    """Say how things are set now and ask what to change."""
    turn.go(Awaiting.SETTINGS)
    reporter = turn.reporter
    can_speak = speech.tools(turn.services.settings).can_speak
    turn.ask(
        "settings.ask",
        buttons(ITEMS),
        options=listing(ITEMS),
        language=Msg(dict(LANGUAGES).get(reporter.locale, "option.bahasa_id")),
        simple=_state(reporter.simple_mode),
        voice=_state(reporter.voice_replies) if can_speak else Msg("settings.unavailable"),
    )


async def answer(turn: Turn) -> None:
    """Change the chosen setting; the confirmation and the menu come as now set."""
    chosen = turn.pick(choices(turn.services.locales, ITEMS))
    reporter = turn.reporter
    match chosen:
        case "simple":
            reporter.simple_mode = not reporter.simple_mode
            turn.say("settings.simple_on" if reporter.simple_mode else "settings.simple_off")
        case "voice":
            if not speech.tools(turn.services.settings).can_speak:
                reporter.voice_replies = False
                turn.say("settings.voice_unavailable")
            else:
                reporter.voice_replies = not reporter.voice_replies
                turn.say("settings.voice_on" if reporter.voice_replies else "settings.voice_off")
        case "id" | "en":
            reporter.locale = chosen
            turn.say("settings.saved")
        case _:
            key, params = wrong_choice(len(ITEMS))
            turn.problem(key, **params)
            await ask(turn)
            return
    turn.solved()
    home.show(turn)


FLOW = Flow(
    ask=ask, answer=answer, back=home.back, cancel=home.back, help=lambda _: "help.settings"
)
