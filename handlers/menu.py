"""The main menu's answers: make a report, check a status, my reports, help, preferences.

People do not always pick a number: they greet, thank, say "mau lapor", type a code, or
write the complaint itself. Each is understood as what it means; only text that is none
of these gets "not on the menu".
"""

from __future__ import annotations

import re

from bot.core.intake import rules
from bot.core.intake.answers import Answers
from bot.core.intake.steps import Step
from bot.language.choices import pick
from bot.language.complaint import date_in, place_in, reads_as_complaint
from bot.language.dates import format_date
from bot.language.i18n import Msg
from handlers import claim, filing_area, filing_flow, followup, home, preferences
from handlers.inputs import InputKind
from handlers.options import choices
from handlers.turn import Flow, Turn

# A tracking code among a few words ("kode 516-7391", "cek status 516 7391").
CODE = re.compile(r"(?<!\d)\d{3}[\s.-]?\d{4}(?!\d)")
CODE_AMONG_WORDS = 6
# Greetings and forms of address ("halo min"), and words around a request ("saya mau ...,
# dong") that pick nothing themselves: "halo min, saya mau lapor" is "lapor".
GREETINGS = "word.sapaan"
FILLERS = "word.pengisi"
THANKS = "word.terima_kasih"
# Plain acknowledgements ("oke", "siap") after a greeting or on their own: no error.
ACKNOWLEDGED = "word.oke"


async def ask(turn: Turn) -> None:
    """Repeat the menu."""
    home.show(turn)


async def answer(turn: Turn) -> None:
    """Open the chosen service; a code shows that report, a complaint starts a report."""
    options = choices(turn.services.locales, home.ITEMS)
    choice = turn.pick(options)
    greeted, rest = _without(turn, GREETINGS, turn.formal.split())
    filled, rest = _without(turn, FILLERS, rest)
    if choice is None and (greeted or filled) and rest:
        choice = pick(" ".join(rest), options, numbers=False)
    if choice is None and (attempt := claim.typed_claim(turn)) is not None:
        await claim.attempt_claim(turn, attempt)
        return
    if choice is None and _code_typed(turn):
        turn.solved()
        await followup.answer_code(turn)
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
        case _ if (courtesy := _courtesy(turn, greeted or filled, greeted, rest)) is not None:
            turn.solved()
            if courtesy:
                turn.say(courtesy)
            home.show(turn)
        case _ if _complaint(turn):
            turn.solved()
            await _start_with_complaint(turn)
        case _:
            turn.problem("error.menu", count=len(home.ITEMS))
            home.show(turn)


def _without(turn: Turn, key: str, tokens: list[str]) -> tuple[bool, list[str]]:
    """The words left once a keyword list's words and phrases are taken out, and whether
    any was."""
    phrases = turn.services.locales.typed(key)
    longest = max((len(phrase.split()) for phrase in phrases), default=1)
    left: list[str] = []
    found = False
    index = 0
    while index < len(tokens):
        for size in range(min(longest, len(tokens) - index), 0, -1):
            if " ".join(tokens[index : index + size]) in phrases:
                found = True
                index += size
                break
        else:
            left.append(tokens[index])
            index += 1
    return found, left


def _courtesy(turn: Turn, polite: bool, greeted: bool, rest: list[str]) -> str | None:
    """A greeting or thanks gets a kind word (its key), a plain "oke" nothing (""); any
    other text None."""
    thanked, rest = _without(turn, THANKS, rest)
    acknowledged, rest = _without(turn, ACKNOWLEDGED, rest)
    if rest or not (polite or thanked or acknowledged):
        return None
    if thanked:
        return "menu.thanks"
    return "menu.greeting" if greeted else ""


def _code_typed(turn: Turn) -> bool:
    """A tracking code among a few words, so "kode 516-7391" and "cek status 516-7392" are
    read as the code they name (a complaint with a phone number in it is not)."""
    text = turn.input.text
    few_words = len(text.split()) <= CODE_AMONG_WORDS
    return bool(turn.input.word) and few_words and CODE.search(text) is not None


def _complaint(turn: Turn) -> bool:
    """A voice note, or text long enough to say what is wrong."""
    sent = turn.input
    if sent.kind is InputKind.VOICE:
        return sent.file is not None
    return (
        sent.kind is InputKind.TEXT
        and len(sent.text) <= rules.CONTENT_MAX_CHARS
        and reads_as_complaint(sent.text, rules.CONTENT_MIN_CHARS)
    )


async def _start_with_complaint(turn: Turn) -> None:
    """Start a report whose content is the message; a street or a date in it is kept."""
    sent = turn.input
    if sent.kind is InputKind.VOICE and sent.file is not None:
        taken = Answers(voice=sent.file, from_message=(Step.ISI.value,))
        said = Msg("filing.from_voice", {"seconds": sent.file.duration or 0})
        await filing_flow.start_from_message(turn, taken, said)
        return
    locale = turn.reporter.locale
    today = turn.services.calendar.local_date(turn.now)
    place = place_in(sent.text)
    when = date_in(turn.formal, today, locale)
    steps = [Step.ISI.value]
    found: Msg | None = None
    if place is not None and when is not None:
        found = Msg("filing.found_both", {"value": place, "date": format_date(when, locale)})
        steps += [Step.LOKASI.value, Step.TANGGAL.value]
    elif place is not None:
        found = Msg("filing.found_place", {"value": place})
        steps.append(Step.LOKASI.value)
    elif when is not None:
        found = Msg("filing.found_date", {"date": format_date(when, locale)})
        steps.append(Step.TANGGAL.value)
    taken = Answers(
        content=sent.text.strip(),
        location_text=place,
        incident_date=when,
        from_message=tuple(steps),
    )
    if place is not None:
        taken = filing_area.offered(turn, taken, text=place)
        if taken.area_open:
            # The place step is still met, for its kelurahan question alone.
            taken = taken.with_(from_message=tuple(s for s in steps if s != Step.LOKASI.value))
    said = Msg("filing.from_message", {"found": found}) if found else Msg("filing.from_text")
    await filing_flow.start_from_message(turn, taken, said)


FLOW = Flow(ask=ask, answer=answer, back=home.back, cancel=home.back, help=lambda _: "help.menu")
