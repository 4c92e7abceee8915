"""The one benchmark command: every scenario, the figures printed, the note written."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import burst, databases, datascale, procs, report, scenarios
from benchmarks.procs import ROOT

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
SMOKE = {
    "citizens": 5,
    "notifications": 30,
    "drafts": 100,
    "rate": 20.0,
    "sustained_rate": 10.0,
    "settle": 0.4,
    "data_sizes": "2000",
    "drafts_reports": 500,
    "burst_reports": 20,
    "burst_chatters": 5,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--citizens", type=int, default=500, help="citizens filing at once")
    parser.add_argument(
        "--rate",
        type=float,
        default=300.0,
        help="updates a second offered in the paced run (0: no paced run)",
    )
    parser.add_argument(
        "--sustained-rate",
        type=float,
        default=100.0,
        help="updates a second of a second paced run, one the bot can carry (0: none)",
    )
    parser.add_argument("--notifications", type=int, default=3000, help="fan-out size")
    parser.add_argument(
        "--limit", type=float, default=300.0, help="Telegram's overall limit, scaled, per second"
    )
    parser.add_argument("--failing", type=float, default=0.10, help="share of 5xx in fan-out")
    parser.add_argument(
        "--burst-reports", type=int, default=500, help="reports filed at once in the burst run"
    )
    parser.add_argument(
        "--burst-chatters", type=int, default=50, help="citizens chatting during the burst"
    )
    parser.add_argument(
        "--burst-scale", type=float, default=15.0, help="Telegram's limits sped up in the burst"
    )
    parser.add_argument("--drafts", type=int, default=10_000, help="open drafts")
    parser.add_argument(
        "--drafts-rate", type=float, default=100.0, help="answers a second in the memory run"
    )
    parser.add_argument(
        "--drafts-reports",
        type=int,
        default=1_000_000,
        help="reports stored beside the drafts in the memory run",
    )
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument(
        "--processes",
        default="1",
        help="bot processes to compare, e.g. 1,2; or for each database, e.g. sqlite:1,postgresql:2",
    )
    parser.add_argument(
        "--only",
        default="echo,floor,httpx,intake,fanout,burst,drafts,datascale",
        help="comma-separated scenarios: echo, floor (the echo storing each turn), httpx (the "
        "echo over httpx, a note), intake, fanout, burst, drafts, datascale",
    )
    parser.add_argument(
        "--data-sizes",
        default="10000,100000,1000000",
        help="reports seeded for the data-scale run, comma-separated",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
        or DEFAULT_PG,
        help="PostgreSQL server to create throw-away databases on",
    )  # fmt: skip
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to check it works")
    parser.add_argument(
        "--baseline",
        help="also run an earlier commit's bot (intake on SQLite, fan-out, burst) for a "
        "before-and-after",
    )
    parser.add_argument(
        "--settle", type=float, default=0.8, help="quiet seconds that end an answer when counting"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument(
        "--plot", type=Path, help="the picture (default: benchmarks.png beside --out's note)"
    )
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--workdir", type=Path, help="keep logs and databases here")
    parser.add_argument(
        "--profile", type=Path, help="write py-spy stacks of the bot's intake into this folder"
    )
    parser.add_argument(
        "--from-json", type=Path, help="only write the note again from figures saved by --json"
    )
    return parser


def _process_counts(spec: str) -> dict[str, list[int]]:
    """Bot processes to run for each database ("" for every database): "1,2" or
    "sqlite:1,postgresql:2"."""
    counts: dict[str, list[int]] = {}
    for item in filter(None, spec.split(",")):
        kind, _, number = item.rpartition(":")
        counts.setdefault(kind, []).append(int(number))
    return counts


def _machine() -> dict[str, Any]:
    # A run from a snapshot of a commit (no .git) names it in BENCH_COMMIT.
    commit = (
        os.environ.get("BENCH_COMMIT")
        or subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    )
    load = os.getloadavg()[0]
    return {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit or "unknown",
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load_before": round(load, 2),
    }


def _baseline(ref: str, setup: scenarios.Setup, workdir: Path) -> str:
    """The earlier commit's tree beside this one's; its short name."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", ref], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    setup.baseline = procs.snapshot(commit, workdir / "baseline")
    return commit


async def _run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:  # noqa: PLR0915
    if args.smoke:
        for key, value in SMOKE.items():
            setattr(args, key, value)
    only = set(args.only.split(","))
    setup = scenarios.Setup(workdir, args.pg_url, warmup=min(20, args.citizens), settle=args.settle)
    setup.profile = args.profile
    results: dict[str, Any] = {"machine": _machine(), "args": _public(args), "intake": []}
    kinds = [k for k in args.databases.split(",") if k]
    if "postgresql" in kinds and not await databases.pg_available(args.pg_url):
        setup.say("PostgreSQL is not reachable: its rows are left out")
        kinds.remove("postgresql")
    counts = _process_counts(args.processes)

    def save() -> None:
        # What is measured so far, kept as it comes: a run cut short still leaves its
        # figures, and --from-json writes the note from them.
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))

    if args.baseline:
        commit = _baseline(args.baseline, setup, workdir)
        results["baseline"] = {"commit": commit, "intake": [], "fanout": []}
    if "echo" in only:
        # The yardstick first, over the same request class as lapor-bot's.
        setup.say(f"echo bot over aiohttp: {args.citizens} citizens")
        results["echo"] = await scenarios.echo(setup, citizens=args.citizens)
        setup.say(report.echo_line(results["echo"], []))
        save()
    if "floor" in only:
        # The echo plus the statements of a turn: the least the fixed stack spends on one.
        setup.say(f"echo bot storing each turn on SQLite (the floor): {args.citizens} citizens")
        results["floor"] = await scenarios.echo(setup, citizens=args.citizens, sql=True)
        setup.say(report.echo_line(results["floor"], []))
        save()
    if "intake" in only and setup.baseline is not None:
        setup.say(f"intake before: {results['baseline']['commit']}, sqlite, 1 process")
        row = await scenarios.intake(
            setup, citizens=args.citizens, rate=args.rate or None,
            sustained=args.sustained_rate or None, baseline=True,
        )  # fmt: skip
        setup.say(report.intake_line(row, results.get("echo")))
        results["baseline"]["intake"].append(row)
        save()
    if "intake" in only:
        for kind in kinds:
            for processes in counts.get(kind, counts.get("", [])):
                setup.say(f"intake: {kind}, {processes} process(es), {args.citizens} citizens")
                row = await scenarios.intake(
                    setup,
                    citizens=args.citizens,
                    rate=args.rate or None,
                    sustained=args.sustained_rate or None,
                    database=kind,
                    processes=processes,
                )
                setup.say(report.intake_line(row, results.get("echo")))
                results["intake"].append(row)
                save()
    if "echo" in only:
        setup.say(
            "lapor-bot against the echo bot:" + report.echo_line(results["echo"], results["intake"])
        )
    if "httpx" in only:
        # python-telegram-bot's default client, only as a note beside the fair figure.
        setup.say(f"echo bot over httpx: {args.citizens} citizens")
        results["echo_httpx"] = await scenarios.echo(setup, citizens=args.citizens, request="httpx")
        setup.say(report.echo_line(results["echo_httpx"], []))
        save()
    if "fanout" in only:
        results["fanout"] = []
        for failing in (0.0, args.failing):
            setup.say(f"fan-out: {args.notifications} notices, {failing:.0%} failing")
            row = await scenarios.fanout(
                setup, notifications=args.notifications, limit=args.limit, failing=failing
            )
            setup.say(report.fanout_line(row))
            results["fanout"].append(row)
            if setup.baseline is not None:
                setup.say(f"fan-out before: {results['baseline']['commit']}")
                row = await scenarios.fanout(
                    setup, notifications=args.notifications, limit=args.limit,
                    failing=failing, baseline=True,
                )  # fmt: skip
                setup.say(report.fanout_line(row))
                results["baseline"]["fanout"].append(row)
            save()
    if "burst" in only:
        setup.say(f"burst: {args.burst_reports} reports at once, limits x{args.burst_scale:g}")
        results["burst"] = await burst.burst(
            setup, reports=args.burst_reports, scale=args.burst_scale,
            chatters=args.burst_chatters,
        )  # fmt: skip
        setup.say(burst.burst_line(results["burst"]))
        if setup.baseline is not None:
            setup.say(f"burst before: {results['baseline']['commit']}")
            results["baseline"]["burst"] = await burst.burst(
                setup, reports=args.burst_reports, scale=args.burst_scale,
                chatters=args.burst_chatters, baseline=True,
            )  # fmt: skip
            setup.say(burst.burst_line(results["baseline"]["burst"]))
        save()
    if "datascale" in only:
        sizes = tuple(int(n) for n in str(args.data_sizes).split(",") if n)
        results["datascale"] = []
        await datascale.run(
            workdir, args.pg_url, sizes=sizes, kinds=kinds, say=setup.say,
            rows=results["datascale"], done=save,
        )  # fmt: skip
    if "drafts" in only:
        setup.say(f"memory: {args.drafts} open drafts")
        results["drafts"] = await scenarios.drafts(
            setup, count=args.drafts, rate=args.drafts_rate, reports=args.drafts_reports
        )
        setup.say(report.drafts_line(results["drafts"]))
        save()
    return results


def _public(args: argparse.Namespace) -> dict[str, Any]:
    data = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    data.pop("pg_url", None)
    return data


def main(argv: list[str] | None = None) -> int:
    """Run, print, and write the note with its plot."""
    args = _parser().parse_args(argv)
    # A note written elsewhere (a trial run) must not overwrite the committed picture.
    args.plot = args.plot or args.out.with_name("benchmarks.png")
    if args.from_json:
        report.write(json.loads(args.from_json.read_text()), args.out, args.plot)
        return 0
    with tempfile.TemporaryDirectory(prefix="lapor-bench-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        results = asyncio.run(_run(args, workdir))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    report.write(results, args.out, args.plot)
    print(f"wrote {args.out} and {args.plot}", file=sys.stderr)
    return 0
