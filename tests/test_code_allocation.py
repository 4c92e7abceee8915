"""Filing never runs out of tracking codes: short ones first, long ones after, a walk last."""

from __future__ import annotations

import random
import re

from sqlalchemy import insert

from bot.core import code_space
from bot.core.code_space import LONG, SHORT
from bot.core.tracking import format_code, spell_code
from bot.sandbox.emulator import Emulator, User
from storage import reports as report_store
from storage.db import create_engine, create_sessionmaker
from storage.models import Report, utcnow
from tests.harness import Harness
from tests.steps import code_in, consent, texts, to_step

HALF_OF_SHORT = int(SHORT.capacity * code_space.SHORT_FILL)


def _row(report_id: int, code: int) -> dict[str, object]:
    now = utcnow()
    return {
        "id": report_id,
        "code": code,
        "classification": "pengaduan",
        "content": "Lampu jalan mati.",
        "category": "lampu_rambu",
        "agency": "dishub",
        "status": "SELESAI",
        "created_at": now,
        "updated_at": now,
    }


async def _file_codes(url: str, rows: list[dict[str, object]]) -> None:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            if rows:
                await session.execute(insert(Report), rows)
    finally:
        await engine.dispose()


async def _free(url: str, generate: object, rng: random.Random | None = None) -> int:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return await report_store.free_code(session, generate, rng)  # type: ignore[arg-type]
    finally:
        await engine.dispose()


async def test_short_codes_while_fewer_than_half_are_used(database_url: str) -> None:
    await _file_codes(database_url, [_row(1, 7264183)])
    code = await _free(database_url, lambda: 1234566)
    assert code == 1234566 and SHORT.holds(code)


async def test_long_codes_once_half_of_the_short_ones_are_used(database_url: str) -> None:
    await _file_codes(database_url, [_row(HALF_OF_SHORT, 7264183)])
    code = await _free(database_url, lambda: 1234566, random.Random(1))
    assert LONG.holds(code), code


async def test_short_draws_all_taken_go_on_to_long_codes(database_url: str) -> None:
    await _file_codes(database_url, [_row(1, 7264183)])
    code = await _free(database_url, lambda: 7264183, random.Random(2))
    assert LONG.holds(code), code


async def test_every_draw_taken_the_walk_still_finds_a_free_code(database_url: str) -> None:
    # What the draws will be, from the same seed: take them all, and the first codes the
    # walk looks at, so only the walk can find the one that is left.
    shadow = random.Random(3)
    draws = [code_space.draw(LONG, shadow) for _ in range(code_space.DRAWS)]
    start = code_space.draw(LONG, shadow)
    window = next(code_space.walk(LONG, start, 8))
    taken = [*draws, *window[:5]]
    rows = [_row(HALF_OF_SHORT + n, code) for n, code in enumerate(dict.fromkeys(taken))]
    await _file_codes(database_url, rows)
    code = await _free(database_url, lambda: 7264183, random.Random(3))
    assert code == window[5]


async def test_a_report_filed_past_half_of_the_short_codes_gets_a_nine_digit_code(
    harness: Harness, emulator: Emulator, citizen: User
) -> None:
    await _file_codes(harness.database_url, [_row(HALF_OF_SHORT, 7264183)])
    await consent(citizen)
    await to_step(citizen, 8)
    confirmation = await citizen.say("1")
    code = code_in(confirmation)
    assert LONG.holds(code)
    said = "\n".join(texts(confirmation))
    assert format_code(code) in said and re.fullmatch(r"\d{3}-\d{3}-\d{3}", format_code(code))
    assert spell_code(code) in said, "spelled digit by digit in three groups"

    await citizen.say("menu")
    await citizen.say("cek status")
    status = texts(await citizen.say(format_code(code).replace("-", " ")))[0]
    assert status.startswith(f"Status laporan {format_code(code)}: Menunggu verifikasi")
