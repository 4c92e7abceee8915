"""One cleaning of text people send, for every channel (the chat, Open311, the agencies'
API, staff replies): small and pure, so each edge and the workflow call the same code.

`clean` drops what no reader should ever get: NUL and the other control characters but
line feed and tab (a NUL breaks PostgreSQL's text; ESC starts terminal escapes), the
controls that reorder text (right-to-left embeddings, overrides and isolates, which can
make a staff card read other than it is or break out of the isolate a card puts citizen
text in), lone surrogates and noncharacters; line ends become \\n, Unicode NFC. Direction
marks, zero-width joiners and emoji stay: they belong to real writing. `visible` says
whether anything is left that a person can see; `readable` is both at once.
"""

from __future__ import annotations

import re
import unicodedata

from bot.core.intake.rules import INVISIBLE

# C0 controls but tab and line feed (carriage returns become line feeds first), DEL, C1.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
# Bidirectional embeddings, overrides and isolates (marks such as LRM stay).
_REORDERING = "\u202a-\u202e\u2066-\u2069"
# Surrogates (a lone one arrives through JSON's \ud800) and the noncharacters U+FFFE/F.
_BROKEN = "\ud800-\udfff\ufffe\uffff"
_DROP = re.compile(f"[{_CONTROLS}{_REORDERING}{_BROKEN}]")
# Characters that show nothing though Unicode classes them as letters or symbols.
_BLANK = INVISIBLE | frozenset("\u180e")


def clean(text: str) -> str:
    """The text without characters no reader should get, line ends as \\n, in NFC."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _DROP.sub("", text))


def _shows(char: str) -> bool:
    if char in _BLANK or char.isspace():
        return False
    # Controls and formats (zero-width space and joiners, BOM, marks), separators, private
    # use and unassigned (C*, Z*), and combining marks with nothing to sit on show nothing.
    category = unicodedata.category(char)
    return category[0] not in "CZ" and category not in ("Mn", "Me")


def visible(text: str) -> bool:
    """Whether the text has at least one character a person can see."""
    return any(_shows(char) for char in text)


def visible_length(text: str) -> int:
    """Characters that show, for length rules ("at least 20 characters")."""
    return sum(1 for char in text if _shows(char))


def readable(text: str | None) -> str | None:
    """The cleaned text, trimmed; None when it is missing or nothing of it shows."""
    if text is None:
        return None
    cleaned = clean(text).strip()
    return cleaned if visible(cleaned) else None
