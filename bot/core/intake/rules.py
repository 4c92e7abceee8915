"""Limits on a report's answers, in one place so messages can quote them."""

import unicodedata

CONTENT_MIN_CHARS = 20
# Leaves room on the staff card (4096 characters) for the other fields.
CONTENT_MAX_CHARS = 3000
LOCATION_MIN_CHARS = 5
LOCATION_MAX_CHARS = 300
MAX_ATTACHMENTS = 5
# Bots can download files up to 20 MB; a larger one could never reach the staff.
MAX_FILE_BYTES = 20 * 1024 * 1024
# Eight categories a page leaves the ninth line for "more" (at most 9 choices a list).
CATEGORIES_PER_PAGE = 8
# Letters that draw nothing (Hangul fillers, the blank Braille pattern), often used to send
# an "empty" message; zero-width and direction marks are format characters (Cf).
INVISIBLE = frozenset("\u115f\u1160\u2800\u3164\uffa0")


def invisible(ch: str) -> bool:
    """A character that shows nothing on the screen and says nothing to a screen reader."""
    return ch in INVISIBLE or unicodedata.category(ch) == "Cf"


def visible_length(text: str) -> int:
    """How many characters of the text can be seen: minimums count only these."""
    return sum(1 for ch in text.strip() if not invisible(ch))
