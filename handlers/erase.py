"""Hapus data (/hapusdata, or hapusdata typed at any step): read back what is kept about
the citizen, ask for a numbered confirmation, then erase it; the reports stay, unlinked."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.language.i18n import Lines, Msg
from bot.notify import notices
from bot.notify.cards import citizen_text, reporter_name
from bot.services import Services
from bot.settings import SUPPORTED_LOCALES
from handlers import home
from handlers.options import buttons, choices, listing, wrong_choice
from handlers.turn import Awaiting, Flow, Reply, Turn
from storage import erasure
from storage.models import Reporter

ANSWERS = ((True, "option.hapus_data"), (False, "option.jangan_hapus"))


async def start(turn: Turn) -> None:
    """Read back what is kept about the citizen and what erasing it means, then ask."""
    turn.go(Awaiting.ERASE)
    kept = await erasure.kept(turn.session, turn.reporter)
    lines = []
    if kept.name:
        lines.append(Msg("erase.kept.name", {"name": kept.name}))
    if kept.username:
        lines.append(Msg("erase.kept.username", {"value": kept.username}))
    lines.append(Msg("erase.kept.account"))
    lines.append(Msg("erase.kept.phone"))
    lines.append(Msg("erase.kept.reports", {"count": kept.reports}))
    if kept.has_draft:
        lines.append(Msg("erase.kept.draft"))
    turn.say("erase.readback", summary=Lines(tuple(lines)))
    ask(turn)


def ask(turn: Turn) -> None:
    """Say what erasing means and ask for the numbered confirmation."""
    turn.ask("erase.ask", buttons(ANSWERS), options=listing(ANSWERS))


async def answer(turn: Turn) -> None:
    """Erase on yes; keep everything on no; otherwise ask again."""
    confirmed = turn.pick(choices(turn.services.locales, ANSWERS))
    if confirmed is None:
        key, params = wrong_choice(len(ANSWERS))
        turn.problem(key, **params)
        ask(turn)
    elif confirmed:
        scrub = staff_scrub(turn.services, turn.reporter)
        erased = await erasure.erase(turn.session, turn.reporter, turn.now, scrub)
        await notices.reporter_erased(turn.session, turn.services, erased, turn.now)
        turn.delivered()
        # No menu follows: the next message starts again with consent.
        turn.replies.append(Reply(Msg("erase.done"), remove_keyboard=True))
    else:
        await keep(turn)


async def keep(turn: Turn) -> None:
    """Leave the data as it is and return to the menu."""
    turn.say("erase.not_erased")
    home.show(turn)


def staff_scrub(services: Services, reporter: Reporter) -> erasure.Scrub:
    """How cards and staff answers name this reporter, in every language, and the rewrite
    that says instead that the reporter's data was erased."""
    needles: list[str] = []
    rules: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = []
    for locale in SUPPORTED_LOCALES:
        t = services.locales.get(locale)
        if reporter.first_name or reporter.last_name or reporter.username:
            needles.append(t("card.reporter", name=citizen_text(reporter_name(reporter))))
        prefix, _, suffix = t("card.reporter", name="\0").partition("\0")
        line = re.compile(f"^{re.escape(prefix)}.*{re.escape(suffix)}$", re.MULTILINE)
        rules.append((line, _erased_line(t("card.reporter_anonymous"), t("card.reporter_erased"))))

    def rewrite(text: str) -> str:
        for line, replace in rules:
            text = line.sub(replace, text)
        return text

    return erasure.Scrub(tuple(needles), rewrite)


def _erased_line(anonymous: str, erased: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        # An anonymous card already names no one; saying "erased" there would link it.
        return match[0] if match[0] == anonymous else erased

    return replace


def nothing(turn: Turn) -> None:
    """Someone who never consented asks to erase: nothing of them is stored."""
    turn.say("erase.nothing")


FLOW = Flow(
    ask=start,
    answer=answer,
    back=keep,
    cancel=keep,
    help=lambda _: "help.erase",
    own_words=("option.jangan_hapus",),
)
