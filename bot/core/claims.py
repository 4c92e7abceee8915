"""Claim PINs: the secret on a counter receipt that makes its holder the report's citizen.

A PIN is six random digits from the OS random source, never starting with 0 (people and
spreadsheets drop a leading zero, as with tracking codes). It is shown once, on the
receipt, and only its hash is stored. It works once: the first right answer claims the
report and the PIN is spent.

Which hash. Six digits are 900,000 possibilities, about 20 bits, so no hash can keep a
stolen PIN hash secret for ever: whoever holds the database can try them all. What the
hash can do is make that slow and per-report:
- a fast unsalted hash (SHA-256, as the API tokens use: their 256 random bits need no
  more) would be reversed at once by a table of 900,000 hashes, one table for every
  report;
- a random salt per PIN (16 bytes) makes every PIN a search of its own;
- scrypt (in the standard library, memory-hard, so graphics cards and ASICs gain little)
  at N=2**14, r=8, p=1 costs about 20 to 40 ms here, so one PIN's whole space takes about
  5 to 10 hours of one core, while a claim, which happens once a report, pays it once.
The real guard is online, as for code look-ups: a PIN stops working after MAX_WRONG wrong
tries, and a person's failed claims are counted and limited (the caller's storage), so a
guesser gets a few chances in 900,000 per report.

The parameters are written into the stored value ("scrypt$16384$8$1$salt$hash"), so they
can be raised later without breaking PINs already handed out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from random import Random

from bot.core.tracking import CODE_LENGTH, TrackingCode

PIN_LENGTH = 6
_LOWEST = 10 ** (PIN_LENGTH - 1)
_HIGHEST = 10**PIN_LENGTH - 1
# Wrong tries after which a PIN no longer works, even when right: the counter gives a new one.
MAX_WRONG = 5
SCHEME = "scrypt"
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
# scrypt needs 128 * N * r bytes (16 MiB here); the default ceiling (32 MiB) leaves no room
# for a stored value with a larger N, so allow four times that.
_MAX_MEMORY = 4 * 128 * SCRYPT_N * SCRYPT_R + 1024 * 1024
_ANY_DIGIT = re.compile(r"\d")


class PinError(ValueError):
    """Text that cannot be a PIN: no digits (``not_a_pin``) or not six (``wrong_length``)."""

    def __init__(self, reason: str, text: str = "") -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason = reason


def new_pin(rng: Random | secrets.SystemRandom | None = None) -> str:
    """A fresh PIN; `rng` exists so tests can be reproducible (the OS source otherwise)."""
    source = rng if rng is not None else secrets.SystemRandom()
    return str(source.randint(_LOWEST, _HIGHEST))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(pin: str, salt: bytes, *, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        pin.encode("ascii"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=_MAX_MEMORY
    )


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """The value to store for a PIN: scheme, parameters, salt and scrypt hash."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    key = _derive(pin, salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, length=KEY_BYTES)
    return "$".join((SCHEME, str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(key)))


def verify_pin(pin: str, stored: str) -> bool:
    """Whether the PIN is the one stored; a malformed stored value matches nothing.

    Compared in constant time; every call costs one scrypt, right or wrong.
    """
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != SCHEME:
            return False
        expected = _unb64(key)
        derived = _derive(pin, _unb64(salt), n=int(n), r=int(r), p=int(p), length=len(expected))
    except ValueError:
        return False
    return hmac.compare_digest(derived, expected)


def burn(pin: str) -> None:
    """Spend the time a verification takes, for a claim with nothing to verify (a code no
    counter report has), so the answer's timing does not tell which codes exist."""
    salt = secrets.token_bytes(SALT_BYTES)
    _derive(pin, salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, length=KEY_BYTES)


def _digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) for ch in _ANY_DIGIT.findall(text))


def parse_pin(text: str) -> str:
    """The PIN in whatever was typed ("482913", "482-913", "4 8 2 9 1 3", full-width digits)."""
    digits = _digits(text)
    if not digits:
        raise PinError("not_a_pin", text)
    if len(digits) != PIN_LENGTH:
        raise PinError("wrong_length", text)
    return digits


def format_pin(pin: str) -> str:
    """The PIN as shown, "482-913": a hyphen makes a voice read two short numbers, as in codes."""
    return f"{pin[:3]}-{pin[3:]}"


def spell_pin(pin: str) -> str:
    """The PIN spelled, "4 8 2, 9 1 3", so a screen reader says each digit."""
    return f"{' '.join(pin[:3])}, {' '.join(pin[3:])}"


@dataclass(frozen=True)
class ClaimAttempt:
    """A tracking code and a PIN, typed together."""

    code: TrackingCode
    pin: str


def read_claim(text: str) -> ClaimAttempt | None:
    """A code followed by a PIN in one message ("726-4185 482913", "kode 7264185 pin
    482-913"), or None when the text does not hold exactly that many digits.

    Raises tracking.CodeError when the first seven digits are not a valid code, so a
    mistyped code is explained as everywhere else.
    """
    digits = _digits(text)
    if len(digits) != CODE_LENGTH + PIN_LENGTH:
        return None
    return ClaimAttempt(TrackingCode(digits[:CODE_LENGTH]), digits[CODE_LENGTH:])


class Verdict(StrEnum):
    """What a claim with a PIN came to; the value is the audit log's detail."""

    CLAIMED = "claimed"
    WRONG = "wrong_pin"
    USED = "used_pin"
    LOCKED = "locked_pin"
    # Too many refused claims by one person lately: refused without looking at the PIN.
    LIMITED = "too_many_claims"


def judge(pin: str, *, stored: str, used: bool, wrong_tries: int) -> Verdict:
    """Check a PIN against its report's stored hash and state.

    A spent PIN typed right is USED (its holder should hear that someone claimed the
    report); typed wrong it is WRONG like any other. A PIN with MAX_WRONG wrong tries is
    LOCKED whatever is typed. Every path costs one scrypt, so timing tells nothing.
    """
    right = verify_pin(pin, stored)
    if used:
        return Verdict.USED if right else Verdict.WRONG
    if wrong_tries >= MAX_WRONG:
        return Verdict.LOCKED
    return Verdict.CLAIMED if right else Verdict.WRONG
