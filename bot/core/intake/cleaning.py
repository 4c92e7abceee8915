"""One cleaning of text people send, for every channel (chat, Open311, the agencies' API).

Pure and small on purpose: the chat's intake and the HTTP APIs call the same two
functions. `clean` drops what no reader should ever get: NUL and other control
characters (a NUL breaks PostgreSQL's text; ESC starts terminal escapes), the controls
that reorder text (right-to-left overrides and isolates can make a card read other than
it is), lone surrogates and noncharacters; it normalises line ends and Unicode (NFC).
`visible` says whether anything is left that a person can read: a text of blanks and
zero-width or other invisible characters only is no text.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls but tab and line feed (carriage returns become line feeds first), DEL, C1.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
# Bidirectional formatting: ALM, LRM, RLM, embeddings and overrides, isolates.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Surrogates (a lone one arrives through JSON's \ud800) and the noncharacters U+FFFE/F.
_BROKEN = "\ud800-\udfff\ufffe\uffff"
_DROP = re.compile(f"[{_CONTROLS}{_BIDI}{_BROKEN}]")
# Characters that show nothing, though Unicode does not class them as spaces or formats.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def clean(text: str) -> str:
    """The text without characters no reader should get, line ends as \\n, NFC, trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _DROP.sub("", text)
    return unicodedata.normalize("NFC", text).strip()


def _shows(char: str) -> bool:
    if char in _BLANK_LETTERS or char.isspace():
        return False
    # Cc controls, Cf formats (zero-width space and joiners, BOM...), Zs/Zl/Zp separators,
    # Mn/Me marks with nothing to sit on are counted by their base; Co/Cn show nothing.
    return unicodedata.category(char)[0] not in "CZ" and unicodedata.category(char) not in (
        "Mn",
        "Me",
    )


def visible(text: str) -> bool:
    """Whether the text has at least one character a person can see."""
    return any(_shows(char) for char in text)


def visible_length(text: str) -> int:
    """Characters that show, for length rules ("at least 20 characters")."""
    return sum(1 for char in text if _shows(char))
