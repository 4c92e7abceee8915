"""Figures by kecamatan: the reports of a period in each kecamatan, how many are still open
or done, and how their first responses stood against the limit (as per agency, see
bot/stats/figures.py). The database counts (storage/statistics.area_tallies); this only
adds up a few hundred rows and puts them in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.areas import Areas
from bot.core.lifecycle import Status
from bot.language.i18n import Translator
from bot.stats.figures import ChartPeriod, Timeliness
from bot.stats.in_words import Section, pack, period
from storage.statistics import AreaTally


@dataclass(frozen=True)
class KecamatanFigures:
    """One kecamatan's reports of the period; `code` None for reports not placed."""

    code: str | None
    total: int
    open: int
    done: int
    on_time: int
    late: int

    @property
    def share(self) -> int | None:
        """Percent of first responses on time of those already decided."""
        decided = self.on_time + self.late
        return round(100 * self.on_time / decided) if decided else None


def area_figures(tallies: Sequence[AreaTally], areas: Areas) -> list[KecamatanFigures]:
    """Each kecamatan with reports, most reports first (the file's order among equals),
    then the reports placed in none."""
    sums: dict[str | None, list[int]] = {}
    for tally in tallies:
        known = areas.kecamatan_by_code(tally.kecamatan) is not None
        row = sums.setdefault(tally.kecamatan if known else None, [0, 0, 0, 0, 0])
        row[0] += tally.count
        row[1] += tally.count if tally.status.is_open else 0
        row[2] += tally.count if tally.status is Status.SELESAI else 0
        row[3] += tally.count if tally.standing == Timeliness.ON_TIME else 0
        row[4] += tally.count if tally.standing == Timeliness.LATE else 0
    order = [k.code for k in areas.kecamatan]
    figures = [KecamatanFigures(code, *row) for code, row in sums.items()]
    figures.sort(
        key=lambda f: (f.code is None, -f.total, order.index(f.code) if f.code in order else 0)
    )
    return figures


def describe_areas(
    areas: Areas, window: ChartPeriod, figures: Sequence[KecamatanFigures], t: Translator
) -> list[str]:
    """The total, then one line per kecamatan, packed into as few messages as fit."""
    total = sum(f.total for f in figures)
    heading = t("staff.stats.kecamatan.heading")
    lines = [_line(areas, f, t) for f in figures]
    first = "\n".join((t("staff.stats.total", period=period(window, t), total=total), heading))
    return pack([Section(first, heading, lines)])


def _line(areas: Areas, figures: KecamatanFigures, t: Translator) -> str:
    share = (
        t("staff.stats.share", share=figures.share)
        if figures.share is not None
        else t("staff.stats.share_none")
    )
    counts = {"count": figures.total, "open": figures.open, "done": figures.done, "share": share}
    kecamatan = areas.kecamatan_by_code(figures.code)
    if kecamatan is None:
        return t("staff.stats.kecamatan.unplaced", **counts)
    return t("staff.stats.kecamatan.line", kecamatan=kecamatan.name, **counts)
