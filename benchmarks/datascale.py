"""The data-scale run: every query path the product runs, timed on years of reports.

A database is seeded (benchmarks/seed.py) with 10,000, 100,000 or 1,000,000 reports and
their timelines, outbox, audit and handled-update rows; then each path a person or a job
triggers is run through the product's own functions, in this process, each in a unit of
work that is rolled back (so every repetition sees the same rows). For each path: the
median and slowest time, the longest the event loop was held (a ticker task that should
wake every millisecond measures how late it woke), and the resident memory it added.
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from benchmarks import databases, seed
from bot.app import build_services
from bot.core.lifecycle import OPEN_STATUSES
from bot.core.queues import AT_AGENCY
from bot.services import Services
from bot.settings import Settings
from bot.stats.csv_export import export_csv
from bot.stats.figures import Grouping, figures_of, month_bounds, window_for
from bot.stats.in_words import describe
from bot.workflow.deadline_watch import run_watch
from handlers.erase import staff_scrub
from handlers.jobs import PRUNE_BATCH
from storage import api_reports, erasure, links, reporters, retention
from storage import reports as report_store
from storage import statistics as stats_store
from storage.models import Report, utcnow

SIZES = (10_000, 100_000, 1_000_000)
AGENCY = "dsdabm"
LISTED = 20
PER_PAGE = 50
OPEN311_SPAN = timedelta(days=90)
OPEN311_LIMIT = 1000
# Each path is repeated until this many runs or this many seconds, whichever comes first.
RUNS = 9
BUDGET_SECONDS = 4.0
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE / 2**20


class Ticker:
    """Wakes every millisecond; how late it woke is how long the loop was held."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.peak_rss = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(0.001)
            self.longest = max(self.longest, loop.time() - before - 0.001)
            self.peak_rss = max(self.peak_rss, _rss_mb())

    def __enter__(self) -> Ticker:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()


@dataclass
class Scene:
    """The seeded database's facts the paths need, and the bot's services on it."""

    services: Services
    shape: seed.Shape
    now: datetime
    # Report numbers (0-based) of ordinary citizens, to ask about and to erase.
    picks: list[int]

    def reporter(self, n: int) -> int:
        return self.shape.reporter_of(n)


Path_ = Callable[[AsyncSession, Scene, int], Awaitable[Any]]


async def cek_status(session: AsyncSession, scene: Scene, k: int) -> Any:
    n = scene.picks[k % len(scene.picks)]
    return await report_store.own_report(session, scene.reporter(n), seed.code_for(n))


async def laporan_saya(session: AsyncSession, scene: Scene, k: int) -> Any:
    n = scene.picks[k % len(scene.picks)]
    return await report_store.latest(session, scene.reporter(n), 5)


async def erase(session: AsyncSession, scene: Scene, k: int) -> Any:
    n = scene.picks[k % len(scene.picks)]
    user = seed.FIRST_USER + scene.reporter(n)
    who = reporters.Identity(user, user, None, None, None)
    reporter = await reporters.find(session, who)
    assert reporter is not None
    await erasure.kept(session, reporter)
    scrub = staff_scrub(scene.services, reporter)
    await erasure.erase(session, reporter, scene.now, scrub)
    await session.flush()


async def antrean(session: AsyncSession, scene: Scene, k: int) -> Any:
    return await report_store.open_queue(session, AGENCY, tuple(OPEN_STATUSES), LISTED)


async def cari(session: AsyncSession, scene: Scene, k: int) -> Any:
    return await report_store.search(session, ["gorila"], None, LISTED)


async def statistik_bulan(session: AsyncSession, scene: Scene, k: int) -> Any:
    services = scene.services
    window = window_for(Grouping.BULAN, services.calendar.local_date(scene.now))
    tallies = await stats_store.tallies(session, window.edges(services.calendar), None, scene.now)
    figures = figures_of(window, tallies, services.directory)
    return describe(services, figures, services.locales.get("id"))


async def ekspor(session: AsyncSession, scene: Scene, k: int) -> Any:
    services = scene.services
    month = services.calendar.local_date(scene.now - timedelta(days=40))
    start, end = month_bounds(month.year, month.month, services.calendar)
    rows: list[stats_store.ExportRow] = []
    async for page in stats_store.export_rows(session, start, end, None, scene.now):
        rows.extend(page)
    return export_csv(services, rows, services.locales.get("id"))


async def deadline_watch(session: AsyncSession, scene: Scene, k: int) -> Any:
    await run_watch(session, scene.services, scene.now)
    await session.flush()


async def api_first_page(session: AsyncSession, scene: Scene, k: int) -> Any:
    return await api_reports.agency_queue(
        session, AGENCY, AT_AGENCY, since=None, offset=0, limit=PER_PAGE + 1
    )


async def api_last_page(session: AsyncSession, scene: Scene, k: int) -> Any:
    total = await session.scalar(
        select(func.count()).where(Report.agency == AGENCY, Report.status.in_(AT_AGENCY))
    )
    offset = max(0, (int(total or 0) - 1) // PER_PAGE * PER_PAGE)
    started = time.perf_counter()
    await api_reports.agency_queue(
        session, AGENCY, AT_AGENCY, since=None, offset=offset, limit=PER_PAGE + 1
    )
    return time.perf_counter() - started


async def open311_requests(session: AsyncSession, scene: Scene, k: int) -> Any:
    window = api_reports.TimeRange(scene.now - OPEN311_SPAN, scene.now)
    return await api_reports.public_requests(
        session, window, categories=None, statuses=None, limit=OPEN311_LIMIT
    )


async def open311_updates(session: AsyncSession, scene: Scene, k: int) -> Any:
    window = api_reports.TimeRange(scene.now - OPEN311_SPAN, scene.now)
    return await api_reports.public_updates(session, window, OPEN311_LIMIT)


async def citizen_reply(session: AsyncSession, scene: Scene, k: int) -> Any:
    # A citizen replies to a notice: which report was it about? (the outbox's sent rows)
    n = scene.picks[k % len(scene.picks)]
    chat = seed.FIRST_USER + scene.reporter(n)
    return await links.report_for_citizen_message(session, chat, 1 + 2 * k)


async def staff_reply(session: AsyncSession, scene: Scene, k: int) -> Any:
    n = scene.picks[k % len(scene.picks)]
    return await links.report_for_staff_message(session, seed.ADMIN_CHAT, (n + 1) * 4)


async def new_code(session: AsyncSession, scene: Scene, k: int) -> Any:
    return await report_store.free_code(session, scene.services.new_code)


async def daily_cap(session: AsyncSession, scene: Scene, k: int) -> Any:
    n = scene.picks[k % len(scene.picks)]
    midnight = scene.now.replace(hour=0, minute=0, second=0, microsecond=0)
    return await report_store.filed_since(session, scene.reporter(n), midnight)


# name, what a person or job waits on, and the function; in the note's order.
PATHS: tuple[tuple[str, str, Path_], ...] = (
    ("cek_status", 'citizen "cek status"', cek_status),
    ("laporan_saya", 'citizen "laporan saya"', laporan_saya),
    ("citizen_reply", "citizen replies to a notice", citizen_reply),
    ("daily_cap", "citizen files: the daily cap", daily_cap),
    ("new_code", "citizen files: a free code", new_code),
    ("erase", "citizen erasure (/hapusdata)", erase),
    ("antrean", "staff /antrean of one agency", antrean),
    ("cari", "staff /cari, a word no report has", cari),
    ("staff_reply", "staff replies to a card", staff_reply),
    ("statistik", "staff /statistik bulan", statistik_bulan),
    ("ekspor", "staff /ekspor of one month", ekspor),
    ("deadline_watch", "deadline watch, one run", deadline_watch),
    ("api_first", "API list, first page", api_first_page),
    ("api_last", "API list, last page", api_last_page),
    ("open311_requests", "Open311 requests.json, default window", open311_requests),
    ("open311_updates", "Open311 servicerequestupdates.json", open311_updates),
)


async def _time_path(scene: Scene, path: Path_) -> dict[str, Any]:
    times: list[float] = []
    longest = 0.0
    peak = 0.0
    base = _rss_mb()
    spent = 0.0
    k = 0
    while k < RUNS and (spent < BUDGET_SECONDS or k < 1):
        gc.collect()
        with Ticker() as ticker:
            await asyncio.sleep(0.005)
            started = time.perf_counter()
            try:
                async with scene.services.sessionmaker() as session, session.begin():
                    inner = await path(session, scene, k)
                    await session.rollback()
            except Exception as error:
                # A path that fails (no free tracking code left) is a finding, not a crash.
                return {"runs": k, "error": type(error).__name__}
            took = time.perf_counter() - started
        # The API's last page times only its page, not the count that finds it.
        times.append(inner if isinstance(inner, float) else took)
        longest = max(longest, ticker.longest)
        peak = max(peak, ticker.peak_rss)
        spent += took
        k += 1
    return {
        "runs": len(times),
        "median_ms": statistics.median(times) * 1000,
        "max_ms": max(times) * 1000,
        "stall_ms": longest * 1000,
        "rss_added_mb": max(0.0, peak - base),
    }


async def first_prune(services: Services, now: datetime) -> dict[str, Any]:
    """The outbox pruning job's first run on years of sent rows (as after an upgrade), in
    its batches of one unit of work each; later runs delete an hour's rows."""
    before = now - timedelta(days=services.settings.outbox_retention_days)
    removed = 0
    with Ticker() as ticker:
        started = time.perf_counter()
        while True:
            async with services.sessionmaker.begin() as session:
                batch = await retention.prune_sent(session, before, PRUNE_BATCH)
            removed += batch
            if batch < PRUNE_BATCH:
                break
            await asyncio.sleep(0)
        took = time.perf_counter() - started
    return {
        "runs": 1,
        "median_ms": took * 1000,
        "max_ms": took * 1000,
        "stall_ms": ticker.longest * 1000,
        "rss_added_mb": 0.0,
        "rows": removed,
    }


async def measure(url: str, shape: seed.Shape, only: set[str] | None = None) -> dict[str, Any]:
    """Prune the outbox as the bot would, then time every path on the seeded database."""
    settings = Settings(database_url=url)
    services = build_services(settings, clock=lambda: shape.now)
    picks = [shape.reports // 2 + 7 * j for j in range(RUNS)]
    scene = Scene(services, shape, shape.now, [n for n in picks if n < shape.reports])
    results: dict[str, Any] = {}
    try:
        results["first_prune"] = await first_prune(services, shape.now)
        for name, _, path in PATHS:
            if only and name not in only:
                continue
            results[name] = await _time_path(scene, path)
    finally:
        await services.engine.dispose()
    return results


def _remove_sqlite(db: databases.Database) -> None:
    """A seeded SQLite file is gigabytes at a million reports: gone once measured."""
    if db.kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(db.url.split("///", 1)[1] + suffix).unlink(missing_ok=True)


async def run(
    workdir: Path,
    pg_url: str | None,
    *,
    sizes: tuple[int, ...],
    kinds: list[str],
    say: Callable[[str], None],
    only: set[str] | None = None,
    rows: list[dict[str, Any]] | None = None,
    done: Callable[[], None] | None = None,
) -> list[dict[str, Any]]:
    """Seed each size on each database and time every path; one row per (database, size),
    added to `rows` as each is measured (then `done` is called)."""
    rows = [] if rows is None else rows
    now = utcnow().replace(microsecond=0)
    for kind in kinds:
        for size in sizes:
            db = await databases.fresh(kind, workdir, pg_url)
            try:
                shape = seed.Shape(size, now)
                seeded = await seed.seed(db.url, shape)
                say(f"data scale: {kind} {size:,} reports seeded in {seeded['seconds']:.0f} s")
                paths = await measure(db.url, shape, only)
                rows.append({"database": kind, "reports": size, "seeded": seeded, "paths": paths})
                if done is not None:
                    done()
                for name, figures in paths.items():
                    if "error" in figures:
                        say(f"  {name}: failed with {figures['error']}")
                        continue
                    say(
                        f"  {name}: {figures['median_ms']:.1f} ms median, "
                        f"{figures['max_ms']:.1f} max, loop held {figures['stall_ms']:.1f} ms, "
                        f"+{figures['rss_added_mb']:.1f} MiB"
                    )
            finally:
                await db.drop()
                _remove_sqlite(db)
    return rows
