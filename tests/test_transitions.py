"""The lifecycle state machine: every allowed move, and every forbidden one refused."""

from __future__ import annotations

import itertools

import pytest

from bot.core.lifecycle import Status
from bot.core.transitions import RULES, Action, Refusal, Role, TransitionRefused, check

# Sets in the rules are iterated in a fixed order: pytest-xdist's workers must collect the
# same tests in the same order, and a set's order changes with each process's hash seed.
ALLOWED = [
    (action, source, role)
    for action, rule in RULES.items()
    for source in sorted(rule.sources)
    for role in sorted(rule.roles)
]
WRONG_STATUS = [
    (action, status, role)
    for action, rule in RULES.items()
    for status in Status
    if status not in rule.sources
    for role in sorted(rule.roles)
]
WRONG_ROLE = [
    (action, source, role)
    for action, rule in RULES.items()
    for source in sorted(rule.sources)
    for role in Role
    if role not in rule.roles
]


@pytest.mark.parametrize(("action", "source", "role"), ALLOWED)
def test_allowed_moves_lead_where_the_design_says(
    action: Action, source: Status, role: Role
) -> None:
    assert check(action, source, role) is RULES[action].target


@pytest.mark.parametrize(("action", "status", "role"), WRONG_STATUS)
def test_an_action_from_the_wrong_status_is_refused(
    action: Action, status: Status, role: Role
) -> None:
    with pytest.raises(TransitionRefused) as refused:
        check(action, status, role)
    assert refused.value.reason is Refusal.WRONG_STATUS


@pytest.mark.parametrize(("action", "source", "role"), WRONG_ROLE)
def test_an_action_by_the_wrong_role_is_refused(action: Action, source: Status, role: Role) -> None:
    with pytest.raises(TransitionRefused) as refused:
        check(action, source, role)
    assert refused.value.reason is Refusal.NOT_ALLOWED


def test_a_reports_whole_life_follows_design_section_2() -> None:
    life = [
        (Action.HOLD, Role.ADMIN, Status.DITUNDA),
        (Action.SUPPLY, Role.CITIZEN, Status.MENUNGGU_VERIFIKASI),
        (Action.FORWARD, Role.ADMIN, Status.DITERUSKAN),
        (Action.HAND_BACK, Role.STAFF, Status.MENUNGGU_VERIFIKASI),
        (Action.FORWARD, Role.ADMIN, Status.DITERUSKAN),
        (Action.START, Role.STAFF, Status.DITINDAKLANJUTI),
        (Action.REASSIGN, Role.ADMIN, Status.DITERUSKAN),
        (Action.START, Role.STAFF, Status.DITINDAKLANJUTI),
        (Action.COMPLETE, Role.STAFF, Status.SELESAI),
        (Action.DISPUTE, Role.CITIZEN, Status.DITINDAKLANJUTI),
        (Action.COMPLETE, Role.STAFF, Status.SELESAI),
    ]
    status = Status.MENUNGGU_VERIFIKASI
    for action, role, expected in life:
        status = check(action, status, role)
        assert status is expected


def test_forward_hold_reject_and_reassign_need_an_administrator() -> None:
    for action in (Action.FORWARD, Action.HOLD, Action.NOT_OURS, Action.ARCHIVE, Action.REASSIGN):
        assert RULES[action].roles == {Role.ADMIN}


def test_closed_statuses_lead_nowhere_but_a_dispute() -> None:
    closed = [Status.BUKAN_WEWENANG, Status.DIARSIPKAN, Status.SELESAI]
    for status, action, role in itertools.product(closed, Action, Role):
        if (action, status) == (Action.DISPUTE, Status.SELESAI):
            continue
        with pytest.raises(TransitionRefused):
            check(action, status, role)
