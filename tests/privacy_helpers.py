"""Looking for a person's traces: in the database, in what staff saw, in any text."""

from __future__ import annotations

import re

from sqlalchemy import select

from storage.models import Base
from tests.harness import Harness


def traces(text: str, *names: str, user_id: int) -> list[str]:
    """Any of the names (whole words, any case) or the Telegram id in a text."""
    words = "|".join(re.escape(name) for name in names)
    return re.findall(rf"(?i)\b(?:{words})\b|(?<!\d){user_id}(?!\d)", text)


async def everything_stored(harness: Harness, *, but: tuple[str, ...] = ()) -> str:
    """Every row of every table (but those named), as text."""
    lines: list[str] = []
    async with harness.services.sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            if table.name not in but:
                rows = (await session.execute(select(table))).all()
                lines += [repr(tuple(row)) for row in rows]
    return "\n".join(lines)
