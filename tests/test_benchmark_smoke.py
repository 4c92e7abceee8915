"""The benchmark command still works: run at a tiny size, it prints figures and loses nothing.

Not a timed test: the figures are checked for being there and consistent, never for speed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.procs import ROOT


def _check_yardsticks(results: dict[str, Any]) -> None:
    """The fair echo, the floor (the echo storing each turn) and the httpx note."""
    echo, floor = results["echo"], results["floor"]
    assert echo["updates_per_second"] > 0 and echo["timeouts"] == 0
    assert echo["request"] == "aiohttp" and results["echo_httpx"]["request"] == "httpx"
    assert floor["bot"] == "echo-sql" and floor["timeouts"] == 0
    assert floor["cpu_ms_per_update"] > 0


def test_the_benchmark_runs_at_smoke_size(tmp_path: Path) -> None:
    raw = tmp_path / "figures.json"
    note = tmp_path / "benchmarks.md"
    picture = tmp_path / "benchmarks.png"
    done = subprocess.run(
        [
            sys.executable, "-m", "benchmarks", "--smoke", "--databases", "sqlite",
            "--processes", "1", "--out", str(note), "--plot", str(picture),
            "--json", str(raw), "--workdir", str(tmp_path / "runs"),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=420,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    printed = done.stdout
    for figure in (
        "updates/s",
        "step latency p50/p95/p99",
        "ms CPU an update",
        "SQL statements an update",
        "429 answers",
    ):
        assert figure in printed, printed
    # lapor-bot's figures as ratios of the fair echo measured first in the same run.
    assert "of the fair echo's updates/s" in printed and "x its CPU an update" in printed

    results = json.loads(raw.read_text())
    _check_yardsticks(results)
    [intake] = results["intake"]
    assert intake["timeouts"] == 0
    # Calibration, warm-up, saturated, at the target rate and at a rate the bot carries.
    assert intake["reports_stored"] == intake["reports_expected"] == 1 + 5 * 4
    assert intake["updates_per_second"] > 0 and intake["latency_ms"]["p99"] is not None
    assert intake["cpu_seconds_per_report"] > 0 and intake["peak_rss_mb"] > 0
    clean, failing = results["fanout"]
    assert clean["lost"] == failing["lost"] == 0
    assert clean["outbox"] == failing["outbox"] == {"outbox_sent": 30}
    assert failing["faults_injected"] > 0, "the 5xx run really failed some calls"
    assert clean["cpu_ms_per_send"] > 0 and failing["cpu_ms_per_send"] > 0
    assert results["drafts"]["drafts_stored"] == 100
    # Years of reports seeded beside the drafts (the memory run's stored database).
    assert results["drafts"]["reports_stored"] == 500
    burst = results["burst"]
    assert burst["reports_filed"] == burst["cards"] == 20
    assert burst["lost"] == burst["duplicates"] == burst["answers_429"] == 0
    assert burst["chat_during_burst"]["latency_ms"]["p99"] is not None
    # SQL counted through the bot's engine events.
    assert intake["statements_per_update"] > 0 and intake["cpu_ms_per_update"] > 0
    # Counted by kind too, and the kinds add up to the count.
    kinds = intake["statements_by_kind"]
    assert "SELECT reporters" in kinds and "INSERT handled_updates" in kinds, kinds
    assert abs(sum(kinds.values()) - intake["statements_per_update"]) < 1e-6
    # The collector's time is measured in the bot process (gc.callbacks): None when the bot
    # reported no counters. At smoke size, with the young generation collected every 20,000
    # objects, a run may collect nothing at all, so the figures are only required to exist.
    collected = intake["gc_ms_per_update"]
    assert collected is not None
    assert set(collected) == {"gen0", "gen1", "gen2", "full_collections"}, collected
    assert min(collected.values()) >= 0, collected
    # Every data-scale path runs on the seeded database and is timed with its loop stall.
    [scale] = results["datascale"]
    assert scale["reports"] == 2000 and scale["seeded"]["rows"]["reports"] == 2000
    for name, figures in scale["paths"].items():
        assert "error" not in figures, (name, figures)
        assert figures["median_ms"] > 0 and figures["stall_ms"] >= 0, name

    written = note.read_text()
    assert "## Targets" in written and "benchmarks.png" in written
    assert "CPU an update, times the fair echo's" in written and "SELECT reporters" in written
    assert "The garbage collector:" in written
    assert "The floor: the same echo bot storing each turn" in written
    assert "## 6. Data scale" in written and "citizen erasure" in written
    assert picture.stat().st_size > 10_000

    # Written again from the figures alone; without --plot, the picture goes beside the note
    # (never over the committed docs/benchmarks.png).
    again = tmp_path / "again" / "note.md"
    again.parent.mkdir()
    rewritten = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--from-json", str(raw), "--out", str(again)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120, check=False,
    )  # fmt: skip
    assert rewritten.returncode == 0 and again.read_text() == written, "the note from the figures"
    assert (again.parent / "benchmarks.png").stat().st_size > 10_000
