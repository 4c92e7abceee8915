"""How long a blind citizen listens to file one report by typing, measured.

    .venv/bin/python -m benchmarks.listening                 # this checkout
    .venv/bin/python -m benchmarks.listening --before main   # and another commit, for comparison

The real bot runs against the Bot API emulator (as in the tests). A scripted citizen types
a whole report from /start to the tracking code: consent, then either the menu's "1" and
every step (``menu``) or the complaint typed straight away at the menu (``complaint``).
Each step is answered from its "Langkah N dari M" opening, so the same script files a
report whatever the wording and whichever steps the bot skips. Every message the bot sends
is spoken by espeak-ng (``-v id``, default speed, as a screen reader would read it) and the
seconds are summed. ACCESSIBILITY.md's target (issue 14): at most 3 minutes.

``--before REF`` measures another commit the same way, from a temporary git worktree (its
own code and catalogues, this script), so the two figures compare like with like.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.language.speech import spoken_seconds
from bot.sandbox.emulator import Emulator, RateLimits
from storage import migrate
from tests.harness import TOKEN, Clock, Harness

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 180.0
# Realistic answers, as people type them (the complaint is issue 14's own example).
CONTENT = (
    "Jalan di depan SD Negeri 5 berlubang besar sejak dua minggu. Saat hujan lubangnya "
    "tergenang dan tidak terlihat, kemarin dua pengendara motor jatuh di sana."
)
COMPLAINT = "Pak, jalan di depan rumah saya di Jl. Sukajadi berlubang besar, tolong diperbaiki"
LOCATION = "Jalan Sukajadi nomor 12, RT 3 RW 5, depan warung"
# The answer to each step, by its number in "Langkah N dari M".
ANSWERS = {
    1: "1",  # pengaduan
    2: CONTENT,
    3: "1",  # the suggested category
    4: LOCATION,
    5: "kemarin",
    6: "lewati",
    7: "1",  # biasa
    8: "kirim",
}
STEP = re.compile(r"^Langkah (\d) dari \d")
CODE = re.compile(r"\b\d{3}-\d{4}\b")
MOST_TURNS = 20
SCENARIOS = ("menu", "complaint")


@dataclass(frozen=True)
class Heard:
    """One message of the bot and how long espeak-ng takes to say it."""

    text: str
    seconds: float


async def _file(scenario: str) -> list[str]:
    """Run the bot, file one report as the scenario says, and return every bot message."""
    emulator = Emulator(
        bot_token=TOKEN,
        bot_username="lapor_test_bot",
        limits=RateLimits(enabled=False),
        default_settle=0.3,
    )
    await emulator.start(host="127.0.0.1", port=0)
    staff = emulator.add_user(first_name="Petugas", username="petugas")
    group = emulator.add_supergroup(title="Staf", forum=True, members=[staff], admins=[staff])
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/lapor.db"
        await migrate.upgrade_url(url)
        harness = Harness(emulator, url, Clock(), group.id)
        await harness.start()
        try:
            citizen = emulator.add_user(first_name="Siti", last_name="Rahma", username="siti")
            await citizen.say("/start")
            await citizen.say("1")  # setuju
            replies = await citizen.say("1" if scenario == "menu" else COMPLAINT)
            for _ in range(MOST_TURNS):
                last = replies[-1].text or "" if replies else ""
                if any(CODE.search(m.text or "") for m in replies):
                    break
                step = STEP.match(last)
                if step is None:
                    raise SystemExit(f"the script cannot answer: {last!r}")
                replies = await citizen.say(ANSWERS[int(step.group(1))])
            else:
                raise SystemExit(f"no tracking code after {MOST_TURNS} answers")
            return [m.text or m.caption or "" for m in emulator.bot_messages(citizen)]
        finally:
            await harness.stop()
            await emulator.stop()


async def _speak(texts: list[str], espeak: str) -> list[Heard]:
    gate = asyncio.Semaphore(2)  # two cores

    async def one(text: str) -> Heard:
        async with gate:
            return Heard(text, await spoken_seconds(text, "id", espeak))

    return list(await asyncio.gather(*(one(text) for text in texts)))


def measure(scenario: str) -> list[Heard]:
    """Every bot message of one scripted filing with its spoken length."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise SystemExit("espeak-ng is not installed (apt-get install espeak-ng)")
    return asyncio.run(_speak(asyncio.run(_file(scenario)), espeak))


def _minutes(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60:02d} s"


def report(label: str, heard: list[Heard], verbose: bool) -> None:
    total = sum(h.seconds for h in heard)
    verdict = "within" if total <= TARGET_SECONDS else "over"
    print(f"{label}: {len(heard)} messages, {total:.1f} s ({_minutes(total)}), {verdict} 3 min")
    if verbose:
        for h in heard:
            print(f"  {h.seconds:5.1f}  {h.text!r}")


def _before(ref: str, scenario: str) -> list[Heard]:
    """Measure another commit from a temporary worktree, this script copied into it."""
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref],
            check=True,
            capture_output=True,
        )
        try:
            shutil.copy(__file__, tree / "benchmarks" / "listening.py")
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.listening", "--json", scenario],
                cwd=tree,
                check=True,
                capture_output=True,
                text=True,
            )
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                check=True,
                capture_output=True,
            )
    return [Heard(**item) for item in json.loads(done.stdout)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "scenarios",
        nargs="*",
        help="menu (the menu's 1, then every step) or complaint (the complaint typed at the "
        "menu); both when none is named",
    )
    parser.add_argument("--before", metavar="REF", help="also measure this commit")
    parser.add_argument("--verbose", action="store_true", help="every message and its seconds")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.scenarios = args.scenarios or list(SCENARIOS)
    if not set(args.scenarios) <= set(SCENARIOS):
        parser.error(f"scenarios are {', '.join(SCENARIOS)}")
    if args.json:
        heard = measure(args.scenarios[0])
        print(json.dumps([{"text": h.text, "seconds": h.seconds} for h in heard]))
        return
    for scenario in args.scenarios:
        if args.before:
            try:
                report(f"{scenario}, {args.before}", _before(args.before, scenario), args.verbose)
            except subprocess.CalledProcessError as failed:
                why = failed.stderr.strip()[-200:]
                print(f"{scenario}, {args.before}: no report filed ({why})")
        report(f"{scenario}, this checkout", measure(scenario), args.verbose)


if __name__ == "__main__":
    main()
