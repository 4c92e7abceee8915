"""Where tracking codes come from once seven digits are not enough: a second, longer space.

Today's codes are six random digits and a Damm check digit, never starting with 0:
900,000 codes. A city that keeps a million reports runs out, and long before that a
random draw mostly hits codes already taken. The answer kept here:

- Two lengths only, **7 and 9 digits**, never 8. Every code, of either length, is digits
  with a Damm check digit and no leading 0, so a single mistyped digit and two swapped
  neighbours are caught exactly as before. Skipping 8 keeps the third kind of typo
  caught too: a digit dropped or typed twice turns 7 digits into 6 or 8 and 9 into 8 or
  10, a length no code has, so it is never silently another valid code.
- Nine digits are shown in three groups, ``726-418-514``, and spelled "7 2 6, 4 1 8, 5 1
  4": a screen reader says three short numbers ("tujuh ratus dua puluh enam, empat ratus
  delapan belas, lima ratus empat belas") where one long one would be unsayable, the
  same shape as today's ``726-4185``. 90,000,000 nine-digit codes, 90,900,000 in all.
- Codes already handed out stay valid: a seven-digit code is still a code.
- Short codes are easier to say, so they are drawn while the short space is less than
  half used; past that, every new code is long. Half full, a random short draw is taken
  with odds of one half at worst; the long space stays under 2% used at a million reports.
- Filing never fails for lack of a code: random draws first (codes must not be guessable,
  or anyone could probe "cek status"), and if every draw is taken, a walk over consecutive
  codes from a random start until a free one turns up, which ends while any code is free.

Pure: the caller (storage) says how many reports exist and which codes are taken.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "LENGTHS",
    "LONG",
    "SHORT",
    "SHORT_FILL",
    "CodeSpace",
    "damm_check_digit",
    "draw",
    "format_digits",
    "plan",
    "space_of",
    "spell_digits",
    "split",
    "walk",
]

Source = random.Random | secrets.SystemRandom

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


def damm_check_digit(digits: str) -> int:
    """The Damm interim digit of ``digits``: the check digit to append, or 0 if valid."""
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"expected ASCII digits, got {digits!r}")
    interim = 0
    for ch in digits:
        interim = _DAMM_TABLE[interim][int(ch)]
    return interim


@dataclass(frozen=True)
class CodeSpace:
    """Codes of one length: a body without leading 0, then its Damm check digit."""

    length: int
    # How the digits are grouped for people: 3-4 reads "726-4185", 3-3-3 "726-418-514".
    groups: tuple[int, ...]

    @property
    def lowest_body(self) -> int:
        return int(10 ** (self.length - 2))

    @property
    def capacity(self) -> int:
        """How many codes the space holds (bodies from 10...0 to 99...9)."""
        return 9 * self.lowest_body

    def code(self, body: int) -> int:
        """The code made of a body and its check digit."""
        if not self.lowest_body <= body < 10 * self.lowest_body:
            raise ValueError(f"a body of {self.length - 1} digits, not starting with 0: {body}")
        digits = str(body)
        return int(digits + str(damm_check_digit(digits)))

    def body(self, code: int) -> int:
        return code // 10

    def holds(self, code: int) -> bool:
        """Whether `code` is a valid code of this length."""
        digits = str(code)
        return len(digits) == self.length and digits[0] != "0" and damm_check_digit(digits) == 0


SHORT = CodeSpace(7, (3, 4))
LONG = CodeSpace(9, (3, 3, 3))
# Longest first is not needed: lengths differ, so a code's length names its space.
SPACES = (SHORT, LONG)
LENGTHS = tuple(space.length for space in SPACES)
# Short codes are drawn while fewer reports than this share of the short space exist.
SHORT_FILL = 0.5
# Random draws in a space before walking it.
DRAWS = 8


def space_of(digits: str) -> CodeSpace | None:
    """The space a string of that many digits would belong to; None for other lengths."""
    return next((space for space in SPACES if space.length == len(digits)), None)


def is_valid(digits: str) -> bool:
    """ASCII digits of a code this bot issues: 7 or 9 long, no leading 0, check digit good."""
    space = space_of(digits)
    return space is not None and digits.isascii() and digits.isdigit() and space.holds(int(digits))


def split(digits: str, groups: tuple[int, ...]) -> list[str]:
    """The digits cut into groups of these sizes."""
    parts, at = [], 0
    for size in groups:
        parts.append(digits[at : at + size])
        at += size
    return parts


def _space_for(code: int) -> tuple[str, CodeSpace]:
    digits = str(int(code))
    space = space_of(digits)
    if space is None:
        raise ValueError(f"a tracking code has {' or '.join(map(str, LENGTHS))} digits: {code}")
    return digits, space


def format_digits(code: int) -> str:
    """``7264183`` -> ``"726-4183"``, ``726418514`` -> ``"726-418-514"``: hyphens make a
    voice pause where a space would join the groups into one large number."""
    digits, space = _space_for(code)
    return "-".join(split(digits, space.groups))


def spell_digits(code: int) -> str:
    """``726418514`` -> ``"7 2 6, 4 1 8, 5 1 4"``, so a screen reader says each digit."""
    digits, space = _space_for(code)
    return ", ".join(" ".join(part) for part in split(digits, space.groups))


def plan(reports: int) -> tuple[CodeSpace, ...]:
    """The spaces to draw from, in order, when `reports` reports exist (an upper bound is
    fine: the highest report id)."""
    if reports < SHORT.capacity * SHORT_FILL:
        return (SHORT, LONG)
    return (LONG,)


def draw(space: CodeSpace, rng: Source | None = None) -> int:
    """A random code of the space (the OS's random source unless one is given)."""
    source = rng if rng is not None else secrets.SystemRandom()
    return space.code(source.randrange(space.lowest_body, 10 * space.lowest_body))


def walk(space: CodeSpace, start: int, size: int) -> Iterator[list[int]]:
    """Consecutive codes from `start`'s body on, `size` at a time, wrapping round once:
    the caller keeps the first window that has a code no report has."""
    low, count = space.lowest_body, space.capacity
    first = space.body(start) - low if space.holds(start) else 0
    for offset in range(0, count, size):
        yield [
            space.code(low + (first + offset + k) % count) for k in range(min(size, count - offset))
        ]
