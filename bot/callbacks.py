"""Callback data of staff card buttons: a typed value with one codec, never built by hand.

Telegram allows 1 to 64 bytes. Data that does not decode (tampered, or from an older
version of the bot) is refused, not guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.tracking import is_valid
from bot.transitions import Action

_PREFIX = "r1"  # bump when the layout changes, so old buttons are refused cleanly
_SEPARATOR = ":"
_AGENCY = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_BYTES = 64


class CallbackDataError(ValueError):
    """The callback data is not one of ours."""


@dataclass(frozen=True)
class CardPress:
    """A press on a card button: what to do to which report (and, to forward, where)."""

    action: Action | None
    code: int
    agency: str | None = None

    def encode(self) -> str:
        """The callback data string for this press."""
        fields = [_PREFIX, self.action.value if self.action else "", str(self.code)]
        if self.agency is not None:
            fields.append(self.agency)
        data = _SEPARATOR.join(fields)
        if len(data.encode()) > MAX_BYTES:
            raise CallbackDataError("callback data over 64 bytes")
        return data


# A press with no action opens the list of agencies to forward to.
def choose_agency(code: int) -> CardPress:
    """The press that asks for the agency list of a report."""
    return CardPress(None, code)


def decode(data: str) -> CardPress:
    """Read callback data; anything malformed raises CallbackDataError."""
    fields = data.split(_SEPARATOR)
    if len(fields) not in (3, 4) or fields[0] != _PREFIX:
        raise CallbackDataError("not a card press")
    action_text, code_text = fields[1], fields[2]
    try:
        action = Action(action_text) if action_text else None
    except ValueError:
        raise CallbackDataError("unknown action") from None
    if not is_valid(code_text):
        raise CallbackDataError("not a tracking code")
    agency = fields[3] if len(fields) == 4 else None
    if agency is not None and not _AGENCY.match(agency):
        raise CallbackDataError("malformed agency key")
    return CardPress(action, int(code_text), agency)
