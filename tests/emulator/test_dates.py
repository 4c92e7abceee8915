"""Message dates come from the emulator's clock, which a test moves instead of sleeping."""

from __future__ import annotations

import time

import pytest

from bot.sandbox.emulator import Dates, Emulator

START = 1_795_000_000  # 2026-11-18, a fixed instant


async def test_messages_are_dated_by_the_emulators_clock_and_move_when_told() -> None:
    emulator = Emulator(dates=Dates(start=START))
    siti = emulator.add_user(first_name="Siti")
    first = emulator.script.act_say(siti, "halo")
    emulator.dates.advance(3)
    second = emulator.script.act_say(siti, "lagi")
    assert first.message is not None and second.message is not None
    assert (first.message.date, second.message.date) == (START, START + 3)
    assert first.update is not None and first.update.payload["date"] == START
    emulator.dates.advance(2)
    edited = emulator.script.act_edit(siti, first.message.message_id, "halo lagi")
    assert edited.message is not None and edited.message.edit_date == START + 5


def test_by_default_the_dates_are_the_real_time_moved_ahead() -> None:
    dates = Dates()
    before = time.time()
    dates.advance(60)
    assert before + 60 <= dates() <= time.time() + 60
    with pytest.raises(ValueError, match="does not go back"):
        dates.advance(-1)
