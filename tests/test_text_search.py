"""/cari through the trigram index: same answers as a scan, on both databases."""

from __future__ import annotations

from sqlalchemy import insert, text, update

from storage import reports as report_store
from storage.db import create_engine, create_sessionmaker
from storage.models import Report, utcnow

TEXTS = (
    ("Jalan BERLUBANG di depan SD Negeri 5", "Jalan Braga nomor 12"),
    ("Lampu jalan mati sejak minggu lalu", "Gang Kelinci, RT 3 RW 5"),
    ("Sampah menumpuk, diskon 50% untuk buang", None),
    ("Pohon tumbang menutup jalan", "Jalan Dago atas"),
)


async def _search(url: str, words: list[str]) -> list[int]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            found = await report_store.search(session, words, None, 20)
            return sorted(report.id for report in found)
    finally:
        await engine.dispose()


async def test_words_are_found_in_text_or_location_in_any_case(database_url: str) -> None:
    now = utcnow()
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            await session.execute(
                insert(Report),
                [
                    {"id": n, "code": 1000000 + n, "classification": "pengaduan",
                     "content": content, "location_text": location, "category": "sampah",
                     "agency": "dlh", "status": "MENUNGGU_VERIFIKASI", "created_at": now,
                     "updated_at": now}
                    for n, (content, location) in enumerate(TEXTS, start=1)
                ],
            )  # fmt: skip
    finally:
        await engine.dispose()
    assert await _search(database_url, ["berlubang"]) == [1]
    assert await _search(database_url, ["BRAGA"]) == [1], "the location counts too"
    assert await _search(database_url, ["jalan"]) == [1, 2, 4]
    assert await _search(database_url, ["jalan", "dago"]) == [4], "every word must be there"
    assert await _search(database_url, ["50%"]) == [3], "a % is a letter, not a wildcard"
    assert await _search(database_url, ["RT"]) == [2], "short words are searched too"
    assert await _search(database_url, ["gorila"]) == []

    # A report whose text changes is found by its new words only.
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            await session.execute(
                update(Report).where(Report.id == 4).values(content="Pohon rebah di taman")
            )
    finally:
        await engine.dispose()
    assert await _search(database_url, ["tumbang"]) == []
    assert await _search(database_url, ["rebah"]) == [4]


async def test_the_search_reads_the_index_not_every_report(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                tables = await connection.execute(
                    text("SELECT name FROM sqlite_master WHERE name = 'reports_text'")
                )
            else:
                tables = await connection.execute(
                    text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%_trgm'")
                )
            assert len(tables.all()) >= 1
    finally:
        await engine.dispose()
