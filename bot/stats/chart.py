"""The statistics chart as a PNG: reports per bar by status, and first responses on time.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global state), so
it is safe to call from a worker thread; the handler does, keeping the event loop free.
Colours are the Okabe-Ito palette, which colour-blind readers tell apart, and every
status has its own hatching too, so nothing depends on colour alone.
"""

from __future__ import annotations

import io

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.core.lifecycle import Status
from bot.stats.figures import STATUS_ORDER, Figures
from bot.stats.in_words import ChartText

STYLE: dict[Status, tuple[str, str]] = {
    Status.MENUNGGU_VERIFIKASI: ("#E69F00", ""),
    Status.DITUNDA: ("#F0E442", ".."),
    Status.DITERUSKAN: ("#56B4E9", "//"),
    Status.DITINDAKLANJUTI: ("#0072B2", "\\\\"),
    Status.SELESAI: ("#009E73", ""),
    Status.BUKAN_WEWENANG: ("#D55E00", "xx"),
    Status.DIARSIPKAN: ("#999999", "--"),
}
SHARE_COLOUR = "#0072B2"
DPI = 120


def render_chart(figures: Figures, text: ChartText) -> bytes:
    """Both panels side by side, as PNG bytes."""
    rows = max(len(figures.agencies), 1)
    figure = Figure(figsize=(13, max(5.0, 0.55 * rows + 2.0)), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    bars_axes, share_axes = figure.subplots(1, 2, width_ratios=(3, 2))
    _draw_bars(bars_axes, figures, text)
    _draw_shares(share_axes, figures, text)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _draw_bars(axes: Axes, figures: Figures, text: ChartText) -> None:
    positions = list(range(len(figures.counts)))
    bottoms = [0] * len(positions)
    for index, status in enumerate(STATUS_ORDER):
        heights = [bar[index] for bar in figures.counts]
        if not any(heights):
            continue
        colour, hatch = STYLE[status]
        axes.bar(
            positions,
            heights,
            bottom=bottoms,
            color=colour,
            hatch=hatch,
            edgecolor="#333333",
            linewidth=0.6,
            label=text.statuses[index],
        )
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    for position, total in zip(positions, bottoms, strict=True):
        if total:
            axes.annotate(
                str(total), (position, total), ha="center", va="bottom", fontsize=10,
                xytext=(0, 2), textcoords="offset points",
            )  # fmt: skip
    axes.set_xticks(positions, text.bars, rotation=30, ha="right")
    axes.set_ylabel(text.count_axis)
    axes.set_title(text.bars_title, fontsize=12)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max(max(bottoms) * 1.15, 1))
    axes.spines[["top", "right"]].set_visible(False)
    # Below the plot, so that it never hides a tall bar.
    axes.figure.legend(loc="outside lower center", ncols=4, fontsize=9, frameon=False)


def _draw_shares(axes: Axes, figures: Figures, text: ChartText) -> None:
    axes.set_title(text.agencies_title, fontsize=12)
    axes.spines[["top", "right"]].set_visible(False)
    if not figures.agencies:
        axes.text(0.5, 0.5, text.no_agencies, ha="center", va="center", wrap=True)
        axes.set_axis_off()
        return
    positions = list(range(len(figures.agencies)))
    shares = [a.share or 0 for a in figures.agencies]
    axes.barh(positions, shares, color=SHARE_COLOUR, edgecolor="#333333", linewidth=0.6)
    for position, share, note in zip(positions, shares, text.notes, strict=True):
        axes.annotate(
            note, (share, position), va="center", fontsize=9,
            xytext=(4, 0), textcoords="offset points",
        )  # fmt: skip
    axes.set_yticks(positions, text.agencies)
    axes.invert_yaxis()
    axes.set_xlim(0, 130)
    axes.set_xticks([0, 25, 50, 75, 100])
    axes.set_xlabel(text.share_axis)
