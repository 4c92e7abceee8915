"""The levels of government that handle reports, and how their units are keyed.

A category is handled by the kelurahan, the kecamatan or a city agency (OPD). A kelurahan's
or a kecamatan's office is a unit like an agency: its key is what a report's `agency`
column holds while the office has the report, made from the area's Kemendagri code with
its dots left out ("kel_3273011001", "kec_327301"). Such a key has the shape of an agency's
key (the agencies file, the card buttons and the API accept it as they are); only a prefix
followed by digits alone is kept for offices, so no agency's or counter's key in use today
("kec_coblong" is one) changes or is taken.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Level(StrEnum):
    """Who handles a category's reports; the value is the agencies file's word."""

    KELURAHAN = "kelurahan"
    KECAMATAN = "kecamatan"
    # A city agency (OPD), as every category was before levels.
    KOTA = "kota"


# From the level closest to the citizen up: "naikkan" moves one step right.
ORDER = (Level.KELURAHAN, Level.KECAMATAN, Level.KOTA)
PREFIXES = {Level.KELURAHAN: "kel_", Level.KECAMATAN: "kec_"}


def office_key(level: Level, code: str) -> str:
    """The unit key of a kelurahan's or a kecamatan's office: "kel_3273011001"."""
    return PREFIXES[level] + code.replace(".", "")


_OFFICE_KEY = re.compile(r"^(kel|kec)_\d+$")


def level_of(key: str) -> Level:
    """The level of a unit by its key; an agency's key (no office's) is the city's."""
    if _OFFICE_KEY.match(key):
        return Level.KELURAHAN if key.startswith(PREFIXES[Level.KELURAHAN]) else Level.KECAMATAN
    return Level.KOTA


def is_office_key(key: str) -> bool:
    """Whether a key has an office's prefix (an agency or a counter may not take one)."""
    return level_of(key) is not Level.KOTA
