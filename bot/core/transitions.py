"""The report lifecycle as one state machine: which action moves which status, and who may.

DESIGN.md section 2. Every transition is checked here against the report's current status
and the actor's role before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.lifecycle import OPEN_STATUSES, Status


class Role(StrEnum):
    """Who is acting; an administrator may do everything a staff member may."""

    CITIZEN = "citizen"
    STAFF = "staff"
    ADMIN = "admin"
    SYSTEM = "system"


class Action(StrEnum):
    """Things people do to a report; the value is used in callback data and the audit log."""

    FORWARD = "teruskan"
    REASSIGN = "alihkan"
    HOLD = "tunda"
    NOT_OURS = "bukanwewenang"
    ARCHIVE = "arsipkan"
    SUPPLY = "keterangan"
    START = "tindaklanjuti"
    HAND_BACK = "kembalikan"
    COMPLETE = "selesai"
    DISPUTE = "sanggah"
    # The deadline watch archives a hold nobody answered (no person takes it).
    EXPIRE_HOLD = "kedaluwarsa"
    # Staff join a report to another about the same thing: it is archived, and its citizen
    # follows the other (bot/workflow/duplicates.py).
    DUPLICATE = "duplikat"
    # Levels (bot/core/units.py): a unit passes a report up to the level above it, a
    # kecamatan back down to the report's kelurahan; the deadline watch passes it up when
    # the unit's limit has passed.
    RAISE = "naikkan"
    LOWER = "turunkan"
    ESCALATE = "eskalasi"


@dataclass(frozen=True)
class Rule:
    """From which statuses an action may be taken, where it leads, and who may take it."""

    sources: frozenset[Status]
    target: Status
    roles: frozenset[Role]


_ADMIN = frozenset({Role.ADMIN})
_STAFF = frozenset({Role.STAFF, Role.ADMIN})
_CITIZEN = frozenset({Role.CITIZEN})
_WAITING = frozenset({Status.MENUNGGU_VERIFIKASI})
_AT_AGENCY = frozenset({Status.DITERUSKAN, Status.DITINDAKLANJUTI})
_OPEN = frozenset(OPEN_STATUSES)

RULES: dict[Action, Rule] = {
    Action.FORWARD: Rule(_WAITING, Status.DITERUSKAN, _ADMIN),
    Action.REASSIGN: Rule(_AT_AGENCY, Status.DITERUSKAN, _ADMIN),
    Action.HOLD: Rule(_WAITING, Status.DITUNDA, _ADMIN),
    Action.NOT_OURS: Rule(_WAITING, Status.BUKAN_WEWENANG, _ADMIN),
    Action.ARCHIVE: Rule(_WAITING, Status.DIARSIPKAN, _ADMIN),
    Action.SUPPLY: Rule(frozenset({Status.DITUNDA}), Status.MENUNGGU_VERIFIKASI, _CITIZEN),
    Action.START: Rule(frozenset({Status.DITERUSKAN}), Status.DITINDAKLANJUTI, _STAFF),
    Action.HAND_BACK: Rule(_AT_AGENCY, Status.MENUNGGU_VERIFIKASI, _STAFF),
    Action.COMPLETE: Rule(frozenset({Status.DITINDAKLANJUTI}), Status.SELESAI, _STAFF),
    Action.DISPUTE: Rule(frozenset({Status.SELESAI}), Status.DITINDAKLANJUTI, _CITIZEN),
    Action.EXPIRE_HOLD: Rule(
        frozenset({Status.DITUNDA}), Status.DIARSIPKAN, frozenset({Role.SYSTEM})
    ),
    # Closing a report is the verifiers' ruling, as archiving is; a duplicate may be found
    # at any open status, also once an agency has it.
    Action.DUPLICATE: Rule(_OPEN, Status.DIARSIPKAN, _ADMIN),
    # The unit above or below starts afresh: forwarded to it, its own limit.
    Action.RAISE: Rule(_AT_AGENCY, Status.DITERUSKAN, _STAFF),
    Action.LOWER: Rule(_AT_AGENCY, Status.DITERUSKAN, _STAFF),
    Action.ESCALATE: Rule(_AT_AGENCY, Status.DITERUSKAN, frozenset({Role.SYSTEM})),
}
# Actions only the bot itself takes: no button, no command.
SYSTEM_ACTIONS = frozenset({Action.EXPIRE_HOLD, Action.ESCALATE})
# Actions that name a second report: only their own command takes them, no card button
# and no agencies' API action (handlers/staff_duplicates.py).
JOINING_ACTIONS = frozenset({Action.DUPLICATE})
# Actions that move a report between levels; the unit it goes to follows from where it is.
LEVEL_ACTIONS = frozenset({Action.RAISE, Action.LOWER, Action.ESCALATE})
# Actions whose public text is required: the citizen must be told what and why.
NEEDS_TEXT = frozenset({Action.HOLD, Action.NOT_OURS, Action.ARCHIVE, Action.SUPPLY})
# Actions that name the agency the report goes to.
NEEDS_AGENCY = frozenset({Action.FORWARD, Action.REASSIGN})


class Refusal(StrEnum):
    """Why a transition was refused; the value picks the message shown."""

    WRONG_STATUS = "wrong_status"
    NOT_ALLOWED = "not_allowed"
    NEEDS_TEXT = "needs_text"
    NEEDS_AGENCY = "needs_agency"
    CLOSED = "closed"
    # No level above the unit that has the report (a city agency), or none below it.
    NO_HIGHER = "no_higher"
    NO_LOWER = "no_lower"


class TransitionRefused(Exception):
    """The action cannot be taken on this report by this actor, and nothing was changed."""

    def __init__(self, reason: Refusal):
        super().__init__(reason.value)
        self.reason = reason


# A hold waits for the citizen's answer. A report with no citizen behind it (filed through
# Open311, or whose reporter erased their data) gets none, so the verifiers' rulings on a
# waiting report stay open to it while it is held.
UNANSWERED_HOLD = frozenset({Action.FORWARD, Action.NOT_OURS, Action.ARCHIVE})


def sources(action: Action, *, answerable: bool = True) -> frozenset[Status]:
    """The statuses an action may be taken from; `answerable` is False for a report no
    citizen can answer a hold on."""
    rule = RULES[action]
    if not answerable and action in UNANSWERED_HOLD:
        return rule.sources | {Status.DITUNDA}
    return rule.sources


def check(action: Action, status: Status, role: Role, *, answerable: bool = True) -> Status:
    """The status the action leads to, or TransitionRefused saying why not."""
    rule = RULES[action]
    if role not in rule.roles:
        raise TransitionRefused(Refusal.NOT_ALLOWED)
    if status not in sources(action, answerable=answerable):
        raise TransitionRefused(Refusal.WRONG_STATUS)
    return rule.target
