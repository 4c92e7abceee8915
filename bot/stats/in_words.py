"""The statistics in words, for screen readers: the same figures the chart shows.

Each message stays within ACCESSIBILITY.md's 400 characters, sentences within 20 words:
one line per week (or month) and per agency, packed into as few messages as fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import babel.dates

from bot.core.levels import Level
from bot.core.lifecycle import Channel, Status
from bot.language.accessibility import MAX_CHARS
from bot.language.dates import format_date
from bot.language.i18n import Translator
from bot.services import Services
from bot.stats.figures import (
    STATUS_ORDER,
    AgencyFigures,
    ChartPeriod,
    Figures,
    Grouping,
    LevelFigures,
    Timeliness,
)

STATUS_KEYS = {
    Status.MENUNGGU_VERIFIKASI: "staff.stats.status.menunggu_verifikasi",
    Status.DITUNDA: "staff.stats.status.ditunda",
    Status.DITERUSKAN: "staff.stats.status.diteruskan",
    Status.DITINDAKLANJUTI: "staff.stats.status.ditindaklanjuti",
    Status.SELESAI: "staff.stats.status.selesai",
    Status.BUKAN_WEWENANG: "staff.stats.status.bukan_wewenang",
    Status.DIARSIPKAN: "staff.stats.status.diarsipkan",
}
TIMELINESS_KEYS = {
    Timeliness.ON_TIME: "staff.stats.timeliness.tepat_waktu",
    Timeliness.LATE: "staff.stats.timeliness.terlambat",
    Timeliness.PENDING: "staff.stats.timeliness.belum_jatuh_tempo",
    Timeliness.NOT_FORWARDED: "staff.stats.timeliness.belum_diteruskan",
}
PERIOD_KEYS = {
    Grouping.MINGGU: "staff.stats.period.minggu",
    Grouping.BULAN: "staff.stats.period.bulan",
}
HEADING_KEYS = {
    Grouping.MINGGU: "staff.stats.by_bucket.minggu",
    Grouping.BULAN: "staff.stats.by_bucket.bulan",
}
LEVEL_KEYS = {
    Level.KECAMATAN: "staff.stats.level.kecamatan",
    Level.KELURAHAN: "staff.stats.level.kelurahan",
}
LEVEL_ALL_KEYS = {
    Level.KECAMATAN: "staff.stats.level_all.kecamatan",
    Level.KELURAHAN: "staff.stats.level_all.kelurahan",
}
CHART_TITLE_KEYS = {
    Grouping.MINGGU: "staff.stats.chart.by_bucket.minggu",
    Grouping.BULAN: "staff.stats.chart.by_bucket.bulan",
}


def month_name(day: date, locale: str) -> str:
    """ "November 2026": a month in words, as rule 10 wants dates."""
    return babel.dates.format_date(day, "MMMM y", locale=locale)


def period(window: ChartPeriod, t: Translator) -> str:
    """ "8 minggu terakhir, 5 Oktober 2026 sampai 29 November 2026"."""
    if window.grouping is Grouping.MINGGU:
        start = format_date(window.starts[0], t.locale)
        end = format_date(window.end - timedelta(days=1), t.locale)
    else:
        start = month_name(window.starts[0], t.locale)
        end = month_name(window.starts[-1], t.locale)
    return t(PERIOD_KEYS[window.grouping], count=len(window.starts), start=start, end=end)


def bucket_label(window: ChartPeriod, index: int, t: Translator) -> str:
    """ "Minggu mulai 5 Oktober 2026", or "November 2026"."""
    start = window.starts[index]
    if window.grouping is Grouping.MINGGU:
        return t("staff.stats.week", date=format_date(start, t.locale))
    return month_name(start, t.locale)


def agency_label(services: Services, key: str) -> str:
    """The agency's short name (its key if the agencies file lost it)."""
    agency = services.directory.unit(key)
    return agency.short_name if agency else key


def _bucket_line(figures: Figures, index: int, t: Translator) -> str:
    bar = figures.counts[index]
    when = bucket_label(figures.window, index, t)
    if not sum(bar):
        return t("staff.stats.bucket_empty", when=when)
    parts = ", ".join(
        t("staff.stats.part", label=t(STATUS_KEYS[status]), count=count)
        for status, count in zip(STATUS_ORDER, bar, strict=True)
        if count
    )
    return t("staff.stats.bucket", when=when, count=sum(bar), parts=parts)


def _share(agency: AgencyFigures, t: Translator) -> str:
    if agency.share is None:
        return t("staff.stats.share_none")
    return t("staff.stats.share", share=agency.share)


def _level_section(services: Services, level: LevelFigures, t: Translator) -> Section:
    """A level's offices: all of them together first, then each."""
    heading = t(LEVEL_KEYS[level.level])
    together = level.all
    first = t(LEVEL_ALL_KEYS[level.level], count=together.forwarded, share=_share(together, t))
    lines = [first, *(_agency_line(services, unit, t) for unit in level.units)]
    return Section(heading, heading, lines)


def _agency_line(services: Services, agency: AgencyFigures, t: Translator) -> str:
    tallies = (
        (Timeliness.ON_TIME, agency.on_time),
        (Timeliness.LATE, agency.late),
        (Timeliness.PENDING, agency.pending),
    )
    parts = ", ".join(
        t("staff.stats.part", label=t(TIMELINESS_KEYS[kind]), count=count)
        for kind, count in tallies
    )
    share = (
        t("staff.stats.share", share=agency.share)
        if agency.share is not None
        else t("staff.stats.share_none")
    )
    return t(
        "staff.stats.agency",
        agency=agency_label(services, agency.agency),
        count=agency.forwarded,
        days=agency.days,
        parts=parts,
        share=share,
    )


@dataclass(frozen=True)
class Section:
    """Lines under a heading; a message that continues them repeats `again`."""

    heading: str
    again: str
    lines: Sequence[str]


def pack(sections: Sequence[Section], limit: int = MAX_CHARS) -> list[str]:
    """Sections as few messages as fit the limit, never splitting a line."""
    messages: list[str] = []
    for section in sections:
        current = section.heading
        fresh = True  # nothing but the heading yet
        for line in section.lines:
            if not fresh and len(current) + 1 + len(line) > limit:
                messages.append(current)
                current, fresh = section.again, True
            current, fresh = f"{current}\n{line}", False
        messages.append(current)
    # A short section rides along with the one before it when both fit in one message.
    merged: list[str] = []
    for message in messages:
        if merged and len(merged[-1]) + 1 + len(message) <= limit:
            merged[-1] = f"{merged[-1]}\n{message}"
        else:
            merged.append(message)
    return merged


CHANNEL_KEYS = {
    Channel.TELEGRAM: "staff.stats.channel.telegram",
    Channel.OPEN311: "staff.stats.channel.open311",
    Channel.COUNTER: "staff.stats.channel.counter",
}


def channels_line(figures: Figures, t: Translator) -> str:
    """How the reports came in: Telegram, Open311 and the counter, each with its count."""
    parts = ", ".join(
        t("staff.stats.part", label=t(CHANNEL_KEYS[channel]), count=count)
        for channel, count in figures.channels
    )
    return t("staff.stats.channels", parts=parts)


def describe(services: Services, figures: Figures, t: Translator) -> list[str]:
    """The figures in words: the total and each bar by status, then each agency."""
    window = figures.window
    heading = t(HEADING_KEYS[window.grouping])
    total = t("staff.stats.total", period=period(window, t), total=figures.total)
    if figures.total:
        total = "\n".join((total, channels_line(figures, t)))
    bars = [_bucket_line(figures, i, t) for i in range(len(window.starts))]
    sections = [Section(f"{total}\n{heading}", heading, bars)]
    if figures.agencies:
        agencies = t("staff.stats.agencies")
        lines = [_agency_line(services, agency, t) for agency in figures.agencies]
        sections.append(Section(agencies, agencies, lines))
    else:
        sections.append(Section(t("staff.stats.agencies_none"), "", ()))
    sections += [_level_section(services, level, t) for level in figures.levels]
    return pack(sections)


@dataclass(frozen=True)
class ChartText:
    """Every word the chart image carries, rendered in the staff's language."""

    bars_title: str
    count_axis: str
    bars: tuple[str, ...]
    statuses: tuple[str, ...]
    agencies_title: str
    share_axis: str
    agencies: tuple[str, ...]
    notes: tuple[str, ...]
    no_agencies: str


def chart_text(services: Services, figures: Figures, t: Translator) -> ChartText:
    """The chart's titles, axis names, bar names, legend and notes."""
    window = figures.window
    return ChartText(
        bars_title=t(CHART_TITLE_KEYS[window.grouping]),
        count_axis=t("staff.stats.chart.count"),
        bars=tuple(_short_bar_label(window, i, t.locale) for i in range(len(window.starts))),
        statuses=tuple(t(STATUS_KEYS[status]) for status in STATUS_ORDER),
        agencies_title=t("staff.stats.chart.agencies"),
        share_axis=t("staff.stats.chart.share"),
        agencies=tuple(agency_label(services, a.agency) for a in figures.agencies),
        notes=tuple(
            t("staff.stats.chart.of", count=a.on_time, total=a.on_time + a.late)
            if a.share is not None
            else t("staff.stats.chart.none")
            for a in figures.agencies
        ),
        no_agencies=t("staff.stats.agencies_none"),
    )


def _short_bar_label(window: ChartPeriod, index: int, locale: str) -> str:
    # The image is not read aloud (the words are), so its axis may abbreviate months.
    start = window.starts[index]
    pattern = "d MMM" if window.grouping is Grouping.MINGGU else "MMM y"
    return babel.dates.format_date(start, pattern, locale=locale)
