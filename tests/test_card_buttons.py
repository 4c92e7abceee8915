"""A card's buttons come from the lifecycle rules: for every status, exactly the staff
actions allowed now, in the card's layout, and none once a report is closed for good."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.app import build_services
from bot.core.lifecycle import Classification, Status
from bot.core.transitions import LEVEL_ACTIONS, Action, Role, TransitionRefused, check
from bot.core.units import level_target
from bot.notify.card_buttons import LAYOUT, CardPress, allowed_now, buttons_for, decode
from bot.services import Services
from storage.models import Report
from tests.api_helpers import settings_for

CODE = 7264183


@pytest.fixture
async def services() -> AsyncIterator[Services]:
    built = build_services(settings_for("sqlite+aiosqlite:///:memory:"))
    yield built
    await built.engine.dispose()


def report(status: Status, *, closed: bool = False, answerable: bool = True) -> Report:
    """A report as the card shows it; `answerable`: a citizen is behind it (not Open311's,
    not erased), who can answer a hold."""
    return Report(
        code=CODE,
        classification=Classification.PENGADUAN,
        category="lampu_rambu",
        agency="dishub",
        status=status,
        reporter_id=1 if answerable else None,
        closed_at=datetime(2026, 12, 1, tzinfo=UTC) if closed else None,
    )


def staff_may(action: Action, status: Status, *, answerable: bool) -> bool:
    """What the lifecycle rules say, asked as a staff member and as an administrator."""
    for role in (Role.STAFF, Role.ADMIN):
        try:
            check(action, status, role, answerable=answerable)
        except TransitionRefused:
            continue
        return True
    return False


def pressed(services: Services, shown: Report) -> list[CardPress]:
    return [decode(button.data) for row in buttons_for(services, shown) for button in row]


@pytest.mark.parametrize("answerable", [True, False])
@pytest.mark.parametrize("status", list(Status))
def test_a_card_offers_exactly_the_staff_actions_its_status_allows(
    services: Services, status: Status, answerable: bool
) -> None:
    shown = report(status, answerable=answerable)
    offered = {press.action for press in pressed(services, shown) if press.action is not None}
    laid_out = {action for row in LAYOUT for action in row}
    allowed = {a for a in laid_out if staff_may(a, status, answerable=answerable)}
    # Up or down between levels only where there is a unit to go to (none above an agency).
    allowed = {
        a for a in allowed if a not in LEVEL_ACTIONS or level_target(services.directory, shown, a)
    }
    assert offered == allowed
    assert all(allowed_now(action, shown) for action in offered)


def test_the_buttons_people_see_for_each_open_status(services: Services) -> None:
    def labels(status: Status) -> list[list[str]]:
        rows = buttons_for(services, report(status))
        return [[button.label for button in row] for row in rows]

    assert labels(Status.MENUNGGU_VERIFIKASI) == [
        ["Teruskan ke Dishub", "Instansi lain"],
        ["Tunda", "Bukan wewenang", "Arsipkan"],
    ]
    assert labels(Status.DITUNDA) == [], "the reporter is asked; staff wait"
    assert labels(Status.DITERUSKAN) == [["Tindak lanjuti", "Kembalikan"]]
    assert labels(Status.DITINDAKLANJUTI) == [["Selesai", "Kembalikan"]]
    # A hold nobody can answer (Open311, or the reporter's data erased): the verifiers rule.
    held = buttons_for(services, report(Status.DITUNDA, answerable=False))
    assert [[button.label for button in row] for row in held] == [
        ["Teruskan ke Dishub", "Instansi lain"],
        ["Bukan wewenang", "Arsipkan"],
    ]


def test_a_report_closed_for_good_has_no_buttons(services: Services) -> None:
    assert pressed(services, report(Status.SELESAI, closed=True)) == []
    assert pressed(services, report(Status.DITINDAKLANJUTI, closed=True)) == []
    assert not allowed_now(Action.COMPLETE, report(Status.DITINDAKLANJUTI, closed=True))
