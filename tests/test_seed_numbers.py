"""The benchmark's seeded database leaves the bot's next updates alone."""

from __future__ import annotations

from benchmarks import seed
from storage.models import utcnow


def test_seeded_handled_updates_never_take_the_ids_the_emulator_hands_out() -> None:
    # A year of 2,000 reports: the last three days' have handled-update records.
    shape = seed.Shape(2000, utcnow(), years=1)
    handled = [
        row["update_id"]
        for rows in seed.chunks(shape)
        for row in rows.tables.get("handled_updates", [])
    ]
    assert handled, "the shape has recent reports"
    # The emulator numbers a run's updates from 1; a benchmark sends some hundred thousand.
    assert min(handled) > 10_000_000
