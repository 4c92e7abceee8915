"""Staff statistics: a chart with the same figures in words, and a month's reports as CSV.

These answers carry a file made on the spot, so they are sent right after the unit of
work rather than through the outbox (which holds JSON, and resends files by Telegram file
id only); they change no report and owe the citizen nothing. Refusals and usage hints,
plain text, go through the outbox like every other staff answer.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime

from telegram import Message, Update
from telegram.error import TelegramError

from bot.core.outgoing import ChatTarget, Outgoing
from bot.core.queues import AT_AGENCY
from bot.language.i18n import Translator
from bot.services import Services
from bot.stats.by_area import area_figures, describe_areas
from bot.stats.csv_export import export_csv
from bot.stats.figures import ChartPeriod, Grouping, figures_of, month_bounds, window_for
from bot.stats.in_words import chart_text, describe, month_name, period
from bot.transport.context import LaporContext
from bot.workflow import changes
from handlers.staff_access import StaffTurn, read_command
from handlers.staff_text import Denial
from storage import outbox
from storage import statistics as stats_store

log = logging.getLogger(__name__)

STATS_COMMANDS = ("statistik", "ekspor")
USAGE = {"statistik": "staff.stats.usage.statistik", "ekspor": "staff.stats.usage.ekspor"}
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


# `/statistik kecamatan`: the window's reports per kecamatan, in words.
BY_AREA = "kecamatan"


@dataclass(frozen=True)
class Request:
    """What was asked: the statistics of a window (per kecamatan too), or the export of a
    month."""

    command: str
    window: ChartPeriod | None = None
    month: date | None = None
    by_area: bool = False

    def bounds(self, services: Services) -> tuple[datetime, datetime]:
        """The instants [start, end) whose submitted reports count."""
        if self.window is not None:
            return self.window.bounds(services.calendar)
        assert self.month is not None
        return month_bounds(self.month.year, self.month.month, services.calendar)


@dataclass(frozen=True)
class Answer:
    """What to send: an optional file (a chart or a CSV), then messages in words."""

    texts: tuple[str, ...] = ()
    photo: bytes | None = None
    document: bytes | None = None
    file_name: str = ""
    caption: str | None = None


def read_request(command: str, words: list[str], today: date) -> Request | None:
    """`statistik [minggu|bulan] [kecamatan]` or `ekspor [YYYY-MM]`; None when the words
    are not that."""
    word = words[0].casefold() if words else None
    if command == "statistik":
        folded = [w.casefold() for w in words]
        by_area = BY_AREA in folded
        rest = [w for w in folded if w != BY_AREA]
        if len(rest) > 1:
            return None
        try:
            grouping = Grouping(rest[0]) if rest else Grouping.MINGGU
        except ValueError:
            return None
        return Request(command, window=window_for(grouping, today), by_area=by_area)
    if word is None:
        return Request(command, month=today.replace(day=1))
    match = _MONTH.match(word)
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        return None
    return Request(command, month=date(int(match[1]), int(match[2]), 1))


async def on_stats_command(update: Update, context: LaporContext) -> None:
    """Answer /statistik with a chart and its figures in words, /ekspor with a month's CSV."""
    typed = await read_command(update, context)
    if typed is None:
        return
    services = context.services
    message, scope, command, role, actor = (
        typed.message,
        typed.scope,
        typed.command,
        typed.role,
        typed.actor,
    )
    t = services.locales.get(services.settings.bot_locale)
    tallies: list[stats_store.Tally] = []
    area_tallies: list[stats_store.AreaTally] = []
    turns: list[stats_store.TurnTally] = []
    rows: list[stats_store.ExportRow] = []
    async with services.sessionmaker.begin() as session:
        turn = StaffTurn(session, services, scope, actor, services.clock())
        today = services.calendar.local_date(turn.now)
        request = read_request(command, typed.words, today)
        prompt: str | None = None
        if role is None:
            prompt = turn.refused(command, None, Denial.NOT_STAFF)
        elif request is None:
            prompt = t(USAGE[command])
        else:
            changes.record(session, actor, command, None, now=turn.now)
            # An agency's own group counts its queue, as its API and its topic show it: a
            # report routed to it but not yet verified, or handed back, is not the agency's.
            queue = stats_store.Queue(scope.agency, AT_AGENCY) if scope.agency else None
            if request.by_area:
                start, end = request.bounds(services)
                area_tallies = await stats_store.area_tallies(session, start, end, queue, turn.now)
            elif request.window is not None:
                edges = request.window.edges(services.calendar)
                tallies = await stats_store.tallies(session, edges, queue, turn.now)
                turns = await stats_store.turn_tallies(
                    session, edges[0], edges[-1], scope.agency, turn.now
                )
            else:
                start, end = request.bounds(services)
                async for page in stats_store.export_rows(session, start, end, queue, turn.now):
                    rows.extend(page)
        if prompt is not None:
            here = ChatTarget(message.chat_id, message.message_thread_id)
            outbox.enqueue(
                session, here, Outgoing(text=prompt), purpose="staff_prompt", now=turn.now
            )
    if prompt is not None or request is None:
        context.bot_data.wake_dispatcher()
        return
    if request.by_area:
        assert request.window is not None
        answer = _by_area(services, request.window, area_tallies, t)
    elif request.window is not None:
        answer = await _statistics(services, request.window, tallies, turns, t)
    else:
        answer = _export(services, request, rows, t)
    await _send(context, message, answer)


async def _statistics(
    services: Services,
    window: ChartPeriod,
    tallies: list[stats_store.Tally],
    turns: list[stats_store.TurnTally],
    t: Translator,
) -> Answer:
    """The chart (drawn in a worker thread) with its caption, then the figures in words:
    the agencies', then each level's offices' (every unit's own on-time share)."""
    figures = figures_of(window, tallies, services.directory, turns)
    if not figures.total:
        return Answer(texts=(t("staff.stats.empty", period=period(window, t)),))
    # Imported on first use: matplotlib adds some 40 MB to every process that never draws.
    from bot.stats.chart import render_chart  # noqa: PLC0415

    png = await asyncio.to_thread(render_chart, figures, chart_text(services, figures, t))
    return Answer(
        texts=tuple(describe(services, figures, t)),
        photo=png,
        caption=t("staff.stats.caption", period=period(window, t)),
    )


def _by_area(
    services: Services,
    window: ChartPeriod,
    tallies: list[stats_store.AreaTally],
    t: Translator,
) -> Answer:
    """The window's reports per kecamatan, in words; or why there are none to count."""
    if not services.areas:
        return Answer(texts=(t("staff.stats.kecamatan.no_areas"),))
    figures = area_figures(tallies, services.areas)
    if not figures:
        return Answer(texts=(t("staff.stats.empty", period=period(window, t)),))
    return Answer(texts=tuple(describe_areas(services.areas, window, figures, t)))


def _export(
    services: Services, request: Request, rows: list[stats_store.ExportRow], t: Translator
) -> Answer:
    """The month's CSV with a caption saying what it holds, or why there is none."""
    assert request.month is not None
    month = month_name(request.month, t.locale)
    if not rows:
        return Answer(texts=(t("staff.export.empty", month=month),))
    return Answer(
        document=export_csv(services, rows, t),
        file_name=t("staff.export.file_name", year_month=f"{request.month:%Y-%m}"),
        caption=t("staff.export.caption", month=month, count=len(rows)),
    )


async def _send(context: LaporContext, message: Message, answer: Answer) -> None:
    """Send the file, then each message, in the topic the command came from."""
    bot, chat_id = context.bot, message.chat_id
    thread_id = message.message_thread_id if message.is_topic_message else None
    try:
        if answer.photo is not None:
            await bot.send_photo(
                chat_id, answer.photo, caption=answer.caption, message_thread_id=thread_id
            )
        if answer.document is not None:
            await bot.send_document(
                chat_id,
                answer.document,
                filename=answer.file_name,
                caption=answer.caption,
                message_thread_id=thread_id,
            )
        for text in answer.texts:
            await bot.send_message(chat_id, text, message_thread_id=thread_id)
    except TelegramError as error:
        # The staff member can simply ask again; nothing was changed or is owed.
        log.warning("statistics answer not sent: %s", type(error).__name__)
