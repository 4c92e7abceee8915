"""The counter receipt as a one-page PDF, in normal or large print.

The words arrive already translated (they live in the catalogues like every other text);
this module only lays them out. fpdf2 draws the page: pure Python, so the wheel installs
wherever the bot does, and it embeds a subset of a TrueType font with its Unicode map, so
the text can be copied, searched and read aloud from the PDF as printed.

The font is DejaVu Sans, the one matplotlib (already a dependency, for the statistics
chart) ships: it covers every letter an agencies file may name, where the PDF core fonts
stop at Latin-1. Large print follows the usual low-vision advice (RNIB "clear print",
APH): a plain sans-serif face, body text of at least 18 points, bold headings, black on
white, everything left-aligned and nothing in italics or capitals only.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

FAMILY = "DejaVuSans"
# Where matplotlib keeps its fonts, found without importing it; Debian's package as the
# second place to look (a system install without matplotlib's copy).
_FONT_DIRS = ("mpl-data/fonts/ttf",)
_SYSTEM_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"


class ReceiptFontMissing(RuntimeError):
    """No DejaVu Sans to draw the receipt with (matplotlib's copy or the system's)."""


class Print(StrEnum):
    """How large the receipt is printed; the value names the file."""

    NORMAL = "biasa"
    LARGE = "besar"


@dataclass(frozen=True)
class Field:
    """One fact on the receipt: its label, its value, and the value as read aloud."""

    label: str
    value: str
    spoken: str | None = None
    # The tracking code and the PIN stand out: larger and bold.
    prominent: bool = False


@dataclass(frozen=True)
class Section:
    """A heading and its lines (how to check the status, how to claim the report)."""

    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Receipt:
    """Everything the receipt says, in the reader's language, in reading order."""

    language: str
    title: str
    issuer: str
    fields: tuple[Field, ...]
    sections: tuple[Section, ...]
    footer: str = ""


@dataclass(frozen=True)
class Sizes:
    """Type sizes in points, and the space between blocks in millimetres."""

    title: float
    issuer: float
    label: float
    value: float
    prominent: float
    body: float
    gap: float

    def scaled(self, factor: float) -> Sizes:
        """Every size times the factor (used only to fit an unusually long receipt)."""
        return Sizes(*(size * factor for size in vars(self).values()))


SIZES = {
    Print.NORMAL: Sizes(title=20, issuer=12, label=11, value=13, prominent=26, body=11, gap=4),
    Print.LARGE: Sizes(title=26, issuer=18, label=18, value=20, prominent=36, body=18, gap=4),
}
# The most a receipt is shrunk to stay on one page: the large print's body text never goes
# below 16 points, the normal one's below 9. Large print longer than that takes a second
# page rather than lose what makes it large print (it never has with real agencies files).
SMALLEST = {Print.NORMAL: 9 / 11, Print.LARGE: 16 / 18}
MARGIN_MM = 15
LINE_SPACING = 1.3
PT_TO_MM = 25.4 / 72
RULE_GREY = 120


def font_dir() -> Path:
    """The folder holding DejaVu Sans regular and bold."""
    spec = importlib.util.find_spec("matplotlib")
    places = []
    if spec is not None and spec.origin is not None:
        places += [Path(spec.origin).parent / sub for sub in _FONT_DIRS]
    places.append(_SYSTEM_FONT_DIR)
    for place in places:
        if (place / REGULAR).is_file() and (place / BOLD).is_file():
            return place
    raise ReceiptFontMissing(
        "DejaVu Sans was not found (looked in matplotlib's fonts and the system's)"
    )


@cache
def _page_type() -> Any:
    """The page class, made on first use: fpdf2 brings Pillow, fontTools and numpy with it,
    some 50 MB that a bot which never prints a receipt need not carry."""
    from fpdf import FPDF  # noqa: PLC0415 - see the docstring
    from fpdf.enums import Align, XPos, YPos  # noqa: PLC0415

    class _Page(FPDF):
        """An A4 page drawn with DejaVu Sans, its metadata set for search and screen readers."""

        def __init__(self, receipt: Receipt, created: datetime | None) -> None:
            super().__init__(orientation="portrait", unit="mm", format="A4")
            fonts = font_dir()
            self.add_font(FAMILY, "", str(fonts / REGULAR))
            self.add_font(FAMILY, "B", str(fonts / BOLD))
            self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
            self.set_auto_page_break(auto=True, margin=MARGIN_MM)
            self.set_lang(receipt.language)
            self.set_title(receipt.title)
            self.set_subject(receipt.issuer)
            self.set_creator("lapor-bot")
            self.set_producer("lapor-bot")
            if created is not None:
                self.set_creation_date(created)
            # Opens at full width: the receipt is read on a phone as often as it is printed.
            self.set_display_mode(zoom="fullwidth", layout="single")
            self.set_text_color(0, 0, 0)

        def write_block(self, text: str, size: float, *, bold: bool = False) -> None:
            """Left-aligned text that wraps at words, starting on a new line."""
            self.set_font(FAMILY, "B" if bold else "", size)
            self.multi_cell(
                w=0,
                h=size * PT_TO_MM * LINE_SPACING,
                text=text,
                align=Align.L,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )

        def rule(self, gap: float) -> None:
            """A thin grey line between parts, with room around it."""
            self.ln(gap / 2)
            self.set_draw_color(RULE_GREY)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(gap / 2)

    return _Page


def _draw(receipt: Receipt, sizes: Sizes, created: datetime | None) -> Any:
    page = _page_type()(receipt, created)
    page.add_page()
    page.write_block(receipt.title, sizes.title, bold=True)
    page.write_block(receipt.issuer, sizes.issuer)
    page.rule(sizes.gap)
    for field in receipt.fields:
        page.write_block(field.label, sizes.label)
        page.write_block(
            field.value, sizes.prominent if field.prominent else sizes.value, bold=True
        )
        if field.spoken:
            page.write_block(field.spoken, sizes.body)
        page.ln(sizes.gap / 2)
    for section in receipt.sections:
        page.rule(sizes.gap)
        page.write_block(section.heading, sizes.value, bold=True)
        for line in section.lines:
            page.write_block(line, sizes.body)
    if receipt.footer:
        page.rule(sizes.gap)
        page.write_block(receipt.footer, sizes.body)
    return page


def render(
    receipt: Receipt, size: Print = Print.NORMAL, *, created: datetime | None = None
) -> bytes:
    """The receipt as PDF bytes, on one A4 page.

    A receipt too long for one page at its sizes (a very long category or city name) is
    drawn again a little smaller, down to SMALLEST; `created` fixes the PDF's date, so
    the same receipt gives the same bytes.
    """
    base = SIZES[size]
    factor = 1.0
    while True:
        page = _draw(receipt, base.scaled(factor), created)
        if page.pages_count == 1 or factor <= SMALLEST[size]:
            return bytes(page.output())
        factor = max(SMALLEST[size], factor - 0.05)


def file_name(code: str, size: Print) -> str:
    """The document's file name: the code, and which print ("tanda-terima-726-4185-besar.pdf")."""
    suffix = "" if size is Print.NORMAL else f"-{size.value}"
    return f"tanda-terima-{code}{suffix}.pdf"
