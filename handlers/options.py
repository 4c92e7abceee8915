"""Numbered choices shown to citizens: labels from the catalogues, typed words that pick them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from bot.language.choices import Option
from bot.language.i18n import Listing, Locales, Msg

T = TypeVar("T")


def choices(locales: Locales, pairs: Sequence[tuple[T, str]]) -> list[Option[T]]:
    """Options whose words are every locale's label of each key plus its synonyms."""
    return [Option(value, locales.labels(key)) for value, key in pairs]


def listing(pairs: Sequence[tuple[object, str]]) -> Listing:
    """The numbered list shown in the message."""
    return Listing(tuple(Msg(key) for _, key in pairs))


def buttons(pairs: Sequence[tuple[object, str]], per_row: int = 2) -> tuple[tuple[Msg, ...], ...]:
    """Shortcut buttons with the same labels, a few to a row."""
    labels = [Msg(key) for _, key in pairs]
    return tuple(tuple(labels[i : i + per_row]) for i in range(0, len(labels), per_row))


def wrong_choice(count: int) -> tuple[str, dict[str, object]]:
    """The message for an answer that is none of `count` choices: "1 atau 2" for two."""
    return ("error.choice_dua", {}) if count == 2 else ("error.choice", {"count": count})
