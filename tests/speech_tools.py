"""Whether this machine can make voice notes (espeak-ng and opusenc on PATH, the defaults).

Without them the bot says spoken replies are not available; tests of the spoken copies
themselves skip, saying why (.ci/run installs both).
"""

from __future__ import annotations

import shutil

import pytest

SPEAKS = all(shutil.which(program) for program in ("espeak-ng", "opusenc"))
needs_speech = pytest.mark.skipif(
    not SPEAKS, reason="espeak-ng or opusenc is not installed (Debian: espeak-ng, opus-tools)"
)
# How the settings overview names the spoken replies' state, by language.
VOICE_STATE = (
    {"id": "mati", "en": "off"} if SPEAKS else {"id": "belum tersedia", "en": "not available"}
)
