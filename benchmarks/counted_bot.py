"""``lapor-bot`` with its SQL statements and transactions counted, for the benchmark.

The real command (``python -m bot run`` or ``webhook``), started through this module so
that a listener on every SQLAlchemy engine counts what reaches the database. The counts
go to the file named by BENCH_STATEMENTS_FILE (JSON) whenever they are asked for with
SIGUSR1 and at exit; the benchmark divides them by the updates the bot handled. Nothing
in the bot is changed or patched: the listener is SQLAlchemy's own event API.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

COUNTS = {"statements": 0, "transactions": 0}


def _statement(*_: Any) -> None:
    COUNTS["statements"] += 1


def _commit(*_: Any) -> None:
    COUNTS["transactions"] += 1


def _write(*_: Any) -> None:
    target = os.environ.get("BENCH_STATEMENTS_FILE")
    if target:
        Path(target).write_text(json.dumps(COUNTS))


def main() -> None:
    """Count, then run the bot's own command line with the given arguments."""
    event.listen(Engine, "before_cursor_execute", _statement)
    event.listen(Engine, "commit", _commit)
    atexit.register(_write)
    signal.signal(signal.SIGUSR1, _write)
    from bot.cli import main as bot_main  # noqa: PLC0415 - after the listeners are in place

    raise SystemExit(bot_main(sys.argv[1:]))


if __name__ == "__main__":
    main()
