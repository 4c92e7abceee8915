"""Finding reports by a word in their text or location, with an index, on both databases.

A word searched with LIKE '%word%' reads every report: a second at a million. Both
databases index the three-letter pieces (trigrams) of the texts instead, so a search reads
only the reports that have them. SQLite: an FTS5 table with the trigram tokenizer,
`reports_text`, kept in step with `reports` by triggers (external content: the texts are
stored once). PostgreSQL: pg_trgm's GIN indexes on the two columns, which its ILIKE uses
as it is. Words shorter than three letters have no trigram: they are searched as before.

These objects are not in the models (SQLAlchemy has no words for them): migrations make
them, and comparisons of the schema with the models leave them out (`is_search_object`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, text
from sqlalchemy.engine import Connection

from storage.models import Report

FTS_TABLE = "reports_text"
TRGM_INDEXES = ("ix_reports_content_trgm", "ix_reports_location_text_trgm")
SHORTEST = 3

SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(content, location_text, "
    "content='reports', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON reports BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, content, location_text) "
    "VALUES (new.id, new.content, new.location_text); END",
    f"CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON reports BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, content, location_text) "
    "VALUES ('delete', old.id, old.content, old.location_text); END",
    f"CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE OF content, location_text ON reports BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, content, location_text) "
    "VALUES ('delete', old.id, old.content, old.location_text); "
    f"INSERT INTO {FTS_TABLE}(rowid, content, location_text) "
    "VALUES (new.id, new.content, new.location_text); END",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
)
SQLITE_DROP = (
    *(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}" for suffix in ("ai", "ad", "au")),
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)


def create(connection: Connection) -> None:
    """Make the index of the database at hand (a migration calls this)."""
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_CREATE:
            connection.exec_driver_sql(statement)
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it. If
    # this server refuses, searching works as before, without the index.
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:
        return
    for name, column in zip(TRGM_INDEXES, ("content", "location_text"), strict=True):
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {name} ON reports USING gin ({column} gin_trgm_ops)"
        )


def drop(connection: Connection) -> None:
    """Remove the index (a migration's downgrade)."""
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_DROP:
            connection.exec_driver_sql(statement)
        return
    for name in TRGM_INDEXES:
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")


def is_search_object(name: str | None) -> bool:
    """Whether a table or index is this module's (left out of schema comparisons)."""
    return bool(name) and (str(name).startswith(FTS_TABLE) or str(name) in TRGM_INDEXES)


def _phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def matching(words: Sequence[str], dialect: str) -> list[ColumnElement[bool]]:
    """Conditions on reports: each word in the text or the location, any letter case."""
    conditions: list[ColumnElement[bool]] = []
    indexed = [word for word in words if len(word) >= SHORTEST]
    if dialect == "sqlite" and indexed:
        query = " AND ".join(f"{{content location_text}}: {_phrase(w)}" for w in indexed)
        conditions.append(
            Report.id.in_(
                text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :words")
                .bindparams(words=query)
                .columns(Report.id)
            )
        )
        words = [word for word in words if len(word) < SHORTEST]
    for word in words:
        # Escaped, so "%" or "_" typed by staff is searched for, not a wildcard.
        conditions.append(
            Report.content.icontains(word, autoescape=True)
            | Report.location_text.icontains(word, autoescape=True)
        )
    return conditions
