"""Statistics for the staff: reports per week or month by status, and first responses on time.

The database counts (storage/statistics.py): reports by bar, status, agency and how their
first response stands, from facts the workflow keeps on each report as it moves
(bot/workflow/changes.py), so the figures cost the same whatever the table's years.

"Answered on time" (docs/statistics.md): a report forwarded to an agency is answered on
time when its first response, the first time it leaves DITERUSKAN (a reply relayed to the
citizen or "tindak lanjuti" moves it to DITINDAKLANJUTI; handing it back moves it to
verification), comes no later than the end of the agency's `first_response_days`-th
working day after the forwarding: the limit bot/core/deadlines.py gives. With no response
yet it is late once that limit has passed (or the deadline watch escalated it), and
pending before. A report handed back and forwarded again is judged on its latest
forwarding, under the agency that has it now. Reports never forwarded are not judged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.core.agencies import Agency, Directory
from bot.core.levels import Level, level_of
from bot.core.lifecycle import Channel, Status
from bot.core.workdays import WorkingCalendar
from storage.statistics import Tally, TurnTally

WEEKS_SHOWN = 8
MONTHS_SHOWN = 6
# The order of statuses in the chart's stacks and in the words: a report's life.
STATUS_ORDER = (
    Status.MENUNGGU_VERIFIKASI,
    Status.DITUNDA,
    Status.DITERUSKAN,
    Status.DITINDAKLANJUTI,
    Status.SELESAI,
    Status.BUKAN_WEWENANG,
    Status.DIARSIPKAN,
)


class Grouping(StrEnum):
    """What one bar of the chart covers; the value is the word staff type."""

    MINGGU = "minggu"
    BULAN = "bulan"


class Timeliness(StrEnum):
    """How a report's first response by its agency stands against the limit."""

    ON_TIME = "tepat_waktu"
    LATE = "terlambat"
    PENDING = "belum_jatuh_tempo"
    NOT_FORWARDED = "belum_diteruskan"


@dataclass(frozen=True)
class ChartPeriod:
    """The period the figures cover: consecutive weeks (Monday first) or calendar months."""

    grouping: Grouping
    starts: tuple[date, ...]
    end: date  # the day after the last bucket

    def bucket_of(self, day: date) -> int | None:
        """Which bar a local date falls in, None outside the window."""
        if not self.starts[0] <= day < self.end:
            return None
        return max(i for i, start in enumerate(self.starts) if start <= day)

    def bounds(self, calendar: WorkingCalendar) -> tuple[datetime, datetime]:
        """The window as instants: local midnight of its first day and of its end."""
        return _midnight(self.starts[0], calendar), _midnight(self.end, calendar)

    def edges(self, calendar: WorkingCalendar) -> list[datetime]:
        """Local midnight at the start of each bar, then at the window's end."""
        return [_midnight(day, calendar) for day in (*self.starts, self.end)]


def _midnight(day: date, calendar: WorkingCalendar) -> datetime:
    return datetime.combine(day, time(0), tzinfo=calendar.tz)


def _month_start(year: int, month: int) -> date:
    year += (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


def window_for(grouping: Grouping, today: date) -> ChartPeriod:
    """The last 8 weeks or 6 months up to and including today's."""
    if grouping is Grouping.MINGGU:
        monday = today - timedelta(days=today.weekday())
        starts = tuple(monday - timedelta(weeks=k) for k in range(WEEKS_SHOWN - 1, -1, -1))
        return ChartPeriod(grouping, starts, monday + timedelta(weeks=1))
    months = tuple(
        _month_start(today.year, today.month - k) for k in range(MONTHS_SHOWN - 1, -1, -1)
    )
    return ChartPeriod(grouping, months, _month_start(today.year, today.month + 1))


def month_bounds(year: int, month: int, calendar: WorkingCalendar) -> tuple[datetime, datetime]:
    """A calendar month in the bot's time zone, as instants [start, end)."""
    start = _month_start(year, month)
    return _midnight(start, calendar), _midnight(_month_start(year, month + 1), calendar)


@dataclass(frozen=True)
class AgencyFigures:
    """First responses of one agency's forwarded reports."""

    agency: str
    days: int
    on_time: int
    late: int
    pending: int

    @property
    def forwarded(self) -> int:
        """Reports forwarded to it (and judged)."""
        return self.on_time + self.late + self.pending

    @property
    def share(self) -> int | None:
        """Percent answered on time of those already decided (answered or past the limit)."""
        decided = self.on_time + self.late
        return round(100 * self.on_time / decided) if decided else None


@dataclass(frozen=True)
class LevelFigures:
    """First responses of the offices of one level (kecamatan or kelurahan), each judged on
    its own turns with reports (bot/workflow/unit_turns.py), and all of them together."""

    level: Level
    units: tuple[AgencyFigures, ...]

    @property
    def all(self) -> AgencyFigures:
        """The level's offices together, as one."""
        return AgencyFigures(
            self.level.value,
            0,
            sum(u.on_time for u in self.units),
            sum(u.late for u in self.units),
            sum(u.pending for u in self.units),
        )


@dataclass(frozen=True)
class Figures:
    """Everything the chart and its words show."""

    window: ChartPeriod
    # For each bar, the count of each status of STATUS_ORDER.
    counts: tuple[tuple[int, ...], ...]
    # The city's agencies (an office's reports are counted in `levels`).
    agencies: tuple[AgencyFigures, ...]
    # Reports received in the window by channel, every channel of Channel in its order.
    channels: tuple[tuple[Channel, int], ...] = ()
    # The kecamatan's and the kelurahan's offices, those levels that had reports.
    levels: tuple[LevelFigures, ...] = ()

    @property
    def total(self) -> int:
        """Reports submitted in the window."""
        return sum(sum(bar) for bar in self.counts)


def figures_of(
    window: ChartPeriod,
    tallies: Sequence[Tally],
    directory: Directory,
    turns: Sequence[TurnTally] = (),
) -> Figures:
    """Reports per bar and status, first responses judged per agency, and per office of
    each level from its turns, from the counts."""
    counts = [[0] * len(STATUS_ORDER) for _ in window.starts]
    judged: dict[str, list[int]] = {}
    channels = dict.fromkeys(Channel, 0)
    judged_kinds = (Timeliness.ON_TIME, Timeliness.LATE, Timeliness.PENDING)
    for tally in tallies:
        counts[tally.bar][STATUS_ORDER.index(tally.status)] += tally.count
        channels[channel_of(tally.channel)] += tally.count
        standing = Timeliness(tally.standing)
        if standing is Timeliness.NOT_FORWARDED or level_of(tally.agency) is not Level.KOTA:
            continue
        judged.setdefault(tally.agency, [0, 0, 0])[judged_kinds.index(standing)] += tally.count
    agencies = [
        AgencyFigures(key, response_days(directory, key), *tally) for key, tally in judged.items()
    ]
    # Most forwarded first; the file's order among equals, so the order is stable.
    order = list(directory.agencies)
    agencies.sort(key=lambda a: (-a.forwarded, order.index(a.agency) if a.agency in order else 0))
    return Figures(
        window,
        tuple(tuple(bar) for bar in counts),
        tuple(agencies),
        tuple(channels.items()),
        levels_of(turns, directory),
    )


def levels_of(turns: Sequence[TurnTally], directory: Directory) -> tuple[LevelFigures, ...]:
    """The offices' first responses by level, kecamatan first; in a level, the most
    forwarded first, then by name, so the order is stable."""
    judged_kinds = (Timeliness.ON_TIME, Timeliness.LATE, Timeliness.PENDING)
    judged: dict[str, list[int]] = {}
    for turn in turns:
        standing = Timeliness(turn.standing)
        if standing is Timeliness.NOT_FORWARDED or level_of(turn.unit) is Level.KOTA:
            continue
        judged.setdefault(turn.unit, [0, 0, 0])[judged_kinds.index(standing)] += turn.count
    levels = []
    for level in (Level.KECAMATAN, Level.KELURAHAN):
        units = [
            AgencyFigures(key, response_days(directory, key), *tally)
            for key, tally in judged.items()
            if level_of(key) is level
        ]
        if units:
            units.sort(key=lambda u: (-u.forwarded, u.agency))
            levels.append(LevelFigures(level, tuple(units)))
    return tuple(levels)


def channel_of(value: str) -> Channel:
    """A stored channel; an unknown one (from a newer version) counts as Telegram's."""
    try:
        return Channel(value)
    except ValueError:
        return Channel.TELEGRAM


def response_days(directory: Directory, key: str) -> int:
    """The agency's first-response limit; the file's default if the file lost the agency."""
    agency = directory.unit(key)
    if agency is None:
        return int(Agency.model_fields["first_response_days"].default)
    return agency.first_response_days
