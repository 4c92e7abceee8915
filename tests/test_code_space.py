"""The tracking-code spaces: seven digits as today, nine once seven run short."""

from __future__ import annotations

import random
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.code_space import (
    LONG,
    SHORT,
    SHORT_FILL,
    damm_check_digit,
    draw,
    format_digits,
    is_valid,
    plan,
    spell_digits,
    walk,
)

# A code handed out before the long space existed (the docs' example, check digit 3).
ISSUED_BEFORE = 7264183

long_codes = st.integers(LONG.lowest_body, 10 * LONG.lowest_body - 1).map(LONG.code)
any_codes = st.one_of(st.integers(SHORT.lowest_body, 10 * SHORT.lowest_body - 1).map(SHORT.code),
                      long_codes)  # fmt: skip


def test_at_least_ten_million_codes() -> None:
    assert SHORT.capacity == 900_000
    assert LONG.capacity == 90_000_000
    assert SHORT.capacity + LONG.capacity >= 10_000_000


def test_codes_already_handed_out_stay_valid_and_look_the_same() -> None:
    assert is_valid(str(ISSUED_BEFORE))
    assert format_digits(ISSUED_BEFORE) == "726-4183"
    assert spell_digits(ISSUED_BEFORE) == "7 2 6, 4 1 8 3"


def test_a_long_code_reads_in_three_groups() -> None:
    code = LONG.code(72641851)
    assert code == int("72641851" + str(damm_check_digit("72641851")))
    digits = str(code)
    assert format_digits(code) == f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    assert spell_digits(code) == ", ".join(" ".join(digits[i : i + 3]) for i in (0, 3, 6))


@given(long_codes)
def test_every_single_digit_error_in_a_long_code_is_caught(code: int) -> None:
    digits = str(code)
    assert is_valid(digits)
    for position, replacement in product(range(len(digits)), "0123456789"):
        if digits[position] != replacement:
            assert not is_valid(digits[:position] + replacement + digits[position + 1 :])


@given(long_codes)
def test_every_adjacent_transposition_in_a_long_code_is_caught(code: int) -> None:
    digits = str(code)
    for position in range(len(digits) - 1):
        a, b = digits[position], digits[position + 1]
        if a != b:
            assert not is_valid(digits[:position] + b + a + digits[position + 2 :])


@given(any_codes, st.data())
def test_a_dropped_or_doubled_digit_never_makes_another_valid_code(
    code: int, data: st.DataObject
) -> None:
    # Lengths 7 and 9 only: one digit more or fewer is always a length no code has.
    digits = str(code)
    position = data.draw(st.integers(0, len(digits) - 1))
    assert not is_valid(digits[:position] + digits[position + 1 :])
    assert not is_valid(digits[:position] + digits[position] + digits[position:])


def test_eight_digits_and_a_leading_zero_are_never_codes() -> None:
    body = "7264185"
    assert not is_valid(body + str(damm_check_digit(body)))
    body = "02641851"
    assert not is_valid(body + str(damm_check_digit(body)))


def test_draws_stay_in_their_space() -> None:
    rng = random.Random(17)
    for _ in range(2000):
        assert SHORT.holds(draw(SHORT, rng))
        assert LONG.holds(draw(LONG, rng))


def test_short_codes_until_the_short_space_is_half_used() -> None:
    half = int(SHORT.capacity * SHORT_FILL)
    assert plan(0) == (SHORT, LONG)
    assert plan(half - 1) == (SHORT, LONG)
    assert plan(half) == (LONG,)
    assert plan(10_000_000) == (LONG,)


def test_the_walk_covers_the_whole_space_once_from_any_start() -> None:
    small = SHORT
    start = small.code(876_543)
    seen: list[int] = []
    for window in walk(small, start, 4096):
        seen.extend(window)
    assert len(seen) == small.capacity == len(set(seen))
    assert seen[0] == start
    assert all(small.holds(code) for code in seen[:1000])


def test_the_walk_finds_the_one_free_code_left() -> None:
    # A nearly full space, modelled by what is taken: the walk still finds the gap.
    rng = random.Random(3)
    free = SHORT.code(rng.randrange(SHORT.lowest_body, 10 * SHORT.lowest_body))
    found = None
    for window in walk(SHORT, draw(SHORT, rng), 50_000):
        gaps = [code for code in window if code == free]
        if gaps:
            found = gaps[0]
            break
    assert found == free


def test_a_body_outside_the_space_is_refused() -> None:
    with pytest.raises(ValueError):
        SHORT.code(99_999)
    with pytest.raises(ValueError):
        LONG.code(100_000_000)
    with pytest.raises(ValueError):
        format_digits(12_345_678)
