"""Statistics for the staff: reports per week or month by status, and first responses on time.

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.core.agencies import Agency, Directory
from bot.core.lifecycle import Channel, Status
from bot.core.workdays import WorkingCalendar
from storage.models import Report
from storage.statistics import StatusChange

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
class FirstResponse:
    """When the report was (last) forwarded, by when and when its agency first answered."""

    timeliness: Timeliness
    forwarded_at: datetime | None = None
    deadline: datetime | None = None
    responded_at: datetime | None = None
    working_days: int | None = None


def first_response(
    report: Report,
    changes: Sequence[StatusChange],
    *,
    calendar: WorkingCalendar,
    days: int,
    now: datetime,
) -> FirstResponse:
    """Judge the report's latest forwarding from its status changes (oldest first)."""
    forwarded_at: datetime | None = None
    responded_at: datetime | None = None
    for event in changes:
        if event.to_status is Status.DITERUSKAN and event.from_status is not Status.DITERUSKAN:
            forwarded_at, responded_at = event.at, None
        elif (
            forwarded_at is not None
            and responded_at is None
            and event.from_status is Status.DITERUSKAN
        ):
            responded_at = event.at
    if forwarded_at is None:
        return FirstResponse(Timeliness.NOT_FORWARDED)
    deadline = calendar.add_working_days(forwarded_at, days)
    if responded_at is not None:
        timeliness = Timeliness.ON_TIME if responded_at <= deadline else Timeliness.LATE
        taken = calendar.working_days_between(forwarded_at, responded_at)
        return FirstResponse(timeliness, forwarded_at, deadline, responded_at, taken)
    escalated = report.status is Status.DITERUSKAN and report.escalated_at is not None
    timeliness = Timeliness.LATE if now > deadline or escalated else Timeliness.PENDING
    return FirstResponse(timeliness, forwarded_at, deadline)


def done_at(report: Report, changes: Sequence[StatusChange]) -> datetime | None:
    """When a report now SELESAI was last marked done."""
    if report.status is not Status.SELESAI:
        return None
    return next((e.at for e in reversed(changes) if e.to_status is Status.SELESAI), None)


@dataclass(frozen=True)
class Facts:
    """One report as the figures and the export see it."""

    report: Report
    response: FirstResponse
    done_at: datetime | None


def facts_of(
    reports: Sequence[Report],
    changes: Mapping[int, Sequence[StatusChange]],
    *,
    directory: Directory,
    calendar: WorkingCalendar,
    now: datetime,
) -> list[Facts]:
    """Judge each report against its agency's limit."""
    facts = []
    for report in reports:
        events = changes.get(report.id, ())
        days = response_days(directory, report.agency)
        response = first_response(report, events, calendar=calendar, days=days, now=now)
        facts.append(Facts(report, response, done_at(report, events)))
    return facts


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
class Figures:
    """Everything the chart and its words show."""

    window: ChartPeriod
    # For each bar, the count of each status of STATUS_ORDER.
    counts: tuple[tuple[int, ...], ...]
    agencies: tuple[AgencyFigures, ...]
    # Reports received in the window by channel, every channel of Channel in its order.
    channels: tuple[tuple[Channel, int], ...] = ()

    @property
    def total(self) -> int:
        """Reports submitted in the window."""
        return sum(sum(bar) for bar in self.counts)


def compute(
    window: ChartPeriod, facts: Sequence[Facts], directory: Directory, calendar: WorkingCalendar
) -> Figures:
    """Count reports per bar and status, and judge first responses per agency."""
    counts = [[0] * len(STATUS_ORDER) for _ in window.starts]
    judged: dict[str, list[int]] = {}
    channels = dict.fromkeys(Channel, 0)
    for fact in facts:
        bar = window.bucket_of(calendar.local_date(fact.report.created_at))
        if bar is None:
            continue
        counts[bar][STATUS_ORDER.index(fact.report.status)] += 1
        channels[channel_of(fact.report.channel)] += 1
        timeliness = fact.response.timeliness
        if timeliness is Timeliness.NOT_FORWARDED:
            continue
        tally = judged.setdefault(fact.report.agency, [0, 0, 0])
        tally[(Timeliness.ON_TIME, Timeliness.LATE, Timeliness.PENDING).index(timeliness)] += 1
    agencies = [
        AgencyFigures(key, response_days(directory, key), *tally) for key, tally in judged.items()
    ]
    # Most forwarded first; the file's order among equals, so the order is stable.
    order = list(directory.agencies)
    agencies.sort(key=lambda a: (-a.forwarded, order.index(a.agency) if a.agency in order else 0))
    return Figures(
        window, tuple(tuple(bar) for bar in counts), tuple(agencies), tuple(channels.items())
    )


def channel_of(value: str) -> Channel:
    """A stored channel; an unknown one (from a newer version) counts as Telegram's."""
    try:
        return Channel(value)
    except ValueError:
        return Channel.TELEGRAM


def response_days(directory: Directory, key: str) -> int:
    """The agency's first-response limit; the file's default if the file lost the agency."""
    agency = directory.agencies.get(key)
    if agency is None:
        return int(Agency.model_fields["first_response_days"].default)
    return agency.first_response_days
