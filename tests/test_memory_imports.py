"""The bot starts without the heavy libraries only some cities or some commands use.

Each is imported where it is first needed: matplotlib for a statistics chart, fpdf2 (with
Pillow, fontTools and numpy) for a counter's PDF receipt, shapely (with numpy) for
kelurahan boundaries. Together they were some 90 MB of a bot's 150 MB budget.
"""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.procs import ROOT

HEAVY = ("matplotlib", "fpdf", "PIL", "fontTools", "numpy", "shapely")


def test_building_the_bot_imports_no_heavy_library() -> None:
    probe = (
        "import json, sys\n"
        "import bot.app, bot.cli\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
