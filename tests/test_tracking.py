from __future__ import annotations

import random
from itertools import product

import pytest

from bot.core.tracking import (
    CODE_LENGTH,
    CodeError,
    TrackingCode,
    damm_check_digit,
    format_code,
    is_valid,
    new_code,
    parse_code,
    spell_code,
)

# 726-4185 is the docs' display example; its Damm check digit is 3, so the real code is 726-4183.
VALID = 7264183


def _valid_codes(count: int, seed: int = 2026) -> list[str]:
    rng = random.Random(seed)
    return [str(new_code(rng)) for _ in range(count)]


def test_known_damm_vector() -> None:
    # The worked example in Damm's description and on Wikipedia.
    assert damm_check_digit("572") == 4
    assert damm_check_digit("5724") == 0


def test_examples_from_the_docs() -> None:
    assert damm_check_digit("726418") == 3
    assert is_valid("7264183")
    assert not is_valid("7264185")


def test_every_single_digit_error_is_caught_on_a_sample() -> None:
    for code in _valid_codes(500):
        assert is_valid(code)
        for position, replacement in product(range(CODE_LENGTH), "0123456789"):
            if code[position] == replacement:
                continue
            mistyped = code[:position] + replacement + code[position + 1 :]
            assert damm_check_digit(mistyped) != 0, (code, mistyped)


def test_every_adjacent_transposition_is_caught_on_a_sample() -> None:
    for code in _valid_codes(500, seed=7):
        for position in range(CODE_LENGTH - 1):
            a, b = code[position], code[position + 1]
            if a == b:
                continue
            swapped = code[:position] + b + a + code[position + 2 :]
            assert damm_check_digit(swapped) != 0, (code, swapped)


def test_single_errors_and_transpositions_exhaustively_over_four_digit_strings() -> None:
    for body in (f"{n:03d}" for n in range(1000)):
        code = body + str(damm_check_digit(body))
        for position, replacement in product(range(4), "0123456789"):
            if code[position] != replacement:
                assert damm_check_digit(code[:position] + replacement + code[position + 1 :])
        for position in range(3):
            a, b = code[position], code[position + 1]
            if a != b:
                assert damm_check_digit(code[:position] + b + a + code[position + 2 :])


def test_damm_rejects_non_digits() -> None:
    with pytest.raises(ValueError):
        damm_check_digit("72a")
    with pytest.raises(ValueError):
        damm_check_digit("７２６")  # full-width digits are normalised by parse_code, not here


def test_is_valid_needs_seven_digits_not_starting_with_zero() -> None:
    assert not is_valid("726418")
    assert not is_valid("72641830")
    body = "72641"
    with_zero = "0" + body + str(damm_check_digit(body))
    assert damm_check_digit(with_zero) == 0  # a leading zero does not change the Damm sum
    assert not is_valid(with_zero)


def test_new_code_shape() -> None:
    rng = random.Random(1)
    codes = [new_code(rng) for _ in range(2000)]
    for code in codes:
        assert isinstance(code, int)
        assert 1_000_000 <= code <= 9_999_999
        assert is_valid(str(code))
    assert len({str(c)[0] for c in codes}) == 9  # every leading digit 1-9 occurs


def test_new_code_is_reproducible_with_a_seeded_rng_and_random_without() -> None:
    assert [new_code(random.Random(5)) for _ in range(3)] == [
        new_code(random.Random(5)) for _ in range(3)
    ]
    drawn = {int(new_code()) for _ in range(50)}
    assert len(drawn) > 45
    assert all(is_valid(str(c)) for c in drawn)


def test_format_and_spell() -> None:
    assert format_code(7264185) == "726-4185"
    assert spell_code(7264185) == "7 2 6, 4 1 8 5"
    assert str(TrackingCode(VALID)) == "7264183"
    assert f"{TrackingCode(VALID)}" == "7264183"
    assert TrackingCode(VALID).spoken == "7 2 6, 4 1 8 3"
    assert TrackingCode(VALID).formatted == "726-4183"
    for bad in (726418, 72641830, 0, -7264183):
        with pytest.raises(ValueError):
            format_code(bad)


@pytest.mark.parametrize(
    "text",
    [
        "726-4183",
        "726 4183",
        "7264183",
        "#726.41.83",
        "kode 726-4183",
        "Kode laporan: 726 - 41 - 83.",
        "  726_4183\n",
        "７２６-４１８３",  # full-width digits from some keyboards
    ],
)
def test_parse_variants(text: str) -> None:
    code = parse_code(text)
    assert code == VALID
    assert isinstance(code, TrackingCode)
    assert TrackingCode.parse(text) == VALID


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "not_a_code"),
        ("halo, laporan saya bagaimana", "not_a_code"),
        ("726-418", "wrong_length"),
        ("726-41833", "wrong_length"),
        ("laporan 2 kode 726-4183", "wrong_length"),  # every digit counts
        ("726-4185", "check_digit"),  # one digit mistyped
        ("762-4183", "check_digit"),  # two digits swapped
    ],
)
def test_parse_errors(text: str, reason: str) -> None:
    with pytest.raises(CodeError) as caught:
        parse_code(text)
    assert caught.value.reason == reason
    assert isinstance(caught.value, ValueError)


def test_parse_rejects_a_leading_zero_as_check_digit() -> None:
    body = "072641"
    code = body + str(damm_check_digit(body))
    assert damm_check_digit(code) == 0  # passes Damm, yet is never issued
    with pytest.raises(CodeError) as caught:
        parse_code(f"{code[:3]}-{code[3:]}")
    assert caught.value.reason == "check_digit"


def test_tracking_code_constructor_validates() -> None:
    assert TrackingCode("7264183") == VALID
    for bad, reason in (("abc", "not_a_code"), (726418, "wrong_length"), (7264185, "check_digit")):
        with pytest.raises(CodeError) as caught:
            TrackingCode(bad)
        assert caught.value.reason == reason
