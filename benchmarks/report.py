"""Printing the figures and writing docs/benchmarks.md with its plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HISTORY = Path(__file__).resolve().parent / "history.json"
# The data-scale paths before issue 17's changes, measured by the same module then.
DATASCALE_BEFORE = Path(__file__).resolve().parent / "datascale_before.json"
# The targets of issue 17 on the 2-core machine.
TARGET_UPDATES = 500.0
TARGET_P99_MS = 150.0
TARGET_ECHO_SHARE = 0.30
TARGET_CPU_MS = 2.0
TARGET_FANOUT_SHARE = 0.95
TARGET_FANOUT_FAILING_SHARE = 0.90
TARGET_RSS_MB = 150.0
# Data scale: what a person waits on, the monthly statistics, an erasure, a loop stall.
TARGET_PATH_MS = 100.0
TARGET_STATS_MS = 300.0
TARGET_ERASE_MS = 1000.0
TARGET_STALL_MS = 50.0
# Paths nobody waits on at a screen: jobs (the loop stall still counts for them).
JOB_PATHS = ("first_prune", "deadline_watch", "ekspor")


def _ms(figures: dict[str, Any] | None, key: str) -> str:
    value = (figures or {}).get(key)
    return "-" if value is None else f"{value:.0f}"


def _num(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _ratios(row: dict[str, Any], echo: dict[str, Any] | None) -> tuple[float, float] | None:
    """A bot's updates/s as a share of the fair echo's, and its CPU an update in echoes."""
    if not echo or not echo.get("updates_per_second") or not echo.get("cpu_ms_per_update"):
        return None
    share = float(row["updates_per_second"]) / float(echo["updates_per_second"])
    cpu = row.get("cpu_ms_per_update")
    return share, (float(cpu) / float(echo["cpu_ms_per_update"]) if cpu else float("nan"))


def intake_line(row: dict[str, Any], echo: dict[str, Any] | None = None) -> str:
    paced = row.get("paced") or {}
    calm = row.get("sustained") or {}
    ratios = _ratios(row, echo)
    against = (
        ""
        if ratios is None
        else f"; {ratios[0]:.0%} of the fair echo's updates/s, {ratios[1]:.1f}x its CPU an update"
    )
    return (
        f"  {row['updates_per_second']:.0f} updates/s; step latency p50/p95/p99 "
        f"{_ms(row['latency_ms'], 'p50')}/{_ms(row['latency_ms'], 'p95')}/"
        f"{_ms(row['latency_ms'], 'p99')} ms; at {_num(paced.get('rate'))}/s: "
        f"{_ms(paced.get('latency_ms'), 'p50')}/{_ms(paced.get('latency_ms'), 'p95')}/"
        f"{_ms(paced.get('latency_ms'), 'p99')} ms; at {_num(calm.get('rate'))}/s: "
        f"{_ms(calm.get('latency_ms'), 'p50')}/{_ms(calm.get('latency_ms'), 'p95')}/"
        f"{_ms(calm.get('latency_ms'), 'p99')} ms; {_num(row.get('cpu_ms_per_update'), 2)} ms "
        f"CPU an update; {_num(row.get('statements_per_update'), 1)} SQL statements an update; "
        f"peak {row['peak_rss_mb']:.0f} MiB; reports {row['reports_stored']}/"
        f"{row['reports_expected']}; timeouts {row['timeouts']}{against}"
    )


def _db(row: dict[str, Any]) -> str:
    return "PostgreSQL" if row["database"] == "postgresql" else "SQLite"


def _procs(row: dict[str, Any]) -> str:
    return "1, polling" if row["processes"] == 1 else f"{row['processes']}, webhooks"


def _main_intake(intake: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next(
        (r for r in intake if r["database"] == "sqlite" and r["processes"] == 1),
        intake[0] if intake else None,
    )


def echo_share(results: dict[str, Any]) -> float | None:
    main, echo = _main_intake(results.get("intake", [])), results.get("echo")
    if not main or not echo or not echo.get("updates_per_second"):
        return None
    return float(main["updates_per_second"]) / float(echo["updates_per_second"])


def echo_line(echo: dict[str, Any], intake: list[dict[str, Any]]) -> str:
    main = _main_intake(intake)
    ratios = None if main is None else _ratios(main, echo)
    against = (
        ""
        if ratios is None
        else f"; lapor-bot does {ratios[0]:.0%} of its updates/s at {ratios[1]:.1f}x its CPU "
        "an update"
    )
    return (
        f"  {echo['updates_per_second']:.0f} updates/s; p50/p95/p99 "
        f"{_ms(echo['latency_ms'], 'p50')}/{_ms(echo['latency_ms'], 'p95')}/"
        f"{_ms(echo['latency_ms'], 'p99')} ms; {_num(echo.get('cpu_ms_per_update'), 2)} ms CPU "
        f"an update{against}"
    )


def fanout_line(row: dict[str, Any]) -> str:
    share = row["ratio_of_limit"]
    return (
        f"  {_num(row['achieved_per_second'])}/s of {row['limit_per_second']:.0f}/s "
        f"({'-' if share is None else f'{share:.0%}'}); 429 answers {row['answers_429']}; "
        f"lost {row['lost']}; duplicates {row['duplicates']}; 5xx injected "
        f"{row['faults_injected']}; outbox {row['outbox']}; CPU "
        f"{_num(row.get('cpu_ms_per_send'), 2)} ms a send"
    )


def drafts_line(row: dict[str, Any]) -> str:
    return (
        f"  {row['drafts_stored']} drafts stored; resident {row['rss_idle_mb']:.0f} MiB idle, "
        f"{row['rss_after_mb']:.0f} MiB after every citizen answered, peak "
        f"{row['peak_rss_mb']:.0f} MiB"
    )


NOTES = [
    "## How it is measured",
    "",
    "- Compare figures within one run, not across runs: this machine is shared, and the "
    "same commit has measured from 105 to 185 updates a second on SQLite within two "
    "hours. The echo bot, measured in the same run, is the yardstick; its own rate shows "
    "how fast the machine was.",
    "- During intake the emulator enforces no flood limits and the bot's own pacing is "
    "lifted (`OUTBOX_RATE_SCALE=100`): Telegram holds a bot to about 30 messages a second "
    "in all, some 17 citizens' messages a second at this bot's one to two answers each, so "
    "with Telegram's limits the figures would measure Telegram, not the bot.",
    "- Two bot processes run as `lapor-bot webhook` behind a round-robin forwarder "
    "(`benchmarks/forwarder.py`), as behind a reverse proxy: Telegram lets only one "
    "process poll. One process runs `lapor-bot run` (long polling), the default. With "
    "webhooks at most 100 updates are in flight (Telegram's `max_connections`), so "
    "saturated latency is lower there by construction.",
    "- The load comes from inside the emulator process (`bot/sandbox/emulator/load.py`); the "
    "emulator used 10-20% of one core during the runs, so the bot and not the load "
    "generator is the bottleneck. Answer times come from `bot/sandbox/emulator/timing.py`.",
    "- Saturated latency is queueing: with 500 citizens always waiting, a step waits for "
    "some 500 others (Little's law), so it is the paced runs that show latency.",
    "- The 5xx fan-out run: a call answered 5xx gives its booking of the limits back (it "
    "sent nothing) and its row is retried after 0.25 to 0.375 s, doubling; none is lost or "
    "sent twice.",
    "- SQL statements and transactions are counted in the bot process by "
    "`benchmarks/counted_bot.py` (SQLAlchemy's engine events) over the saturated run and "
    "the delivery of its staff cards, everything the process ran, divided by the updates.",
    "- The before-and-after runs the earlier commit's own tree (`--baseline`), migrated by "
    "its own code, in the same command; the data-scale 'before' table was measured by the "
    "same module at the start of the work, not in this run.",
]
WHERE_THE_TIME_GOES = [
    "## Where the time goes now",
    "",
    "py-spy on the saturated SQLite run (`python -m benchmarks --only intake --profile "
    "DIR`, 300 citizens) at the start of issue 17 (commit 3b558c5), the bot's samples by "
    "the function running: SQLAlchemy's own Python 45% (of it the ORM's flush at commit, "
    "11% of all), python-telegram-bot 11%, the SQLite calls 11%, asyncio 10%, aiohttp 6%. "
    "By the bot's own functions: the citizen's turn 33% of which the flood count 5% and "
    "finding the reporter 3%; sending the turn's replies 13%; marking them sent in a "
    "transaction of its own 4%; the redelivery guard's lookup 2%; the ledger 1%. Counted: "
    "8.3 SQL statements and 2.8 transactions an update (all the process ran, staff cards "
    "included).",
    "",
    "Changed for it: the replies are marked sent with the ledger's batch (one transaction "
    "an update less), start-up objects are frozen out of the collector (`gc.freeze`).",
    "",
    "py-spy again at the start of the hot-path work (commit 91db6c8, 300 citizens, load "
    "average 7-10): SQLAlchemy 47% of the samples (the ORM's flush at commit 12%, building "
    "statements and their cache keys some 5%), the SQLite calls 8%, asyncio 10%, "
    "python-telegram-bot 10%, aiohttp 5%; the turn's text folded again for every word "
    "compared 3%; the redelivery guard's session 2-3%; the collector 0.35 ms an update "
    "with three full collections a run. Changed for it: the typed text folded once a turn; "
    "no redelivery lookup (nor its session) for a poller's first fetch of a new update; the "
    "turn's hot statements built once with bound parameters and the handled record a Core "
    "INSERT; the young generation collected every 20,000 objects (no full collection in a "
    "run). Statements an update 7.1 -> 6.0. Still to change, in order of the profile: the "
    "draft's and the reporter's writes through Core instead of the ORM's flush, the flood "
    "count folded into the reporter's read, and the SQLite write lock held from the flood "
    "count to commit (an in-process turn for writers was tried: it kept writers in order, "
    "but a two-process SQLite test then lost a citizen's last answer, so it is left out).",
]


def load_history() -> list[dict[str, Any]]:
    if not HISTORY.exists():
        return []
    return list(json.loads(HISTORY.read_text()))


def _targets(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    main = _main_intake(results.get("intake", []))
    rows: list[tuple[str, str, bool | None]] = []
    if main:
        ups = float(main["updates_per_second"])
        rows.append((f"at least {TARGET_UPDATES:.0f} updates/s on SQLite", f"{ups:.0f}/s",
                     ups >= TARGET_UPDATES))  # fmt: skip
        paced = main.get("paced")
        if paced:
            p99 = paced["latency_ms"].get("p99")
            rows.append((
                f"p99 step latency at most {TARGET_P99_MS:.0f} ms at {paced['rate']:.0f}/s",
                f"{_ms(paced['latency_ms'], 'p99')} ms",
                p99 is not None and p99 <= TARGET_P99_MS,
            ))  # fmt: skip
        cpu_ms = main.get("cpu_ms_per_update")
        if cpu_ms is not None:
            rows.append((f"at most {TARGET_CPU_MS:.0f} ms CPU an update (SQLite, one process)",
                         f"{cpu_ms:.2f} ms", cpu_ms <= TARGET_CPU_MS))  # fmt: skip
        rows.append(("every report stored",
                     f"{main['reports_stored']} of {main['reports_expected']}",
                     main["reports_stored"] == main["reports_expected"]))  # fmt: skip
    share = echo_share(results)
    if share is not None:
        rows.append((f"at least {TARGET_ECHO_SHARE:.0%} of the fair echo bot's throughput",
                     f"{share:.0%}", share >= TARGET_ECHO_SHARE))  # fmt: skip
    for row in results.get("fanout", []):
        label = f"fan-out, {row['failing']:.0%} of calls failing"
        share = row["ratio_of_limit"]
        ok = row["lost"] == 0 and row["answers_429"] == 0 and row["duplicates"] == 0
        wanted = TARGET_FANOUT_FAILING_SHARE if row["failing"] else TARGET_FANOUT_SHARE
        ok = ok and share is not None and share >= wanted
        label += f": at least {wanted:.0%} of the limit, none lost, none twice, no 429"
        rows.append((label, f"{'-' if share is None else f'{share:.0%}'}, lost {row['lost']}, "
                     f"429 {row['answers_429']}", ok))  # fmt: skip
    drafts = results.get("drafts")
    if drafts:
        rows.append((f"at most {TARGET_RSS_MB:.0f} MB resident with {drafts['drafts']:,} drafts "
                     f"and {drafts.get('reports_stored', 0):,} reports",
                     f"{drafts['peak_rss_mb']:.0f} MiB",
                     drafts["peak_rss_mb"] <= TARGET_RSS_MB))  # fmt: skip
    rows += _datascale_targets(results.get("datascale", []))
    return rows


def _datascale_targets(runs: list[dict[str, Any]]) -> list[tuple[str, str, bool | None]]:
    """At the largest size measured on each database."""
    rows: list[tuple[str, str, bool | None]] = []
    for kind in ("sqlite", "postgresql"):
        mine = [r for r in runs if r["database"] == kind]
        if not mine:
            continue
        top = max(mine, key=lambda r: r["reports"])
        paths, where = top["paths"], f"{_db(top)}, {top['reports']:,} reports"
        failed = [name for name, f in paths.items() if "error" in f]
        waited = {n: f for n, f in paths.items() if "error" not in f and n not in JOB_PATHS}
        slowest = max(waited.items(), key=lambda item: item[1]["median_ms"], default=None)
        if slowest is not None:
            others = {n: f for n, f in waited.items() if n not in ("statistik", "erase")}
            worst = max(others.items(), key=lambda item: item[1]["median_ms"])
            rows.append((f"every path a person waits on within {TARGET_PATH_MS:.0f} ms "
                         f"(statistics, erasure apart), {where}",
                         f"slowest {worst[0]} {worst[1]['median_ms']:.0f} ms",
                         worst[1]["median_ms"] <= TARGET_PATH_MS and not failed))  # fmt: skip
        for name, limit in (("statistik", TARGET_STATS_MS), ("erase", TARGET_ERASE_MS)):
            figures = paths.get(name, {})
            if "median_ms" in figures:
                rows.append((f"{name} within {limit:.0f} ms, {where}",
                             f"{figures['median_ms']:.0f} ms",
                             figures["median_ms"] <= limit))  # fmt: skip
        stalls = {n: f["stall_ms"] for n, f in paths.items() if "stall_ms" in f}
        if stalls:
            name, stall = max(stalls.items(), key=lambda item: item[1])
            rows.append((f"no path holds the event loop over {TARGET_STALL_MS:.0f} ms, {where}",
                         f"longest {stall:.0f} ms ({name})",
                         stall <= TARGET_STALL_MS))  # fmt: skip
        if failed:
            rows.append((f"every path runs, {where}", f"failed: {', '.join(failed)}", False))
    return rows


def _intake_table(intake: list[dict[str, Any]], echo: dict[str, Any] | None) -> list[str]:
    lines = [
        "| database | bot processes | updates/s | share of the fair echo's updates/s "
        "| step p50 / p95 / p99 ms (saturated) "
        "| paced rate | step p50 / p95 / p99 ms (paced) | carried rate "
        "| step p50 / p95 / p99 ms (carried) | CPU ms an update | CPU an update, times the "
        "fair echo's | SQL statements an update | peak RSS MiB | reports stored |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in intake:
        lat, paced, calm = row["latency_ms"], row.get("paced") or {}, row.get("sustained") or {}
        plat, clat = paced.get("latency_ms"), calm.get("latency_ms")
        ratios = _ratios(row, echo)
        share, times = ("-", "-") if ratios is None else (f"{ratios[0]:.0%}", f"{ratios[1]:.1f}")
        lines.append(
            f"| {_db(row)} | {_procs(row)} | {row['updates_per_second']:.0f} | {share} "
            f"| {_ms(lat, 'p50')} / {_ms(lat, 'p95')} / {_ms(lat, 'p99')} "
            f"| {_num(paced.get('updates_per_second'))}/s "
            f"| {_ms(plat, 'p50')} / {_ms(plat, 'p95')} / {_ms(plat, 'p99')} "
            f"| {_num(calm.get('updates_per_second'))}/s "
            f"| {_ms(clat, 'p50')} / {_ms(clat, 'p95')} / {_ms(clat, 'p99')} "
            f"| {_num(row.get('cpu_ms_per_update'), 2)} | {times} "
            f"| {_num(row.get('statements_per_update'), 1)} | {row['peak_rss_mb']:.0f} "
            f"| {row['reports_stored']} of {row['reports_expected']} |"
        )
    return lines


def _statement_kinds(intake: list[dict[str, Any]]) -> list[str]:
    """What the counted statements were, for each row that counted them by kind."""
    lines = []
    for row in intake:
        kinds = row.get("statements_by_kind")
        if kinds:
            listed = ", ".join(f"{name} {count:.2f}" for name, count in kinds.items())
            lines.append(f"- {_db(row)}, {_procs(row)}: {listed}.")
        collected = row.get("gc_ms_per_update")
        if collected:
            total = collected["gen0"] + collected["gen1"] + collected["gen2"]
            lines.append(
                f"  The garbage collector: {total:.2f} ms an update (the oldest generation "
                f"{collected['gen2']:.2f} ms, {collected['full_collections']:.0f} full "
                "collections)."
            )
    if not lines:
        return []
    return [
        "",
        "SQL statements an update by kind (verb and first table), everything the process "
        "ran over the saturated run and the delivery of its staff cards, and the time the "
        "process spent in the garbage collector (gc.callbacks):",
        "",
        *lines,
    ]


def _history_table(history: list[dict[str, Any]]) -> list[str]:
    if not history:
        return ["(no recorded runs yet)"]
    lines = [
        "| step | commit | citizens | updates/s | p99 ms (saturated) | CPU s a report "
        "| CPU ms an update | SQL statements an update | fair echo in the same run: "
        "updates/s, CPU ms an update | share of the echo's updates/s, CPU in echoes "
        "| peak RSS MiB | fan-out, share of the limit | what changed, and what it gained |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for n, entry in enumerate(history):
        f = entry["figures"]
        share = f.get("fanout_share")
        echo = f.get("echo") or {}
        ratios = _ratios(f, echo) if "updates_per_second" in f else None
        lines.append(
            f"| {n} | {entry.get('commit', '-')} | {_num(f.get('citizens'))} "
            f"| {_num(f.get('updates_per_second'))} | {_num(f.get('p99_ms'))} "
            f"| {_num(f.get('cpu_seconds_per_report'), 3)} "
            f"| {_num(f.get('cpu_ms_per_update'), 2)} | {_num(f.get('statements_per_update'), 1)} "
            + (
                f"| {echo['updates_per_second']:.0f}, {echo['cpu_ms_per_update']:.2f} "
                if echo
                else "| - "
            )
            + ("| - " if ratios is None else f"| {ratios[0]:.0%}, {ratios[1]:.1f} ")
            + f"| {_num(f.get('peak_rss_mb'))} "
            f"| {'-' if share is None else f'{share:.0%}'} | {entry['change']} |"
        )
    return lines


DATASCALE_PATHS = (
    ("cek_status", 'citizen "cek status"'),
    ("laporan_saya", 'citizen "laporan saya"'),
    ("citizen_reply", "citizen replies to a notice"),
    ("daily_cap", "citizen files: the daily cap"),
    ("new_code", "citizen files: a free code"),
    ("erase", "citizen erasure (/hapusdata)"),
    ("antrean", "staff /antrean of one agency"),
    ("cari", "staff /cari, a word no report has"),
    ("staff_reply", "staff replies to a card"),
    ("statistik", "staff /statistik bulan"),
    ("ekspor", "staff /ekspor of one month"),
    ("deadline_watch", "deadline watch, one run"),
    ("api_first", "API list, first page"),
    ("api_last", "API list, last page"),
    ("open311_requests", "Open311 requests.json, default window"),
    ("open311_updates", "Open311 servicerequestupdates.json"),
    ("first_prune", "outbox pruning, first run after the upgrade (job)"),
)


def _cell(figures: dict[str, Any] | None) -> str:
    if not figures:
        return "-"
    if "error" in figures:
        return f"fails ({figures['error']})"
    return f"{figures['median_ms']:,.0f} ({figures['stall_ms']:,.0f})"


def _datascale_table(runs: list[dict[str, Any]]) -> list[str]:
    order = {"sqlite": 0, "postgresql": 1}
    runs = sorted(runs, key=lambda r: (order.get(r["database"], 2), r["reports"]))
    columns = [(r["database"], r["reports"]) for r in runs]
    head = " | ".join(f"{'SQLite' if k == 'sqlite' else 'PostgreSQL'} {n:,}" for k, n in columns)
    by = {(r["database"], r["reports"]): r for r in runs}
    lines = [f"| path | {head} |", "| --- |" + " --- |" * len(columns)]
    for name, label in DATASCALE_PATHS:
        cells = " | ".join(_cell(by[c]["paths"].get(name)) for c in columns)
        lines.append(f"| {label} | {cells} |")
    seeded = " | ".join(f"{by[c]['seeded']['seconds']:,.0f} s" for c in columns)
    lines.append(f"| seeding (not a product path) | {seeded} |")
    memory = " | ".join(
        f"{max((f.get('rss_added_mb', 0.0) for f in by[c]['paths'].values()), default=0):.1f}"
        for c in columns
    )
    lines.append(f"| most resident memory a path added, MiB | {memory} |")
    return lines


def _datascale_section(runs: list[dict[str, Any]]) -> list[str]:
    if not runs:
        return []
    lines = [
        "",
        "## 6. Data scale: every path at 10,000 to 1,000,000 reports",
        "",
        "A database seeded with years of a city's reports (`benchmarks/seed.py`: reports over "
        "ten years with their timelines, attachments, staff-message links, sent outbox rows, "
        "audit entries and the last days' handled updates, written in bulk), pruned as the "
        "bot's hourly job prunes it, then each path run through the product's own functions "
        "in one unit of work, rolled back, several times (`benchmarks/datascale.py`). Median "
        "ms, and in brackets the longest the event loop was held meanwhile (a task that "
        "should wake every millisecond measures how late it woke).",
        "",
        *_datascale_table(runs),
    ]
    if DATASCALE_BEFORE.exists():
        before = json.loads(DATASCALE_BEFORE.read_text())
        lines += [
            "",
            f"Before, at commit {before['commit']} ({before['note']}), the same seed and "
            "paths (`benchmarks/datascale_before.json`); 'fails' is a path that raised: at a "
            "million reports no tracking code was left, and seven-digit formatting failed on "
            "the nine-digit codes the seed then holds:",
            "",
            *_datascale_table(before["runs"]),
        ]
    return lines


def _before_after(results: dict[str, Any]) -> list[str]:
    """The earlier commit's bot and this one's, measured in this same run."""
    base = results.get("baseline")
    main = _main_intake(results.get("intake", []))
    if not base:
        return []
    echo = results.get("echo") or {}
    lines = [
        "",
        f"## Before and after, in this run (before: commit {base['commit']})",
        "",
        "The earlier commit's bot run by this same command, on the same emulator and "
        "citizens, minutes apart; ratios are of the fair echo bot measured first.",
        "",
        "| figure | before | after |",
        "| --- | --- | --- |",
    ]
    before = (base.get("intake") or [None])[0]
    if before and main:

        def share(row: dict[str, Any]) -> str:
            if not echo.get("updates_per_second"):
                return "-"
            return f"{row['updates_per_second'] / echo['updates_per_second']:.0%}"

        def cpu_times(row: dict[str, Any]) -> str:
            ratios = _ratios(row, echo)
            return "-" if ratios is None else f"{ratios[1]:.1f}"

        def paced_p99(row: dict[str, Any]) -> str:
            return _ms((row.get("paced") or {}).get("latency_ms"), "p99")

        for label, pick in (
            (
                "updates/s, SQLite, one process, saturated",
                lambda r: f"{r['updates_per_second']:.0f}",
            ),
            ("share of the fair echo's updates/s", share),
            ("p99 step ms at the paced rate", paced_p99),
            ("CPU ms an update", lambda r: _num(r.get("cpu_ms_per_update"), 2)),
            ("CPU an update, times the fair echo's", cpu_times),
            ("SQL statements an update", lambda r: _num(r.get("statements_per_update"), 1)),
            ("SQL transactions an update", lambda r: _num(r.get("transactions_per_update"), 2)),
            ("peak RSS MiB", lambda r: f"{r['peak_rss_mb']:.0f}"),
        ):
            lines.append(f"| {label} | {pick(before)} | {pick(main)} |")
    for old, new in zip(base.get("fanout", []), results.get("fanout", []), strict=False):
        a, b = old.get("ratio_of_limit"), new.get("ratio_of_limit")
        lines.append(
            f"| fan-out {new['failing']:.0%} failing, share of the limit "
            f"| {'-' if a is None else f'{a:.0%}'} | {'-' if b is None else f'{b:.0%}'} |"
        )
        for label, key in (("CPU ms a send", "cpu_ms_per_send"), ("429 answers", "answers_429")):
            lines.append(
                f"| fan-out {new['failing']:.0%} failing, {label} "
                f"| {_num(old.get(key), 2)} | {_num(new.get(key), 2)} |"
            )
    old_burst, new_burst = base.get("burst"), results.get("burst")
    if old_burst and new_burst:
        for label, pick in (
            ("burst, share of the group's limit", lambda r: _share(r.get("ratio_of_limit"))),
            ("burst, 429 answers", lambda r: str(r["answers_429"])),
            ("burst, cards lost", lambda r: str(r["lost"])),
            ("burst, chatting citizens' p99 ms during", lambda r: _ms(
                r["chat_during_burst"]["latency_ms"], "p99")),
            ("burst, chatting citizens' timeouts during", lambda r: str(
                r["chat_during_burst"]["timeouts"])),
        ):  # fmt: skip
            lines.append(f"| {label} | {pick(old_burst)} | {pick(new_burst)} |")
    return lines


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def markdown(results: dict[str, Any], plot_name: str) -> str:
    m = results["machine"]
    args = results["args"]
    out = [
        "# Benchmarks",
        "",
        "Written by `python -m benchmarks` "
        f"({'smoke size' if args.get('smoke') else 'full size'}) on {m['when']}, commit "
        f"{m['commit']}, {m['cores']} cores, Python {m['python']}, load average "
        f"{m['load_before']} before the run. The emulator (`python -m bot.emulator`) and every "
        "bot run as separate processes on this machine; each scenario starts on a fresh "
        "database.",
        "",
        f"![lapor-bot benchmarks]({plot_name})",
        "",
        *(f"{note}\n" for note in results.get("notes", [])),
        "## Targets",
        "",
        "| target | measured | met |",
        "| --- | --- | --- |",
    ]
    for label, value, ok in _targets(results):
        out.append(f"| {label} | {value} | {'yes' if ok else 'no'} |")
    intake = results.get("intake", [])
    out += [
        "",
        "## 1. Intake, and 4. SQLite against PostgreSQL",
        "",
        f"{args['citizens']} citizens at once, each filing a whole report by typing "
        "(consent, menu, the eight steps and *kirim*: 11 messages). *Saturated*: each citizen "
        "types the next line as soon as the bot's whole answer to the last one has arrived, "
        "so the bot is never idle; *paced*: the same number of citizens offer "
        f"{_num(args.get('rate'))} updates a second in all (the target), and *carried*: "
        f"{_num(args.get('sustained_rate'))} a second, a load the bot keeps up with on "
        "average (its tail is the last step's burst, below). Latency is measured at the "
        "emulator from the moment getUpdates handed the update to the bot to the bot's last "
        "message answering it. CPU is the bot process's user and system time over the "
        "saturated run and the delivery of its staff cards, divided by the reports filed.",
        "",
        *_intake_table(intake, results.get("echo")),
        *_statement_kinds(intake),
    ]
    echo = results.get("echo")
    if echo:
        share = echo_share(results)
        main = _main_intake(intake)
        lines = [
            "",
            "## 2. The yardstick: a bare python-telegram-bot echo bot over the same HTTP",
            "",
            "`benchmarks/echo_bot.py` on the same emulator, citizens and script, sending "
            "through lapor-bot's own aiohttp request class (`bot/transport/aiohttp_request.py`) "
            f"as lapor-bot does, measured first in this run: {echo['updates_per_second']:.0f} "
            f"updates/s, step latency p50 / p95 / p99 {_ms(echo['latency_ms'], 'p50')} / "
            f"{_ms(echo['latency_ms'], 'p95')} / {_ms(echo['latency_ms'], 'p99')} ms, "
            f"{_num(echo.get('cpu_ms_per_update'), 2)} ms CPU an update, peak "
            f"{echo['peak_rss_mb']:.0f} MiB.",
        ]
        if share is not None and main is not None and echo.get("cpu_ms_per_update"):
            cpu_ratio = main.get("cpu_ms_per_update", 0) / echo["cpu_ms_per_update"]
            lines += [
                "",
                f"lapor-bot (SQLite, one process) reaches **{share:.0%}** of its throughput "
                f"and spends **{cpu_ratio:.1f} times** its CPU on an update.",
            ]
        floor = results.get("floor")
        if floor and floor.get("cpu_ms_per_update") and main is not None:
            lines += [
                "",
                "The floor: the same echo bot storing each turn as lapor-bot does, in one "
                "transaction on lapor-bot's tables and engine (the citizen looked up, the flood "
                "count raised, the draft written, the update recorded with its answer), through "
                "SQLAlchemy Core with no ORM and no conversation (`benchmarks/sql_echo_bot.py`): "
                f"{floor['updates_per_second']:.0f} updates/s, "
                f"{_num(floor['cpu_ms_per_update'], 2)} ms CPU an update. Of lapor-bot's "
                f"{_num(main.get('cpu_ms_per_update'), 2)} ms, the echo's share is "
                f"{_num(echo['cpu_ms_per_update'], 2)} ms, the storing's "
                f"{_num(floor['cpu_ms_per_update'] - echo['cpu_ms_per_update'], 2)} ms, and the "
                f"rest, {_num(main.get('cpu_ms_per_update', 0) - floor['cpu_ms_per_update'], 2)} "
                "ms, is lapor-bot's own (the ORM, the conversation, the replies).",
            ]
        httpx = results.get("echo_httpx")
        if httpx:
            lines += [
                "",
                "Only as a note: the same echo bot over python-telegram-bot's default httpx "
                f"client, later in the run, {httpx['updates_per_second']:.0f} updates/s, "
                f"{_num(httpx.get('cpu_ms_per_update'), 2)} ms CPU an update (the yardstick "
                "of the benchmark issue, unfair to a bot that does not send through httpx).",
            ]
        out += lines
    fan = results.get("fanout", [])
    if fan:
        out += [
            "",
            "## 3. Fan-out through the outbox",
            "",
            f"{args['notifications']:,} notices to distinct citizens written to the outbox, "
            f"sent by the bot's dispatcher while the emulator enforces Telegram's limits "
            f"scaled to {args['limit']:.0f} a second overall (bursts of 30, per chat and per "
            "group scaled alike); the bot's `OUTBOX_RATE_SCALE` matches. The rate is measured "
            "at the emulator from the first accepted send to the last.",
            "",
            "| 5xx share | achieved/s | of the limit | seconds | 429 answers | 5xx injected "
            "| lost | duplicates | outbox rows |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for row in fan:
            share = row["ratio_of_limit"]
            out.append(
                f"| {row['failing']:.0%} | {_num(row['achieved_per_second'])} "
                f"| {'-' if share is None else f'{share:.0%}'} | {_num(row['seconds'], 1)} "
                f"| {row['answers_429']} | {row['faults_injected']} | {row['lost']} "
                f"| {row['duplicates']} | {row['outbox']} |"
            )
    drafts = results.get("drafts")
    if drafts:
        out += [
            "",
            "## 5. Memory with open drafts",
            "",
            f"{drafts['drafts']:,} citizens each in the middle of a report (their drafts in "
            f"the database, beside {drafts.get('reports_stored', 0):,} stored reports), each "
            f"sending the bot one more answer, {drafts['rate']:.0f} a "
            "second in all: resident memory of the bot "
            f"process {drafts['rss_idle_mb']:.0f} MiB once started, "
            f"{drafts['rss_after_mb']:.0f} MiB after every citizen answered, peak "
            f"{drafts['peak_rss_mb']:.0f} MiB; {drafts['drafts_stored']:,} drafts stored.",
        ]
    out += _before_after(results)
    out += _datascale_section(results.get("datascale", []))
    out += ["", *NOTES, "", *WHERE_THE_TIME_GOES]
    out += [
        "",
        "## Before and after the optimisations",
        "",
        "Intake on SQLite, one bot process, saturated, and fan-out, recorded by hand "
        "(`benchmarks/history.json`) from A/B runs of each commit against its parent taken "
        "back to back; the machine was shared with other work throughout, so only figures "
        "of the same row pair compare closely.",
        "",
        *_history_table(load_history()),
        "",
        "## Re-running",
        "",
        "```sh",
        ".venv/bin/pip install -e '.[bench]'",
        ".venv/bin/python -m benchmarks            # full size, writes this file",
        ".venv/bin/python -m benchmarks --smoke    # tiny sizes, as CI runs it",
        ".venv/bin/python -m benchmarks --baseline main   # an earlier commit's bot beside",
        ".venv/bin/python -m benchmarks --only datascale --data-sizes 10000,100000,1000000",
        "```",
        "",
    ]
    return "\n".join(out)


def _plot_throughput(ax: Any, results: dict[str, Any]) -> None:
    intake = results.get("intake", [])
    labels = [f"lapor {_db(r)}\n{_procs(r)}" for r in intake]
    values = [r["updates_per_second"] for r in intake]
    if results.get("echo"):
        labels.append("echo bot")
        values.append(results["echo"]["updates_per_second"])
    ax.bar(labels, values, color=["#2b6cb0"] * len(intake) + ["#999999"])
    ax.axhline(TARGET_UPDATES, color="#c53030", linestyle="--", label="target")
    ax.set_title("Intake throughput (updates a second)")
    ax.legend()


def _plot_latency(ax: Any, results: dict[str, Any]) -> None:
    main = _main_intake(results.get("intake", []))
    if not main:
        return
    series = [("saturated", main["latency_ms"])]
    for kind in ("sustained", "paced"):
        if main.get(kind):
            series.append((f"{main[kind]['rate']:.0f}/s offered", main[kind]["latency_ms"]))
    width = 0.8 / len(series)
    for n, (name, lat) in enumerate(series):
        xs = [i + n * width for i in range(3)]
        ax.bar(xs, [lat.get(p) or 0 for p in ("p50", "p95", "p99")], width, label=name)
    ax.set_xticks([i + width * (len(series) - 1) / 2 for i in range(3)])
    ax.set_xticklabels(["p50", "p95", "p99"])
    ax.axhline(TARGET_P99_MS, color="#c53030", linestyle="--", label="p99 target")
    ax.set_yscale("log")
    ax.set_title("Step latency, SQLite, one process (ms, log scale)")
    ax.legend()


def _plot_fanout(ax: Any, results: dict[str, Any]) -> None:
    fan = results.get("fanout", [])
    if not fan:
        return
    names = [f"{r['failing']:.0%} 5xx" for r in fan]
    ax.bar(names, [r["achieved_per_second"] or 0 for r in fan], color="#2f855a")
    limit = fan[0]["limit_per_second"]
    ax.axhline(limit, color="#444444", label="limit")
    ax.axhline(limit * TARGET_FANOUT_SHARE, color="#c53030", linestyle="--", label="90% target")
    ax.set_title("Fan-out: notices a second")
    ax.legend()


def _plot_history(ax: Any) -> None:
    history = load_history()
    if not history:
        return
    steps = [(n, h["figures"]["updates_per_second"]) for n, h in enumerate(history)
             if h["figures"].get("updates_per_second")]  # fmt: skip
    ax.plot([n for n, _ in steps], [ups for _, ups in steps], marker="o")
    ax.set_xticks([n for n, _ in steps])
    ax.axhline(TARGET_UPDATES, color="#c53030", linestyle="--")
    ax.set_title("Updates a second after each optimisation")
    ax.set_xlabel("step (see the table)")


def plot(results: dict[str, Any], path: Path) -> None:
    """Throughput, latency, fan-out and the optimisation history in one picture."""
    import matplotlib  # noqa: PLC0415 - optional dependency, only when writing the note

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, ((ax_tp, ax_lat), (ax_fan, ax_hist)) = plt.subplots(2, 2, figsize=(12, 8.5))
    _plot_throughput(ax_tp, results)
    _plot_latency(ax_lat, results)
    _plot_fanout(ax_fan, results)
    _plot_history(ax_hist)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def write(results: dict[str, Any], out: Path, plot_path: Path) -> None:
    """The note and its plot, side by side."""
    plot(results, plot_path)
    try:
        name = str(plot_path.relative_to(out.parent))
    except ValueError:
        name = str(plot_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown(results, name))
