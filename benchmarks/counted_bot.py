"""``lapor-bot`` with its SQL statements and transactions counted, for the benchmark.

The real command (``python -m bot run`` or ``webhook``), started through this module so
that a listener on every SQLAlchemy engine counts what reaches the database. The counts
go to the file named by BENCH_STATEMENTS_FILE (JSON) whenever they are asked for with
SIGUSR1 and at exit; the benchmark divides them by the updates the bot handled. Nothing
in the bot is changed or patched: the listener is SQLAlchemy's own event API.

Statements are also counted by their text, and written grouped by kind ("UPDATE
reporters", "SELECT reporters"): the compiled cache hands out the same string each time,
so the listener costs one dictionary lookup a statement. The time the garbage collector
takes is summed by generation (gc.callbacks).
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

COUNTS = {"statements": 0, "transactions": 0}
BY_TEXT: dict[str, int] = {}
# Seconds spent in the garbage collector, and collections, by generation.
GC = {"seconds": [0.0, 0.0, 0.0], "collections": [0, 0, 0]}
_GC_STARTED = [0.0]
# The verb and the first table it names: enough to tell the statements of a turn apart.
KIND = re.compile(
    r'^\s*(?:(UPDATE)\s+"?(\w+)|(\w+)\b.*?\b(?:FROM|INTO)\s+"?(\w+))', re.IGNORECASE | re.DOTALL
)


def _statement(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
    COUNTS["statements"] += 1
    BY_TEXT[statement] = BY_TEXT.get(statement, 0) + 1


def _collector(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _GC_STARTED[0] = time.perf_counter()
        return
    generation = info["generation"]
    GC["seconds"][generation] += time.perf_counter() - _GC_STARTED[0]
    GC["collections"][generation] += 1


def kind(statement: str) -> str:
    """ "UPDATE reporters" for an UPDATE of reporters; the first word when no table shows."""
    found = KIND.match(statement)
    if found is None:
        return statement.split(None, 1)[0].upper() if statement.strip() else "?"
    verb, table = (found.group(1), found.group(2)) if found.group(1) else found.group(3, 4)
    return f"{verb.upper()} {table}"


def _kinds() -> dict[str, int]:
    kinds: dict[str, int] = {}
    for statement, count in list(BY_TEXT.items()):
        name = kind(statement)
        kinds[name] = kinds.get(name, 0) + count
    return kinds


def _commit(*_: Any) -> None:
    COUNTS["transactions"] += 1


def _write(*_: Any) -> None:
    target = os.environ.get("BENCH_STATEMENTS_FILE")
    if target:
        Path(target).write_text(json.dumps({**COUNTS, "kinds": _kinds(), "gc": GC}))


def main() -> None:
    """Count, then run the bot's own command line with the given arguments."""
    event.listen(Engine, "before_cursor_execute", _statement)
    event.listen(Engine, "commit", _commit)
    gc.callbacks.append(_collector)
    atexit.register(_write)
    signal.signal(signal.SIGUSR1, _write)
    from bot.cli import main as bot_main  # noqa: PLC0415 - after the listeners are in place

    raise SystemExit(bot_main(sys.argv[1:]))


if __name__ == "__main__":
    main()
