"""The listing's queries are served by their indexes, so a city's years of reports are
never read in full (storage/nearby.py), on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

from bot.core.duplicates import Place
from storage import nearby
from storage.db import create_engine

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
PLACE = Place(-6.9175, 107.6191, "32.73.19.1001")
LISTING_INDEXES = ("ix_reports_nearby", "ix_reports_category_kelurahan")


def served(found: str, index: str, database_url: str) -> bool:
    """The plan reads an index of the listing's, never the whole table. SQLite takes the
    index made for the query; PostgreSQL, knowing nothing of an empty table's contents,
    may take the other one that starts with the category (both narrow the rows to one
    category at most)."""
    if database_url.startswith("sqlite"):
        return f"USING INDEX {index}" in found or f"USING COVERING INDEX {index}" in found
    return "Seq Scan" not in found and any(name in found for name in LISTING_INDEXES)


async def plan(database_url: str, query: Select[Any]) -> str:
    """The database's plan for the query, with its real parameters, as one text."""
    engine = create_engine(database_url)
    sqlite = engine.dialect.name == "sqlite"

    def explain(  # noqa: PLR0917 (SQLAlchemy's event signature)
        conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> tuple[str, Any]:
        return ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters

    try:
        async with engine.connect() as connection:
            if not sqlite:
                # An empty table is cheapest to read whole; the question is whether the
                # index can serve the query, as it will once the table is large.
                await connection.execute(text("SET enable_seqscan = off"))
            event.listen(connection.sync_connection, "before_cursor_execute", explain, retval=True)
            rows = (await connection.execute(query)).fetchall()
    finally:
        await engine.dispose()
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


async def test_reports_near_a_point_are_found_by_the_category_and_latitude_index(
    database_url: str,
) -> None:
    query = nearby.near_point("jalan_rusak", PLACE, now=NOW, reporter_id=7)
    assert served(await plan(database_url, query), "ix_reports_nearby", database_url)


async def test_reports_of_a_kelurahan_are_found_by_the_category_and_kelurahan_index(
    database_url: str,
) -> None:
    query = nearby.in_kelurahan("jalan_rusak", PLACE, now=NOW, reporter_id=7, limit=2)
    assert served(await plan(database_url, query), "ix_reports_category_kelurahan", database_url)
