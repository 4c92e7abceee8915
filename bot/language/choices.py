"""Reading what a citizen typed: normalised words and numbered choices."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

_INVISIBLE = {"Cf"}  # zero-width and direction marks a keyboard or a copy-paste may add
_NUMBER = re.compile(r"^(?:nomor|no|pilihan|number)?\s*(\d{1,2})$")


def normalise(text: str) -> str:
    """Fold a typed answer for comparison: case, a leading slash, stray marks, spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)
    text = text.strip().casefold()
    text = re.sub(r"@\w+$", "", text) if text.startswith("/") else text  # /menu@lapor_bot
    text = text.lstrip("/").strip()
    text = re.sub(r"[\s]+", " ", text)
    return text.strip(" .,!;:?\"'")


@dataclass(frozen=True)
class Option(Generic[T]):
    """One numbered choice: its value and every word that picks it."""

    value: T
    words: frozenset[str]


def option(value: T, words: Iterable[str]) -> Option[T]:
    """Build an option, folding its words the way typed answers are folded."""
    return Option(value, frozenset(normalise(word) for word in words if word))


def pick(answer: str, options: Sequence[Option[T]], *, numbers: bool = True) -> T | None:
    """The option a typed answer names by number ("2", "nomor 2") or by word, else None."""
    word = normalise(answer)
    number = _NUMBER.match(word) if numbers else None
    if number:
        index = int(number.group(1)) - 1
        return options[index].value if 0 <= index < len(options) else None
    for candidate in options:
        if word in candidate.words:
            return candidate.value
    return None
