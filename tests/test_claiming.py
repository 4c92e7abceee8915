"""Claiming by code and PIN, in process on the real database: the limits on guessing.

A report is made by the one filing use case (as a counter files it); the workflow is then
asked as the chat asks it. The journeys through the emulator are in tests/test_counter.py.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import build_services
from bot.core import tracking
from bot.core.claims import MAX_WRONG, ClaimAttempt, Verdict, hash_pin
from bot.core.intake.answers import Answers
from bot.core.lifecycle import Channel, Classification, Privacy
from bot.core.tracking import TrackingCode
from bot.services import Services
from bot.workflow import claiming, filing
from storage.models import AuditEntry, CounterFiling, Report, Reporter
from tests.api_helpers import settings_for

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
PIN = "482913"


@dataclass
class World:
    services: Services
    code: TrackingCode


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    rng = random.Random(7)
    services = build_services(
        settings_for(database_url), clock=lambda: NOW, new_code=lambda: tracking.new_code(rng)
    )
    answers = Answers(
        classification=Classification.PENGADUAN,
        content="Lampu jalan di depan pasar mati sejak seminggu.",
        category="lampu_rambu",
        privacy=Privacy.BIASA,
    )
    walk_in = filing.WalkIn("mpp", 555, 555, "Budi", None, hash_pin(PIN))
    intake = filing.Intake(Channel.COUNTER, "id", None, walk_in=walk_in)
    async with services.sessionmaker.begin() as session:
        submitted = await filing.file(session, services, answers, intake, now=NOW)
    yield World(services, TrackingCode(submitted.report.code))
    await services.engine.dispose()


async def person(services: Services, user_id: int) -> Reporter:
    async with services.sessionmaker.begin() as session:
        reporter = Reporter(telegram_user_id=user_id, locale="id", context="menu", tries=0)
        session.add(reporter)
    return reporter


async def claim(world: World, reporter: Reporter, attempt: ClaimAttempt | str) -> Verdict:
    async with world.services.sessionmaker.begin() as session:
        session.add(reporter)
        claimed = await claiming.claim(
            session,
            world.services,
            reporter,
            attempt,
            user_id=reporter.telegram_user_id or 0,
            now=NOW,
        )
    return claimed.verdict


async def the_report(world: World) -> tuple[Report, CounterFiling]:
    async with world.services.sessionmaker() as session:
        query = select(Report, CounterFiling).join(
            CounterFiling, CounterFiling.report_id == Report.id
        )
        row = (await session.execute(query)).one()
        return row[0], row[1]


async def test_the_pin_locks_after_five_wrong_tries_even_against_the_right_one(
    world: World,
) -> None:
    # Five people, one wrong try each: the count is the PIN's, not a person's.
    for n in range(MAX_WRONG):
        guesser = await person(world.services, 1000 + n)
        assert await claim(world, guesser, ClaimAttempt(world.code, "111111")) is Verdict.WRONG
    owner = await person(world.services, 2000)
    assert await claim(world, owner, ClaimAttempt(world.code, PIN)) is Verdict.LOCKED
    report, filing_row = await the_report(world)
    assert report.reporter_id is None and filing_row.claimed_at is None
    assert filing_row.pin_wrong_tries == MAX_WRONG


async def test_a_person_is_limited_after_ten_refusals_a_day(world: World) -> None:
    guesser = await person(world.services, 3000)
    for _ in range(claiming.CLAIMS_PER_DAY):
        # A code no report has: refused like a wrong PIN, and counted on the person.
        assert await claim(world, guesser, "123456") is Verdict.WRONG
    assert await claim(world, guesser, ClaimAttempt(world.code, PIN)) is Verdict.LIMITED
    report, _ = await the_report(world)
    assert report.reporter_id is None
    async with world.services.sessionmaker() as session:
        details = [
            entry.detail
            for entry in (
                await session.execute(select(AuditEntry).where(AuditEntry.actor_user_id == 3000))
            ).scalars()
        ]
    assert details == ["wrong_pin"] * claiming.CLAIMS_PER_DAY + ["too_many_claims"]
    # Someone else is not held back by the guesser's refusals.
    owner = await person(world.services, 4000)
    assert await claim(world, owner, ClaimAttempt(world.code, PIN)) is Verdict.CLAIMED


async def test_the_right_pin_links_the_report_once(world: World) -> None:
    owner = await person(world.services, 5000)
    assert await claim(world, owner, ClaimAttempt(world.code, PIN)) is Verdict.CLAIMED
    report, filing_row = await the_report(world)
    assert report.reporter_id == owner.id and filing_row.claimed_at == NOW
    other = await person(world.services, 6000)
    assert await claim(world, other, ClaimAttempt(world.code, PIN)) is Verdict.USED
    assert (await the_report(world))[0].reporter_id == owner.id
