"""Tracking codes: six random digits plus a Damm check digit, shown as ``726-4185``.

A citizen may read the code off a screen, hear it from a screen reader, or have it
dictated over the phone, so it has to survive one mistyped digit or two swapped
neighbours. The Damm check digit catches every single-digit error and every
adjacent transposition, and unlike Luhn it needs no doubling rule and no letters.

The first digit is never 0: a leading zero is dropped by spreadsheets and by
people ("0726418" becomes "726418"), and the code is stored as an integer.

Uniqueness is not this module's job: there are 900,000 codes, so the caller draws
a new one and retries when the database's unique constraint says it is taken.
"""

from __future__ import annotations

import random
import re
import secrets
import unicodedata
from typing import Literal

__all__ = [
    "CODE_LENGTH",
    "CodeError",
    "TrackingCode",
    "damm_check_digit",
    "format_code",
    "is_valid",
    "new_code",
    "parse_code",
    "spell_code",
]

CODE_LENGTH = 7
_LOWEST = 10 ** (CODE_LENGTH - 1)
_HIGHEST = 10**CODE_LENGTH - 1

# The weakly totally anti-symmetric quasigroup of order 10 from Damm's thesis (2004),
# the table every published implementation uses; changing it would invalidate codes
# already handed out.
_DAMM_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

CodeErrorReason = Literal["not_a_code", "wrong_length", "check_digit"]


class CodeError(ValueError):
    """Text that cannot be a tracking code; ``reason`` picks the explanation shown.

    ``not_a_code``: no digits at all. ``wrong_length``: digits, but not seven.
    ``check_digit``: seven digits that are not a code this bot issues, either
    because the check digit fails (a typo) or because the code starts with 0,
    which is never issued; both get the same advice: check the digits and retype.
    """

    def __init__(self, reason: CodeErrorReason, text: str = "") -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason: CodeErrorReason = reason
        self.text = text


def damm_check_digit(digits: str) -> int:
    """The Damm interim digit of ``digits``: the check digit to append, or 0 if valid."""
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"expected ASCII digits, got {digits!r}")
    interim = 0
    for ch in digits:
        interim = _DAMM_TABLE[interim][int(ch)]
    return interim


def is_valid(digits: str) -> bool:
    """True when ``digits`` is seven ASCII digits, not starting with 0, with a good check digit."""
    return (
        len(digits) == CODE_LENGTH
        and digits.isascii()
        and digits.isdigit()
        and digits[0] != "0"
        and damm_check_digit(digits) == 0
    )


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
            if len(digits) != CODE_LENGTH:
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
    """A fresh code; ``rng`` exists so tests can be reproducible.

    The default is the OS random source because a guessable code would let anyone
    probe other people's reports through "cek status" (which is also limited to the
    citizen's own reports, but the code should not be the weak link).
    """
    source = rng if rng is not None else secrets.SystemRandom()
    body = str(source.randint(_LOWEST // 10, _HIGHEST // 10))
    return TrackingCode(body + str(damm_check_digit(body)))


def _checked_digits(code: int) -> str:
    if not _LOWEST <= code <= _HIGHEST:
        raise ValueError(f"a tracking code has {CODE_LENGTH} digits, got {code!r}")
    return str(int(code))


def format_code(code: int) -> str:
    """``7264185`` -> ``"726-4185"``; a hyphen makes a voice pause where a space would
    join the halves into one large number."""
    digits = _checked_digits(code)
    return f"{digits[:3]}-{digits[3:]}"


def spell_code(code: int) -> str:
    """``7264185`` -> ``"7 2 6, 4 1 8 5"``, so a screen reader says each digit."""
    digits = _checked_digits(code)
    return f"{' '.join(digits[:3])}, {' '.join(digits[3:])}"


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
    if len(digits) != CODE_LENGTH:
        raise CodeError("wrong_length", text)
    if not is_valid(digits):
        raise CodeError("check_digit", text)
    return TrackingCode(digits)
