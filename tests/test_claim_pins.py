"""Claim PINs: random, hashed with a salted scrypt, read from what people type, judged once."""

from __future__ import annotations

import base64
import hashlib
import random

import pytest

from bot.core.claims import (
    MAX_WRONG,
    PIN_LENGTH,
    ClaimAttempt,
    PinError,
    Verdict,
    format_pin,
    hash_pin,
    judge,
    new_pin,
    parse_pin,
    read_claim,
    spell_pin,
    verify_pin,
)
from bot.core.tracking import CodeError

PIN = "482913"
STORED = hash_pin(PIN)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_new_pins_are_six_digits_never_starting_with_zero() -> None:
    rng = random.Random(2026)
    pins = [new_pin(rng) for _ in range(5000)]
    assert all(len(p) == PIN_LENGTH and p.isdigit() and p[0] != "0" for p in pins)
    # Spread over the whole range, not a handful of values.
    assert len(set(pins)) > 4900
    assert min(pins) < "200000" and max(pins) > "900000"


def test_new_pins_are_reproducible_only_with_a_seeded_source() -> None:
    assert new_pin(random.Random(1)) == new_pin(random.Random(1))
    assert len({new_pin() for _ in range(20)}) > 1


def test_the_stored_value_is_a_salted_scrypt_hash_not_the_pin() -> None:
    scheme, n, r, p, salt, key = STORED.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert PIN not in STORED
    raw_salt = base64.urlsafe_b64decode(salt + "==")
    assert len(raw_salt) == 16
    expected = hashlib.scrypt(PIN.encode(), salt=raw_salt, n=16384, r=8, p=1, dklen=32)
    assert _b64(expected) == key
    # A fresh salt each time: the same PIN never stores the same value twice.
    assert hash_pin(PIN) != STORED


def test_verify_accepts_the_pin_and_nothing_else() -> None:
    assert verify_pin(PIN, STORED)
    assert not verify_pin("482914", STORED)
    assert not verify_pin("", STORED)


def test_verify_reads_the_parameters_from_the_stored_value() -> None:
    # RFC 7914 section 12's second test vector, stored in our format: verify must use the
    # stored N, r, p and length, so stronger parameters later keep old PINs working.
    key = bytes.fromhex(
        "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
        "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"
    )
    stored = "$".join(("scrypt", "1024", "8", "16", _b64(b"NaCl"), _b64(key)))
    assert verify_pin("password", stored)
    assert not verify_pin("passwore", stored)


@pytest.mark.parametrize(
    "stored",
    ["", "scrypt", "bcrypt$16384$8$1$abc$def", "scrypt$x$8$1$abc$def", "scrypt$16384$8$1$!!$??"],
)
def test_a_malformed_stored_value_matches_nothing(stored: str) -> None:
    assert not verify_pin(PIN, stored)


@pytest.mark.parametrize(
    "typed", ["482913", "482-913", " 4 8 2 9 1 3 ", "PIN 482.913", "４８２９１３"]
)
def test_pins_are_read_from_what_people_type(typed: str) -> None:
    assert parse_pin(typed) == PIN


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "not_a_pin"),
        ("abc", "not_a_pin"),
        ("48291", "wrong_length"),
        ("4829130", "wrong_length"),
    ],
)
def test_what_is_not_a_pin_says_why(typed: str, reason: str) -> None:
    with pytest.raises(PinError) as raised:
        parse_pin(typed)
    assert raised.value.reason == reason


def test_pins_are_written_to_be_read_aloud() -> None:
    assert format_pin(PIN) == "482-913"
    assert spell_pin(PIN) == "4 8 2, 9 1 3"


@pytest.mark.parametrize(
    "typed",
    ["726-4183 482913", "7264183482913", "kode 726-4183 pin 482-913", "726 41 83, 4 8 2 9 1 3"],
)
def test_a_code_and_its_pin_typed_together(typed: str) -> None:
    assert read_claim(typed) == ClaimAttempt(7264183, PIN)  # type: ignore[arg-type]


@pytest.mark.parametrize("typed", ["726-4183", "482913", "halo", "726-4183 48291", ""])
def test_anything_else_is_not_a_claim(typed: str) -> None:
    assert read_claim(typed) is None


def test_a_mistyped_code_in_a_claim_is_explained_as_a_code() -> None:
    with pytest.raises(CodeError) as raised:
        read_claim("726-4185 482913")
    assert raised.value.reason == "check_digit"


def test_the_right_pin_claims_a_fresh_report() -> None:
    assert judge(PIN, stored=STORED, used=False, wrong_tries=0) is Verdict.CLAIMED
    assert judge(PIN, stored=STORED, used=False, wrong_tries=MAX_WRONG - 1) is Verdict.CLAIMED


def test_a_wrong_pin_is_wrong() -> None:
    assert judge("111111", stored=STORED, used=False, wrong_tries=0) is Verdict.WRONG


def test_a_spent_pin_is_used_when_right_and_wrong_when_not() -> None:
    assert judge(PIN, stored=STORED, used=True, wrong_tries=0) is Verdict.USED
    assert judge("111111", stored=STORED, used=True, wrong_tries=0) is Verdict.WRONG


def test_too_many_wrong_tries_lock_the_pin_even_against_the_right_one() -> None:
    assert judge(PIN, stored=STORED, used=False, wrong_tries=MAX_WRONG) is Verdict.LOCKED
    assert judge("111111", stored=STORED, used=False, wrong_tries=MAX_WRONG) is Verdict.LOCKED
