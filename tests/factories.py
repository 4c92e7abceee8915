"""Reports that a test needs only as a starting point, made as the bot makes them.

A citizen's typed conversation costs ten turns; a test whose subject is what comes after
(the staff side, follow-ups, figures, deadlines) starts here instead. The report is filed
by the product's own use case (bot/workflow/filing.py) in one unit of work against the
running bot's database, with the citizen's reporter row (as consent stores it), so their
next chat turn finds it; later statuses come through the workflow (bot/workflow/
changes.py), as a card's button moves them. The cards go out through the bot's own
dispatcher before the factory returns, so the test goes on as citizen or staff through
the emulator. Tests whose subject IS filing by chat keep the conversation (test_filing,
test_blind_journey, the accessibility journeys).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TypedDict, Unpack

from bot.core.intake.answers import Answers
from bot.core.lifecycle import Channel, Classification, Privacy
from bot.core.transitions import NEEDS_AGENCY, Action, Role
from bot.sandbox.emulator import User
from bot.services import Services
from bot.workflow import changes, filing
from storage import reports as report_store
from storage.models import Reporter
from storage.reporters import Identity, create_with_consent, find
from tests.harness import Harness
from tests.steps import CONTENT

# What tests/steps.py `to_step` types: the suggested category of CONTENT, a street
# address, "kemarin", no files, and anonim.
CATEGORY = "jalan_rusak"
LOCATION = "Jalan Braga nomor 12, RT 3 RW 5"

# A move after filing: an action, or an action with the text it needs (a hold's question,
# a reply), as a staff member gives it.
Move = Action | tuple[Action, str]


async def reporter_for(harness: Harness, citizen: User) -> int:
    """The citizen's reporter row, stored as their consent stores it (or theirs already)."""
    services = harness.services
    who = Identity(citizen.id, citizen.id, citizen.first_name, citizen.last_name, citizen.username)
    async with services.sessionmaker.begin() as session:
        reporter = await find(session, who) or await create_with_consent(
            session, who, services.settings.bot_locale, services.clock()
        )
        await session.flush()
        return reporter.id


class Answered(TypedDict, total=False):
    """What a citizen answers while filing (`filed` says what each defaults to)."""

    classification: Classification
    content: str
    category: str
    location: str | None
    incident_date: date | None
    privacy: Privacy
    kelurahan: str | None
    point: tuple[float, float] | None
    channel: str
    at: datetime | None


async def filed(
    services: Services,
    *,
    reporter_id: int | None = None,
    classification: Classification = Classification.PENGADUAN,
    content: str = CONTENT,
    category: str = CATEGORY,
    location: str | None = LOCATION,
    incident_date: date | None = None,
    privacy: Privacy = Privacy.ANONIM,
    kelurahan: str | None = None,
    point: tuple[float, float] | None = None,
    channel: str = Channel.TELEGRAM,
    at: datetime | None = None,
) -> int:
    """A report filed through the filing use case in one unit of work, as the citizen's
    "kirim" files it (no reporter when `reporter_id` is None), in a kelurahan by its code
    and at a map point if given, `at` a time other than now; its code. Its card waits in
    the outbox."""
    answers = Answers(
        classification=classification,
        content=content,
        category=category,
        location_text=location,
        latitude=point[0] if point is not None else None,
        longitude=point[1] if point is not None else None,
        location_skipped=location is None and point is None,
        kelurahan_code=kelurahan,
        incident_date=incident_date,
        date_skipped=incident_date is None,
        privacy=privacy,
    )
    now = at or services.clock()
    async with services.sessionmaker.begin() as session:
        reporter = await session.get(Reporter, reporter_id) if reporter_id is not None else None
        locale = reporter.locale if reporter is not None else services.settings.bot_locale
        intake = filing.Intake(channel, locale, reporter)
        submitted = await filing.file(session, services, answers, intake, now=now)
        return submitted.report.code


async def moved(
    services: Services,
    code: int,
    move: Move,
    actor: changes.Actor,
    *,
    agency: str | None = None,
    announced: bool = False,
) -> None:
    """A move on the report through the workflow, in one unit of work; `agency` is where
    FORWARD and REASSIGN send it (the report's own agency by default)."""
    action, text = move if isinstance(move, tuple) else (move, None)
    async with services.sessionmaker.begin() as session:
        found = await report_store.by_code(session, code)
        target = (agency or found.agency) if action in NEEDS_AGENCY else agency
        await changes.apply(
            session,
            services,
            found,
            action,
            actor,
            now=services.clock(),
            text=text,
            agency=target,
            announced=announced,
        )


async def report(
    harness: Harness,
    citizen: User | None = None,
    *,
    then: Sequence[Move] = (),
    agency: str | None = None,
    by: User | None = None,
    **answers: Unpack[Answered],
) -> int:
    """File a report as the citizen's "kirim" does (none when `citizen` is None), with
    `answers` as `filed` takes them, move it by `then` as staff `by` (a verifier by default)
    press its card's buttons, and return its code once the bot has sent every card and
    notice. The incident date defaults to yesterday in the city, as "kemarin" gives it.
    """
    services = harness.services
    if "incident_date" not in answers:
        today = services.clock().astimezone(services.settings.timezone).date()
        answers["incident_date"] = today - timedelta(days=1)
    reporter_id = await reporter_for(harness, citizen) if citizen is not None else None
    code = await filed(services, reporter_id=reporter_id, **answers)
    await harness.emulator.wait_idle()
    for move in then:
        await act(harness, code, move, agency=agency, by=by)
    return code


async def act(
    harness: Harness,
    code: int,
    move: Move,
    *,
    agency: str | None = None,
    by: User | None = None,
) -> None:
    """A staff member's move on the report as its card's button (or a text) makes it;
    returns once the bot has sent what it caused."""
    user_id, name = (by.id, by.first_name) if by is not None else (None, "Dina")
    actor = changes.Actor(Role.ADMIN, user_id, harness.admin_chat_id, name)
    await moved(harness.services, code, move, actor, agency=agency, announced=True)
    await harness.emulator.wait_idle()
