"""After filing: the confirmation, cek status with the timeline, and laporan saya."""

from __future__ import annotations

from bot.core.tracking import CodeError, format_code, format_typed, parse_code
from bot.language.choices import Option, pick
from bot.language.dates import format_date, format_time
from bot.language.i18n import Listing, Msg
from bot.notify import notices
from bot.notify.status_text import shown_to_citizen, status_label, timeline_label
from handlers import claim, follow, home
from handlers.turn import Awaiting, Flow, Turn
from storage import reports
from storage.errors import ReportNotFound

LATEST = 5
TIMELINE_ENTRIES = 9  # a list read aloud has at most nine items


async def already_sent(turn: Turn) -> None:
    """A repeated "kirim": name the report it already made instead of making another."""
    latest = await reports.latest(turn.session, turn.reporter.id, 1)
    if latest:
        turn.say("filing.already_sent", code=format_code(latest[0].code))
    else:
        turn.problem("error.menu", count=5)


async def ask(turn: Turn) -> None:
    """Ask for a tracking code."""
    turn.go(Awaiting.CHECK_STATUS)
    turn.ask("status.ask")


async def answer_code(turn: Turn) -> None:
    """A code typed at the menu: as if typed at the code prompt."""
    turn.go(Awaiting.CHECK_STATUS)
    await answer(turn)


async def answer(turn: Turn) -> None:
    """Read a code, explain a mistyped one, and show the citizen's own report; a code with
    the PIN of a counter's receipt claims that report."""
    if (attempt := claim.typed_claim(turn)) is not None:
        await claim.attempt_claim(turn, attempt)
        return
    try:
        code = parse_code(turn.input.text)
    except CodeError as error:
        if error.reason == "check_digit":
            turn.problem("status.check_digit", code=_as_typed(turn.input.text))
        else:
            turn.problem("status.bad_code")
        turn.ask("status.ask")
        return
    await show_status(turn, code)


def _as_typed(text: str) -> str:
    return format_typed("".join(ch for ch in text if ch.isdigit()))


async def show_status(turn: Turn, code: int) -> None:
    """The status and timeline of one of the citizen's reports; others' are "not found"."""
    try:
        report = await reports.own_report(turn.session, turn.reporter.id, code)
    except ReportNotFound:
        if await follow.show_followed(turn, code):
            return
        turn.problem("status.not_found", code=format_code(code))
        turn.go(Awaiting.CHECK_STATUS)
        turn.ask("status.ask")
        return
    line = notices.status_line(turn.services, report, turn.reporter.locale)
    turn.say(line.key, **line.params)
    tz = turn.services.settings.timezone
    locale = turn.reporter.locale
    entries = tuple(
        Msg(
            "timeline.entry",
            {
                "date": format_date(event.at.astimezone(tz).date(), locale),
                "time": format_time(event.at, tz, locale),
                "label": timeline_label(event, staff=False),
            },
        )
        for event in [event for event in report.events if shown_to_citizen(event)][
            -TIMELINE_ENTRIES:
        ]
    )
    turn.go(Awaiting.MENU)
    if report.followers:
        turn.say("status.followers", count=report.followers)
    turn.say("status.timeline", code=format_code(report.code), entries=Listing(entries))


async def list_mine(turn: Turn) -> None:
    """The citizen's latest reports with their status; then ask which one to open."""
    mine = await reports.latest(turn.session, turn.reporter.id, LATEST)
    if not mine:
        turn.go(Awaiting.MENU)
        turn.say("mine.none")
        return
    locale = turn.reporter.locale
    directory = turn.services.directory
    items = tuple(
        Msg(
            "mine.item",
            {
                "code": format_code(report.code),
                "category": directory.category(report.category).label(locale),
                "label": status_label(turn.services, report),
            },
        )
        for report in mine
    )
    turn.go(Awaiting.MY_REPORTS)
    turn.ask("mine.list", reports=Listing(items))


async def answer_mine(turn: Turn) -> None:
    """A report picked by its number in the list just shown, or by its code."""
    mine = await reports.latest(turn.session, turn.reporter.id, LATEST)
    chosen = pick(turn.input.text, [Option(report.code, frozenset()) for report in mine])
    if chosen is None:
        await answer(turn)
    else:
        await show_status(turn, chosen)


async def ask_mine(turn: Turn) -> None:
    """Show the list again."""
    await list_mine(turn)


FLOW = Flow(ask=ask, answer=answer, back=home.back, cancel=home.back, help=lambda _: "help.status")
MINE_FLOW = Flow(
    ask=ask_mine, answer=answer_mine, back=home.back, cancel=home.back, help=lambda _: "help.mine"
)
