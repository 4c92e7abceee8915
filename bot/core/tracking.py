"""Tracking codes: random digits plus a Damm check digit, shown as ``726-4185``.

A citizen may read the code off a screen, hear it from a screen reader, or have it
dictated over the phone, so it has to survive one mistyped digit or two swapped
neighbours. The Damm check digit catches every single-digit error and every
adjacent transposition, and unlike Luhn it needs no doubling rule and no letters.

The first digit is never 0: a leading zero is dropped by spreadsheets and by
people ("0726418" becomes "726418"), and the code is stored as an integer.

Codes have seven digits (``726-4185``) or, once those run short, nine (``726-418-514``):
bot/core/code_space.py says why those two lengths and when the longer one is used.
Uniqueness is not this module's job: storage draws codes until one is free.
"""

from __future__ import annotations

import random
import re
import secrets
import unicodedata
from typing import Literal

from bot.core import code_space
from bot.core.code_space import SHORT, damm_check_digit

__all__ = [
    "CODE_LENGTH",
    "CODE_LENGTHS",
    "CodeError",
    "TrackingCode",
    "damm_check_digit",
    "format_code",
    "format_typed",
    "is_valid",
    "new_code",
    "parse_code",
    "spell_code",
]

# Today's codes; a city past half of them gets nine-digit ones (bot/core/code_space.py).
CODE_LENGTH = SHORT.length
CODE_LENGTHS = code_space.LENGTHS

CodeErrorReason = Literal["not_a_code", "wrong_length", "check_digit"]


class CodeError(ValueError):
    """Text that cannot be a tracking code; ``reason`` picks the explanation shown.

    ``not_a_code``: no digits at all. ``wrong_length``: digits, but neither seven nor
    nine. ``check_digit``: the right number of digits but not a code this bot issues,
    either because the check digit fails (a typo) or because the code starts with 0,
    which is never issued; both get the same advice: check the digits and retype.
    """

    def __init__(self, reason: CodeErrorReason, text: str = "") -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason: CodeErrorReason = reason
        self.text = text


def is_valid(digits: str) -> bool:
    """True when ``digits`` are 7 or 9 ASCII digits, not starting with 0, check digit good."""
    return code_space.is_valid(digits)


class TrackingCode(int):
    """A validated tracking code; an ``int`` so it stores and compares as a plain number.

    ``str()`` stays the plain digits (callback data, logs and the database expect
    that); use ``.formatted`` or :func:`format_code` for people.
    """

    def __new__(cls, value: int | str) -> TrackingCode:
        digits = str(value)
        if not is_valid(digits):
            if not (digits.isascii() and digits.isdigit()):
                raise CodeError("not_a_code", digits)
            if len(digits) not in CODE_LENGTHS:
                raise CodeError("wrong_length", digits)
            raise CodeError("check_digit", digits)
        return super().__new__(cls, int(digits))

    @classmethod
    def parse(cls, text: str) -> TrackingCode:
        return parse_code(text)

    @property
    def formatted(self) -> str:
        return format_code(self)

    @property
    def spoken(self) -> str:
        return spell_code(self)


def new_code(rng: random.Random | secrets.SystemRandom | None = None) -> TrackingCode:
    """A fresh seven-digit code; ``rng`` exists so tests can be reproducible.

    The default is the OS random source because a guessable code would let anyone
    probe other people's reports through "cek status" (which is also limited to the
    citizen's own reports, but the code should not be the weak link).
    """
    return TrackingCode(code_space.draw(SHORT, rng))


def format_code(code: int) -> str:
    """``7264185`` -> ``"726-4185"``, ``726418514`` -> ``"726-418-514"``; a hyphen makes a
    voice pause where a space would join the groups into one large number."""
    return code_space.format_digits(code)


def spell_code(code: int) -> str:
    """``7264185`` -> ``"7 2 6, 4 1 8 5"``, so a screen reader says each digit."""
    return code_space.spell_digits(code)


def format_typed(digits: str) -> str:
    """Digits someone typed, grouped as a code of that length would be (for saying back
    a code that failed its check); other lengths as they are."""
    space = code_space.space_of(digits)
    if space is None:
        return digits
    return "-".join(code_space.split(digits, space.groups))


_ANY_DIGIT = re.compile(r"\d")


def parse_code(text: str) -> TrackingCode:
    """Read a code out of whatever the citizen typed.

    Every digit in the text is taken, in order, and everything else ignored, so
    "726-4185", "726 41 85", "#726.4185" and "kode 726-4185" all work without
    guessing which words are safe to strip. Digits from other scripts (full-width,
    Arabic-Indic) count, since some keyboards produce them.
    """
    digits = "".join(str(unicodedata.decimal(ch)) for ch in _ANY_DIGIT.findall(text))
    if not digits:
        raise CodeError("not_a_code", text)
    if len(digits) not in CODE_LENGTHS:
        raise CodeError("wrong_length", text)
    if not is_valid(digits):
        raise CodeError("check_digit", text)
    return TrackingCode(digits)
