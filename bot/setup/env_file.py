"""Writing the settings setup found into a .env file, keeping everything else in it."""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import set_key


def write_settings(path: Path, values: dict[str, str]) -> None:
    """Set each value in the file (created readable by its owner only: it holds the token)."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for name, value in values.items():
        set_key(path, name, value, quote_mode="never")
