"""Buttons under a counter desk's questions in a group: pressing one types its label.

In a group a reply keyboard's press arrives as an ordinary message, which a bot in privacy
mode never sees; an inline button's press always reaches it. Its data carries the words
the officer would type, so the press is read exactly like typing them. Telegram allows 1
to 64 bytes: a label longer than fits gets no button (its number in the list still works).
"""

from __future__ import annotations

from dataclasses import dataclass

_PREFIX = "d1:"  # bump when the layout changes, so old buttons are refused cleanly
MAX_BYTES = 64


class DeskPressError(ValueError):
    """The callback data is not a desk press."""


@dataclass(frozen=True)
class DeskPress:
    """A press on a desk button: the words it stands for."""

    words: str

    def encode(self) -> str | None:
        """The callback data, or None when the words do not fit in 64 bytes."""
        data = _PREFIX + self.words
        return data if len(self.words) > 0 and len(data.encode()) <= MAX_BYTES else None


def is_desk_press(data: object) -> bool:
    """Whether callback data is a desk press (the handler's pattern)."""
    return isinstance(data, str) and data.startswith(_PREFIX)


def decode(data: str) -> DeskPress:
    """Read callback data; anything else raises DeskPressError."""
    if not is_desk_press(data) or len(data) == len(_PREFIX):
        raise DeskPressError("not a desk press")
    return DeskPress(data[len(_PREFIX) :])
