"""One cleaning of people's text for every channel (bot/core/intake/cleaning.py)."""

from __future__ import annotations

import pytest

from bot.core.intake.cleaning import clean, readable, visible, visible_length


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("Lampu mati\x00 di Jalan Riau", "Lampu mati di Jalan Riau"),
        ("\x1b[31mMERAH\x1b[0m", "[31mMERAH[0m"),
        ("Jalan \u202euaiR\u202c nomor 40", "Jalan uaiR nomor 40"),
        ("a\u2066b\u2069c\u202dd", "abcd"),
        ("marks stay \u200f\u061c", "marks stay \u200f\u061c"),
        ("baris satu\r\nbaris dua\rtiga", "baris satu\nbaris dua\ntiga"),
        ("  spasi di tepi \n", "  spasi di tepi \n"),
        ("cafe\u0301", "café"),
        ("lone \ud800 surrogate \ufffe", "lone  surrogate "),
        ("C1 \x9b31m control \x85", "C1 31m control "),
        ("tab\tdan baris\nbaru tetap", "tab\tdan baris\nbaru tetap"),
        ("emoji 👨\u200d👩\u200d👧 tetap utuh", "emoji 👨\u200d👩\u200d👧 tetap utuh"),
    ],
)
def test_clean_drops_what_no_reader_should_get(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned


@pytest.mark.parametrize(
    "blank",
    ["", " \n\t", "\u200b\u200c\u200d", "\ufeff\u2060", "\u3164\u3164", "\u2800", "\u00a0\u2003"],
)
def test_zero_width_and_blank_only_text_is_not_visible(blank: str) -> None:
    assert not visible(clean(blank))
    assert visible_length(blank) == 0


def test_visible_counts_what_shows() -> None:
    assert visible("\u200bok")
    assert visible_length("a\u200bb\u200c c") == 3
    assert visible("👍")


def test_readable_is_cleaned_trimmed_and_never_blank() -> None:
    assert readable("  Lampu\x00 mati \u202e ") == "Lampu mati"
    assert readable("\u200b\u200c \u3164") is None
    assert readable(None) is None
