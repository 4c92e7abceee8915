"""The measured scenarios: intake, the echo baseline, notification fan-out, open drafts.

Each scenario starts its own emulator and bot processes on a fresh database, so no
scenario inherits another's rows, caches or backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks import databases, procs, seed
from benchmarks.control import Control
from benchmarks.forwarder import Forwarder, free_port
from bot.core.intake.answers import Answers
from bot.core.lifecycle import Classification
from storage.models import utcnow

CONTENT = "Jalan di depan SD Negeri 5 berlubang besar sejak dua minggu dan membahayakan pengendara."
LOCATION = "Jalan Braga nomor 12, RT 3 RW 5"
# A whole report typed: consent, menu, the eight steps, and "kirim".
INTAKE_SCRIPT = ("/start", "1", "1", "1", CONTENT, "1", LOCATION, "kemarin", "lewati", "2", "1")
# Telegram user ids of each group of citizens, far apart so that groups never meet.
CALIBRATION_ID = 6_000_000_000
WARMUP_ID = 6_100_000_000
SATURATED_ID = 7_000_000_000
PACED_ID = 7_500_000_000
SUSTAINED_ID = 7_700_000_000
FANOUT_ID = 8_000_000_000
DRAFTS_ID = 9_000_000_000
# The emulator enforces no limits during intake, and the bot's own pacing is lifted as far
# (Telegram would allow about 30 messages a second in all: some 17 citizens' messages).
INTAKE_RATE_SCALE = 100.0
TELEGRAM_OVERALL_PER_SECOND = 30.0


@dataclass
class Setup:
    """Where runs keep their files and which PostgreSQL server to use."""

    workdir: Path
    pg_url: str | None
    warmup: int = 20
    settle: float = 0.8
    # Write py-spy's collapsed stacks of the bot during the saturated intake here.
    profile: Path | None = None
    # The tree of an earlier commit whose bot runs instead, for a before-and-after.
    baseline: Path | None = None
    log: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        print(line, flush=True)
        self.log.append(line)


@dataclass
class Running:
    control: Control
    emulator: procs.EmulatorProcess
    bots: list[procs.Process]
    database: databases.Database | None
    admin_chat_id: int

    def cpu(self) -> float:
        return sum(bot.cpu_seconds() for bot in self.bots)

    def peak_rss_mb(self) -> float:
        return max(bot.peak_rss_mb() for bot in self.bots)

    async def drained(self, seconds: float = 300.0) -> float:
        """Wait until no outbox row is pending; the seconds it took."""
        started = time.monotonic()
        if self.database is None:
            return 0.0
        while time.monotonic() - started < seconds:
            found = await databases.counts(self.database.url)
            if not found.get("outbox_pending"):
                break
            await asyncio.sleep(0.25)
        return time.monotonic() - started


@contextlib.asynccontextmanager
async def running(
    setup: Setup,
    name: str,
    *,
    bot: str = "lapor",
    database: str = "sqlite",
    processes: int = 1,
    limits: bool = False,
    scale: float = 1.0,
    rate_scale: float = INTAKE_RATE_SCALE,
    before_start: Any = None,
    echo_request: str = "aiohttp",
    baseline: bool = False,
) -> AsyncIterator[Running]:
    """An emulator, a fresh database and the bot process(es), all stopped afterwards."""
    workdir = setup.workdir / name
    workdir.mkdir(parents=True, exist_ok=True)
    emulator = procs.start_emulator(workdir, limits=limits, scale=scale)
    db: databases.Database | None = None
    bots: list[procs.Process] = []
    forwarder: Forwarder | None = None
    control = Control(emulator.control_url)
    try:
        admin = await control.staff_group()
        root = setup.baseline if baseline and setup.baseline is not None else procs.ROOT
        if bot in ("lapor", "echo-sql"):
            db = await databases.fresh(database, workdir, setup.pg_url, migrated=root == procs.ROOT)
            if root != procs.ROOT:
                await asyncio.to_thread(procs.migrate_with, root, db.url, workdir)
        run = Running(control, emulator, bots, db, admin)
        if before_start is not None:
            await before_start(run)
        hooks: list[procs.Webhook | None] = [None]
        if processes > 1:
            # Telegram lets one poller in at a time: several processes take webhooks.
            ports = [free_port() for _ in range(processes)]
            secret = secrets.token_urlsafe(16)
            forwarder = Forwarder([f"http://127.0.0.1:{port}/telegram" for port in ports])
            await forwarder.start()
            hooks = [procs.Webhook(forwarder.url, port, secret) for port in ports]
        for number, hook in enumerate(hooks):
            if bot == "echo":
                bots.append(procs.start_echo(workdir, emulator, echo_request))
            elif bot == "echo-sql":
                assert db is not None
                bots.append(procs.start_echo(workdir, emulator, database_url=db.url))
            else:
                assert db is not None
                bots.append(
                    procs.start_lapor(
                        workdir,
                        f"lapor-{number + 1}",
                        emulator,
                        database_url=db.url,
                        admin_chat_id=admin,
                        rate_scale=rate_scale,
                        webhook=hook,
                        root=root,
                    )
                )
        try:
            for hook in hooks:
                if hook is not None:
                    await _healthy(control, f"http://127.0.0.1:{hook.port}/healthz")
            await control.until_answering()
        except TimeoutError:
            logs = "\n".join(f"--- {b.name}\n{b.tail()}" for b in bots)
            raise RuntimeError(f"{name}: the bot never answered\n{logs}") from None
        yield run
    finally:
        for process in bots:
            process.stop()
        if forwarder is not None:
            await forwarder.stop()
        emulator.process.stop()
        await control.http.close()
        if db is not None:
            await db.drop()


async def _healthy(control: Control, url: str, seconds: float = 90.0) -> None:
    """Wait until a webhook process says it is up (database, bot and dispatcher)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, asyncio.TimeoutError, aiohttp.ClientError):
            async with control.http.get(url, timeout=aiohttp.ClientTimeout(total=2)) as answer:
                if answer.status == 200:
                    return
        await asyncio.sleep(0.3)
    raise TimeoutError


async def _calibrate(
    setup: Setup, run: Running, script: tuple[str, ...], first_user_id: int
) -> list[int]:
    """The bot's messages answering each line, from one citizen typing slowly."""
    status = await run.control.load(
        {"citizens": 1, "script": list(script), "first_user_id": first_user_id,
         "settle": setup.settle}
    )  # fmt: skip
    counts = list(status["counts"])
    if status["timeouts"] or len(counts) != len(script):
        raise RuntimeError(f"calibration failed: {status}")
    return counts


async def _measured_load(
    run: Running, spec: dict[str, Any], profile: Path | None = None
) -> dict[str, Any]:
    """A load with fresh answer times, the emulator's CPU, and py-spy stacks if asked."""
    await run.control.post("/timing/reset")
    profilers = []
    if profile is not None:
        for process in (run.bots[0], run.emulator.process):
            profilers.append(procs.start_profiler(process, profile / f"{process.name}.txt"))
    emulator_cpu = run.emulator.process.cpu_seconds()
    status = await run.control.load(spec)
    emulator_cpu = run.emulator.process.cpu_seconds() - emulator_cpu
    for profiler in profilers:
        profiler.stop()
    timing = await run.control.get("/timing")
    return {"status": status, "timing": timing, "emulator_cpu": emulator_cpu}


async def intake(
    setup: Setup,
    *,
    citizens: int,
    rate: float | None,
    sustained: float | None = None,
    database: str = "sqlite",
    processes: int = 1,
    baseline: bool = False,
) -> dict[str, Any]:
    """N citizens file whole reports at once: throughput, step latency, CPU, memory."""
    name = f"intake-{database}-{processes}" + ("-baseline" if baseline else "")
    script = INTAKE_SCRIPT
    async with running(
        setup, name, database=database, processes=processes, baseline=baseline
    ) as run:
        expect = await _calibrate(setup, run, script, CALIBRATION_ID)
        warm = min(setup.warmup, citizens)
        await run.control.load(
            {"citizens": warm, "script": list(script), "expect": expect,
             "first_user_id": WARMUP_ID}
        )  # fmt: skip
        await run.drained()
        cpu_before = run.cpu()
        sql_before = [bot.sql_counts() for bot in run.bots]
        saturated = await _measured_load(
            run,
            {"citizens": citizens, "script": list(script), "expect": expect,
             "first_user_id": SATURATED_ID},
            setup.profile and setup.profile / name,
        )  # fmt: skip
        drain_seconds = await run.drained()
        cpu = run.cpu() - cpu_before
        sql_after = [bot.sql_counts() for bot in run.bots]
        updates = citizens * len(script)
        statements = sum(
            after.get("statements", 0) - before.get("statements", 0)
            for before, after in zip(sql_before, sql_after, strict=True)
        )
        transactions = sum(
            after.get("transactions", 0) - before.get("transactions", 0)
            for before, after in zip(sql_before, sql_after, strict=True)
        )
        kinds = _kinds_per_update(sql_before, sql_after, updates)
        collected = _gc_per_update(sql_before, sql_after, updates)
        # Also at a rate the bot can carry, so latency is seen apart from queueing.
        calm = None
        if sustained:
            calm = await _measured_load(
                run,
                {"citizens": citizens, "script": list(script), "expect": expect,
                 "first_user_id": SUSTAINED_ID, "rate": sustained},
            )  # fmt: skip
            await run.drained()
        paced = None
        if rate:
            paced = await _measured_load(
                run,
                {"citizens": citizens, "script": list(script), "expect": expect,
                 "first_user_id": PACED_ID, "rate": rate},
            )  # fmt: skip
            await run.drained()
        assert run.database is not None
        found = await databases.counts(run.database.url)
        expected_reports = 1 + warm + citizens * (1 + bool(rate) + bool(sustained))
        result = {
            "bot": "lapor-bot",
            "database": database,
            "processes": processes,
            "citizens": citizens,
            "steps": len(script),
            "messages_per_step": expect,
            "updates_per_second": saturated["status"]["updates_per_second"],
            "seconds": saturated["status"]["elapsed_seconds"],
            "timeouts": saturated["status"]["timeouts"]
            + (paced["status"]["timeouts"] if paced else 0)
            + (calm["status"]["timeouts"] if calm else 0),
            "latency_ms": saturated["timing"]["complete_answer_ms"],
            "first_answer_ms": saturated["timing"]["first_answer_ms"],
            "emulator_cpu_share": saturated["emulator_cpu"]
            / saturated["status"]["elapsed_seconds"],
            "cpu_seconds_per_report": cpu / citizens,
            "cpu_ms_per_update": 1000 * cpu / updates,
            # Everything the process ran, the outbox's staff cards included, per update.
            "statements_per_update": statements / updates,
            "transactions_per_update": transactions / updates,
            "statements_by_kind": kinds,
            # The collector's ms an update, by generation, and how many full collections.
            "gc_ms_per_update": collected,
            "outbox_drain_seconds": drain_seconds,
            "peak_rss_mb": run.peak_rss_mb(),
            "reports_expected": expected_reports,
            "reports_stored": found["reports"],
            "outbox": {k: v for k, v in found.items() if k.startswith("outbox_")},
        }
        if calm is not None:
            result["sustained"] = {
                "rate": sustained,
                "updates_per_second": calm["status"]["updates_per_second"],
                "latency_ms": calm["timing"]["complete_answer_ms"],
                "first_answer_ms": calm["timing"]["first_answer_ms"],
            }
        if paced is not None:
            result["paced"] = {
                "rate": rate,
                "updates_per_second": paced["status"]["updates_per_second"],
                "latency_ms": paced["timing"]["complete_answer_ms"],
                "first_answer_ms": paced["timing"]["first_answer_ms"],
            }
        return result


def _kinds_per_update(
    before: list[dict[str, Any]], after: list[dict[str, Any]], updates: int
) -> dict[str, float]:
    """Statements an update by kind ("UPDATE reporters"), most frequent first."""
    kinds: dict[str, float] = {}
    for old, new in zip(before, after, strict=True):
        for name, count in (new.get("kinds") or {}).items():
            ran = count - (old.get("kinds") or {}).get(name, 0)
            if ran:
                kinds[name] = kinds.get(name, 0.0) + ran / updates
    return dict(sorted(kinds.items(), key=lambda item: -item[1]))


def _gc_per_update(
    before: list[dict[str, Any]], after: list[dict[str, Any]], updates: int
) -> dict[str, float] | None:
    """Milliseconds an update in each generation's collections; full collections run."""
    if not all("gc" in counts for counts in after):
        return None
    spent = [0.0, 0.0, 0.0]
    full = 0
    for old, new in zip(before, after, strict=True):
        empty = {"seconds": [0.0, 0.0, 0.0], "collections": [0, 0, 0]}
        was = old.get("gc") or empty
        for generation in range(3):
            spent[generation] += new["gc"]["seconds"][generation] - was["seconds"][generation]
        full += new["gc"]["collections"][2] - was["collections"][2]
    return {
        "gen0": 1000 * spent[0] / updates,
        "gen1": 1000 * spent[1] / updates,
        "gen2": 1000 * spent[2] / updates,
        "full_collections": full,
    }


async def echo(
    setup: Setup, *, citizens: int, request: str = "aiohttp", sql: bool = False
) -> dict[str, Any]:
    """The bare echo bot under the same citizens and script, sending over `request`; with
    `sql`, the floor that also stores each turn on SQLite."""
    script = INTAKE_SCRIPT
    expect = [1] * len(script)
    name = "echo-sql" if sql else f"echo-{request}"
    bot = "echo-sql" if sql else "echo"
    async with running(setup, name, bot=bot, echo_request=request) as run:
        await run.control.load(
            {"citizens": min(setup.warmup, citizens), "script": list(script), "expect": expect,
             "first_user_id": WARMUP_ID}
        )  # fmt: skip
        cpu_before = run.cpu()
        measured = await _measured_load(
            run,
            {"citizens": citizens, "script": list(script), "expect": expect,
             "first_user_id": SATURATED_ID},
            setup.profile and setup.profile / name,
        )  # fmt: skip
        return {
            "bot": bot,
            "request": request,
            "citizens": citizens,
            "updates_per_second": measured["status"]["updates_per_second"],
            "seconds": measured["status"]["elapsed_seconds"],
            "timeouts": measured["status"]["timeouts"],
            "latency_ms": measured["timing"]["complete_answer_ms"],
            "cpu_seconds_per_citizen": (run.cpu() - cpu_before) / citizens,
            "cpu_ms_per_update": 1000 * (run.cpu() - cpu_before) / (citizens * len(script)),
            "emulator_cpu_share": measured["emulator_cpu"] / measured["status"]["elapsed_seconds"],
            "peak_rss_mb": run.peak_rss_mb(),
        }


async def fanout(
    setup: Setup,
    *,
    notifications: int,
    limit: float,
    failing: float = 0.0,
    baseline: bool = False,
) -> dict[str, Any]:
    """M outbox notices to distinct citizens under Telegram's limits scaled to `limit`/s."""
    scale = limit / TELEGRAM_OVERALL_PER_SECOND
    users = [FANOUT_ID + n for n in range(notifications)]

    async def seed(run: Running) -> None:
        await run.control.post("/load/users", {"count": notifications, "first_user_id": FANOUT_ID})
        if failing:
            await run.control.post(
                "/faults",
                {"fail_randomly": {"fraction": failing, "status": 502,
                                   "methods": ["sendMessage"], "seed": 7}},
            )  # fmt: skip

    name = f"fanout-{int(failing * 100)}" + ("-baseline" if baseline else "")
    async with running(
        setup,
        name,
        limits=True,
        scale=scale,
        rate_scale=scale,
        before_start=seed,
        baseline=baseline,
    ) as run:
        assert run.database is not None
        profiler = None
        if setup.profile is not None:
            profiler = procs.start_profiler(run.bots[0], setup.profile / name / "lapor-1.txt")
        # Queued once the bot is up, so that its CPU from here on is the sending's alone
        # (and the dispatcher's idle polls), not its start-up's.
        cpu_before = run.cpu()
        await databases.seed_notifications(run.database.url, users)
        last_progress, reached = time.monotonic(), -1
        while True:
            # The database first: a row is marked sent only after the emulator has its
            # message, so once none is pending, the emulator read next has seen them all.
            found = await databases.counts(run.database.url)
            seen = await run.control.get(
                "/load/deliveries", first_user_id=FANOUT_ID, count=notifications
            )
            if seen["chats_reached"] != reached:
                last_progress, reached = time.monotonic(), seen["chats_reached"]
            if not found.get("outbox_pending") or time.monotonic() - last_progress > 60:
                break
            await asyncio.sleep(0.5)
        if profiler is not None:
            profiler.stop()
        span = (seen["last"] - seen["first"]) if seen["sends"] > 1 else None
        achieved = (seen["sends"] - 1) / span if span else None
        return {
            "notifications": notifications,
            "limit_per_second": limit,
            "failing": failing,
            "sends": seen["sends"],
            "seconds": span,
            "achieved_per_second": achieved,
            "ratio_of_limit": achieved / limit if achieved else None,
            "max_in_one_second": seen["max_per_second"],
            "answers_429": seen["rate_limited"],
            "faults_injected": seen["faults_injected"],
            "lost": notifications - seen["chats_reached"],
            "duplicates": seen["duplicates"],
            "outbox": {k: v for k, v in found.items() if k.startswith("outbox_")},
            "cpu_seconds": run.cpu(),
            "cpu_ms_per_send": (
                (run.cpu() - cpu_before) * 1000 / seen["sends"] if seen["sends"] else None
            ),
        }


async def drafts(setup: Setup, *, count: int, rate: float, reports: int = 0) -> dict[str, Any]:
    """Resident memory of the bot with `count` open drafts, each citizen answering once.

    The answers come `rate` a second in all: all at once, python-telegram-bot would hold
    every fetched update in memory while it waits for a free handler.
    """
    users = [DRAFTS_ID + n for n in range(count)]
    answers = Answers(classification=Classification.PENGADUAN).to_json()

    async def prepare(run: Running) -> None:
        await run.control.post("/load/users", {"count": count, "first_user_id": DRAFTS_ID})
        assert run.database is not None
        if reports:
            # Years of reports stored beside the drafts: memory must not grow with them.
            await seed.seed(run.database.url, seed.Shape(reports, utcnow()))
        await databases.seed_drafts(run.database.url, users, answers)

    async with running(setup, "drafts", before_start=prepare) as run:
        rss_idle = max(bot.rss_mb() for bot in run.bots)
        expect = await _calibrate(setup, run, (CONTENT,), DRAFTS_ID)
        measured = await _measured_load(
            run,
            {"citizens": count - 1, "script": [CONTENT], "expect": expect,
             "first_user_id": DRAFTS_ID + 1, "rate": rate},
        )  # fmt: skip
        assert run.database is not None
        found = await databases.counts(run.database.url)
        return {
            "drafts": count,
            "reports_stored": reports,
            "drafts_stored": found["drafts"],
            "rss_idle_mb": rss_idle,
            "rss_after_mb": max(bot.rss_mb() for bot in run.bots),
            "peak_rss_mb": run.peak_rss_mb(),
            "rate": rate,
            "updates_per_second": measured["status"]["updates_per_second"],
            "timeouts": measured["status"]["timeouts"],
        }
