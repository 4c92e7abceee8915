"""Similar reports offered while filing: follow one ("ikut pantau") or file one's own.

Once a new report has a category and a place, the open reports of that category nearby
are listed in one short message, as part of the place step. A listed report says its
code, how far it is (or that it is in the same kelurahan) and how far it has got, two at
most so the message is heard within 25 seconds. Never its content, nor who filed it:
people often write names, house numbers and telephone numbers in a complaint, and the
category, the place and the status are enough to tell whether it is the same problem.
Anonim and rahasia reports are never listed.
"""

from __future__ import annotations

import re

from bot.core.duplicates import Place
from bot.core.intake.answers import Answers, Similar
from bot.core.intake.steps import TOTAL, Step
from bot.core.tracking import CodeError, format_code, parse_code
from bot.language.choices import Option
from bot.language.i18n import Listing, Msg
from bot.notify import follow_notices, notices
from handlers import home
from handlers.options import choices, wrong_choice
from handlers.outcomes import Follow, Goto, Outcome, Problem
from handlers.turn import Turn
from storage import counter as counter_store
from storage import drafts, nearby
from storage import followers as follower_store
from storage import reports as report_store

OWN = (("own", "option.laporan_sendiri"),)
# A listed report's progress in a few words (the agency's long name would not fit).
STATUS_WORDS = {
    "MENUNGGU_VERIFIKASI": "similar.status.menunggu",
    "DITUNDA": "similar.status.menunggu",
    "DITERUSKAN": "similar.status.diteruskan",
    "DITINDAKLANJUTI": "similar.status.ditindaklanjuti",
}
# A code typed with words around it, as its button says it ("Pantau 726-4185").
CODE = re.compile(r"(?<!\d)\d{3}[\s.-]?\d{3}[\s.-]?\d{1,3}(?!\d)")


def place_of(answers: Answers) -> Place:
    """Where the report being filed is, as far as the listing needs it."""
    return Place(answers.latitude, answers.longitude, answers.kelurahan_code)


async def look(turn: Turn, answers: Answers, following: Step) -> tuple[Answers, bool]:
    """Before going on to `following`, find the reports to list; whether there are any.

    Looked for once the place step is passed with a category and a place; once listed,
    again only when either changes. Someone filing for another person (a counter) gets no
    list: the walk-in citizen has no chat to follow a report in.
    """
    if turn.on_behalf is not None or answers.category is None:
        return answers, False
    if following is not Step.PERIKSA and following.number <= Step.LOKASI.number:
        return answers, False
    place = place_of(answers)
    if not place.known or answers.similar_for == place.key(answers.category):
        return answers, False
    found = await nearby.similar(
        turn.session, answers.category, place, now=turn.now, reporter_id=turn.reporter.id
    )
    if not found:
        # Nothing kept: the draft holds only the citizen's answers, and the next step looks
        # again (a report filed meanwhile may be listed then).
        return answers, False
    looked = answers.with_(
        similar_for=place.key(answers.category),
        similar=tuple(found),
        similar_then=following.value,
    )
    return looked, True


def _item(turn: Turn, similar: Similar) -> Msg:
    status = Msg(STATUS_WORDS.get(similar.status, "similar.status.menunggu"))
    code = format_code(similar.code)
    if similar.metres is not None:
        return Msg("similar.item.near", {"code": code, "metres": similar.metres, "status": status})
    return Msg("similar.item.kelurahan", {"code": code, "status": status})


def ask(turn: Turn, answers: Answers) -> None:
    """The list, numbered, the choice to file one's own last."""
    t = turn.services.locales.get(turn.reporter.locale)
    items = (*(_item(turn, similar) for similar in answers.similar), Msg(OWN[0][1]))
    follow_buttons = tuple(
        (t("option.pantau", code=format_code(similar.code)),) for similar in answers.similar
    )
    category = answers.category or ""
    turn.ask(
        "filing.ask.serupa",
        (*follow_buttons, (Msg(OWN[0][1]),)),
        options=Listing(items),
        category=turn.services.directory.category(category).label(turn.reporter.locale),
        number=Step.SERUPA.number,
        total=TOTAL,
    )


def read(turn: Turn, answers: Answers) -> Outcome:
    """A listed report by its number or code, or the choice to file one's own."""
    listed = [similar.code for similar in answers.similar]
    options: list[Option[int | str]] = [Option(code, frozenset()) for code in listed]
    options += choices(turn.services.locales, OWN)
    chosen = turn.pick(options)
    if chosen == "own":
        return Goto(then(answers))
    if isinstance(chosen, int):
        return Follow(chosen)
    typed = CODE.search(turn.input.text)
    if typed is not None:
        try:
            code = parse_code(typed.group(0))
        except CodeError:
            code = None
        if code in listed:
            return Follow(code)
    return Problem(*wrong_choice(len(options)))


async def follow(turn: Turn, chosen: Follow) -> bool:
    """Follow the chosen report, drop the draft, and say where the report stands; False,
    the citizen told, when it cannot be followed any more (closed since it was listed)."""
    report = (await nearby.followable(turn.session, [chosen.code])).get(chosen.code)
    if report is None:
        turn.say("follow.gone", code=format_code(chosen.code))
        return False
    await follower_store.follow(
        turn.session, report, turn.reporter.id, reason=follower_store.JOINED, now=turn.now
    )
    await drafts.discard(turn.session, turn.reporter)
    turn.say("follow.joined", code=format_code(report.code))
    line = follow_notices.follower_line(turn.services, report)
    turn.say(line.key, **line.params)
    reporter = await report_store.reporter_of(turn.session, report)
    walk_in = await counter_store.walk_in_of(turn.session, report)
    notices.refresh_card(
        turn.session, turn.services, report, reporter, walk_in=walk_in, now=turn.now
    )
    turn.delivered()
    home.show(turn)
    return True


def then(answers: Answers) -> Step:
    """Where the filing goes on when the citizen files their own report."""
    return Step(answers.similar_then or Step.TANGGAL.value)
