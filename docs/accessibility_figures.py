"""The figures in docs/accessibility.md, measured, never typed by hand.

    .venv/bin/python docs/accessibility_figures.py          # print them
    .venv/bin/python docs/accessibility_figures.py --write  # and update the doc

1. The checker's findings per rule over every catalogue entry (both languages, sample
   values), as the catalogues were before the accessibility work (commit 50398d9, read
   with `git show`, the working tree untouched) and as they are now, with today's
   checker and samples; and over a recorded conversation (tests/journeys.py) in each
   language.
2. The ten longest citizen-facing messages as espeak-ng speaks them (`-v id`, `-v en`),
   from the same catalogue entries and recorded conversations.

Set AGENCIES_FILE to measure a city's own category names (they are read aloud as a list).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.language.accessibility import MAX_SPOKEN_SECONDS, check_message  # noqa: E402
from bot.language.i18n import Locales, load_locales  # noqa: E402
from bot.language.speech import spoken_seconds  # noqa: E402
from bot.sandbox.emulator import Emulator, RateLimits  # noqa: E402
from storage import migrate  # noqa: E402
from tests import journeys  # noqa: E402
from tests.a11y import RULES, catalogue_context, conversation_findings, is_staff_key  # noqa: E402
from tests.harness import TOKEN, Clock, Harness  # noqa: E402
from tests.test_catalogues import LOCALES, MESSAGE_KEYS, SAMPLES, SOURCE, placeholders  # noqa: E402

DOC = ROOT / "docs" / "accessibility.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"
Sample = tuple[str, str, str]  # (where, locale, text)
# The last commit before the accessibility work (settings, staff hints, the checker run
# over every catalogue entry and conversation).
BEFORE = "50398d9"
RULE_NAMES = {
    2: "no slash commands in texts",
    3: "one question, last",
    4: "Langkah N dari M",
    5: "400 characters, 20 words a sentence",
    6: "lists of at most 9, 1. Label",
    7: "emoji",
    8: "no markup or formatting",
    10: "dates in words",
    11: "pukul 14.30 WIB",
    12: "codes 726-4185",
    13: "no abbreviations a voice spells",
    14: "no links",
    20: "button labels are typed words",
    22: "staff relay header",
    23: "status message: code and status first",
}


def catalogue() -> tuple[collections.Counter[int], list[Sample]]:
    """Findings per rule over the catalogues, and the citizen-facing texts."""
    counts: collections.Counter[int] = collections.Counter()
    spoken: list[Sample] = []
    for locale in ("id", "en"):
        t = LOCALES.get(locale)
        for key in MESSAGE_KEYS:
            text = t(key, **{name: SAMPLES[name] for name in placeholders(SOURCE[key])})
            found = check_message(text, catalogue_context(key, text, locale))
            counts.update(f.rule for f in found if f.rule in RULES)
            if not is_staff_key(key):
                spoken.append((f"catalogue {key}", locale, text))
    return counts, spoken


def catalogues_at(commit: str, folder: Path) -> Locales:
    """Both catalogues as they were at a commit, read with git show into ``folder``."""
    for locale in ("id", "en"):
        path = Path("locales", locale, "LC_MESSAGES", "bot.po")
        shown = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{commit}:{path.as_posix()}"],
            capture_output=True,
            check=True,
        )
        (folder / path.parent).mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(shown.stdout)
    return load_locales(folder / "locales")


def catalogue_findings(locales: Locales, locale: str) -> tuple[int, collections.Counter[int]]:
    """How many messages one language's catalogue has, and today's checker's findings per
    rule over them, each with today's sample values (rendered now, so both catalogues are
    given the very same values)."""
    now = LOCALES.get(locale)
    t = locales.get(locale)
    source = locales.catalogues["id"]
    keys = [key for key in source if not (key.startswith("word.") or key.endswith(".words"))]
    counts: collections.Counter[int] = collections.Counter()
    for key in keys:
        values = {name: now.render(SAMPLES[name]) for name in placeholders(source[key])}
        text = t(key, **values)
        found = check_message(text, catalogue_context(key, text, locale))
        counts.update(f.rule for f in found if f.rule in RULES)
    return len(keys), counts


def before_and_after() -> list[str]:
    """The table of findings per rule, before the accessibility work and now."""
    with tempfile.TemporaryDirectory() as folder:
        before = catalogues_at(BEFORE, Path(folder))
        columns = [catalogue_findings(locales, locale) for locales in (before, LOCALES)
                   for locale in ("id", "en")]  # fmt: skip
    lines = [
        "| rule | before, id | before, en | now, id | now, en |",
        "| --- | --- | --- | --- | --- |",
        "| messages checked | " + " | ".join(str(n) for n, _ in columns) + " |",
    ]
    for rule in sorted(RULES):
        lines.append(
            f"| {rule} {RULE_NAMES[rule]} | " + " | ".join(str(c[rule]) for _, c in columns) + " |"
        )
    totals = " | ".join(f"**{sum(c.values())}**" for _, c in columns)
    lines.append(f"| all rules | {totals} |")
    return lines


async def conversation(locale: str) -> tuple[collections.Counter[int], list[Sample]]:
    """Findings per rule and texts of a recorded conversation with the real bot."""
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
        agencies = os.environ.get("AGENCIES_FILE")
        overrides = {"agencies_file": agencies} if agencies else {}
        harness = Harness(emulator, url, Clock(), group.id, overrides=overrides)
        await harness.start()
        try:
            citizen = emulator.add_user(first_name="Siti", last_name="Rahma", username="siti")
            await journeys.walk(citizen, locale)
            messages = emulator.bot_messages(citizen)
        finally:
            await harness.stop()
            await emulator.stop()
    texts = [m.text or m.caption or "" for m in messages]
    if locale == "en":  # from the switch to English on
        first = texts.index("Language changed to English.")
        messages, texts = messages[first:], texts[first:]
    counts = collections.Counter(f.rule for _, f in conversation_findings(messages, locale=locale))
    return counts, [("conversation", locale, text) for text in texts]


async def durations(samples: list[Sample], espeak: str) -> list[float]:
    gate = asyncio.Semaphore(2)

    async def one(sample: Sample) -> float:
        async with gate:
            return await spoken_seconds(sample[2], sample[1], espeak)

    return list(await asyncio.gather(*(one(sample) for sample in samples)))


def one_line(text: str, limit: int = 90) -> str:
    flat = re.sub(r"\s*\n\s*", " / ", text).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


async def figures() -> str:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise SystemExit("espeak-ng is not installed (apt-get install espeak-ng)")
    counts, samples = catalogue()
    lines = [
        f"Findings of today's checker (every rule it knows) per rule over both catalogues, as "
        f"they were at commit {BEFORE}, before the accessibility work, and as they are now. "
        "Each entry is filled with the same sample values (tests/test_catalogues.py) and "
        "checked as tests/a11y.py says it is sent (a step, a button, a staff text, a status "
        'message). Keys added since are counted in "now" only.',
        "",
        *before_and_after(),
        "",
        "Findings over the catalogues and recorded conversations now:",
        "",
    ]
    lines += ["| where | messages | findings |", "| --- | --- | --- |"]
    total = sum(counts.values())
    lines.append(f"| catalogues, id and en | {2 * len(MESSAGE_KEYS)} | {total or 'none'} |")
    for locale in ("id", "en"):
        found, texts = await conversation(locale)
        samples += texts
        detail = ", ".join(f"rule {r}: {n}" for r, n in sorted(found.items())) or "none"
        lines.append(f"| recorded conversation, {locale} | {len(texts)} | {detail} |")
    seconds = await durations(samples, espeak)
    ranked = sorted(zip(seconds, samples, strict=True), key=lambda pair: -pair[0])
    unique: list[tuple[float, Sample]] = []
    for length, sample in ranked:
        if all(sample[2] != kept[2] for _, kept in unique):
            unique.append((length, sample))
    over = sum(1 for length in seconds if length > MAX_SPOKEN_SECONDS)
    lines += [
        "",
        f"Spoken length: {len(samples)} citizen-facing messages measured, {over} over "
        f"{MAX_SPOKEN_SECONDS:.0f} seconds. The ten longest:",
        "",
        "| seconds | voice | where | message |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {length:.1f} | {locale} | {where} | {one_line(text)} |"
        for length, (where, locale, text) in unique[:10]
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/accessibility.md")
    args = parser.parse_args()
    text = asyncio.run(figures())
    print(text)
    if args.write:
        doc = DOC.read_text()
        before, rest = doc.split(START, 1)
        _, after = rest.split(END, 1)
        DOC.write_text(f"{before}{START}\n{text}\n{END}{after}")


if __name__ == "__main__":
    main()
