"""The buttons of a staff card and their callback data: one typed codec, never built by hand.

Telegram allows 1 to 64 bytes. Data that does not decode (tampered, or from an older
version of the bot) is refused, not guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.outgoing import Button
from bot.core.tracking import is_valid
from bot.core.transitions import RULES, Action, Role, sources
from bot.core.units import level_target
from bot.language.i18n import Translator
from bot.services import Services
from storage.models import Report

_PREFIX = "r1"  # bump when the layout changes, so old buttons are refused cleanly
_SEPARATOR = ":"
_AGENCY = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_BYTES = 64
# Buttons for actions that need a text first answer with how to give it (see handlers).
TEXT_ACTIONS = (Action.HOLD, Action.NOT_OURS, Action.ARCHIVE)


class CallbackDataError(ValueError):
    """The callback data is not one of ours."""


@dataclass(frozen=True)
class CardPress:
    """A press on a card button: what to do to which report (and, to forward, where)."""

    action: Action | None
    code: int
    agency: str | None = None

    def encode(self) -> str:
        """The callback data string for this press."""
        fields = [_PREFIX, self.action.value if self.action else "", str(self.code)]
        if self.agency is not None:
            fields.append(self.agency)
        data = _SEPARATOR.join(fields)
        if len(data.encode()) > MAX_BYTES:
            raise CallbackDataError("callback data over 64 bytes")
        return data


# A press with no action opens the list of agencies to forward to.
def choose_agency(code: int) -> CardPress:
    """The press that asks for the agency list of a report."""
    return CardPress(None, code)


def decode(data: str) -> CardPress:
    """Read callback data; anything malformed raises CallbackDataError."""
    fields = data.split(_SEPARATOR)
    if len(fields) not in (3, 4) or fields[0] != _PREFIX:
        raise CallbackDataError("not a card press")
    action_text, code_text = fields[1], fields[2]
    try:
        action = Action(action_text) if action_text else None
    except ValueError:
        raise CallbackDataError("unknown action") from None
    if not is_valid(code_text):
        raise CallbackDataError("not a tracking code")
    agency = fields[3] if len(fields) == 4 else None
    if agency is not None and not _AGENCY.match(agency):
        raise CallbackDataError("malformed agency key")
    return CardPress(action, int(code_text), agency)


# A card's buttons, row by row in the order shown. A button is on the card only while the
# lifecycle rules (bot/core/transitions.py) allow its action in the report's status, so a
# new action is added here, to its rule and, when it is not one plain button, to _DRAWN.
# Reassigning (alihkan) stays a typed command and a choice in "Instansi lain".
LAYOUT: tuple[tuple[Action, ...], ...] = (
    (Action.FORWARD, Action.START, Action.COMPLETE, Action.HAND_BACK),
    (Action.RAISE, Action.LOWER),
    TEXT_ACTIONS,
)
# Who presses card buttons: the staff group's members and administrators.
_STAFF_ROLES = frozenset({Role.STAFF, Role.ADMIN})

Draw = Callable[[Services, Report, Translator], tuple[Button, ...]]


def allowed_now(action: Action, report: Report) -> bool:
    """Whether staff may take the action on the report as it stands (closed: nothing; a
    hold no citizen can answer keeps the verifiers' rulings open)."""
    answerable = report.reporter_id is not None
    return (
        report.closed_at is None
        and report.status in sources(action, answerable=answerable)
        and not RULES[action].roles.isdisjoint(_STAFF_ROLES)
    )


def _forward(services: Services, report: Report, t: Translator) -> tuple[Button, ...]:
    """Forward to the agency the category routes to, or choose another from a list."""
    agency = services.directory.unit(report.agency)
    other = Button(t("card.button.instansi_lain"), choose_agency(report.code).encode())
    if agency is None:
        return (other,)
    forward = Button(
        t("card.button.teruskan", agency=agency.short_name),
        CardPress(Action.FORWARD, report.code, agency.key).encode(),
    )
    return (forward, other)


def _level(action: Action) -> Draw:
    """Up or down to the unit named on the button, only where there is one: the press
    names it, so a button drawn before the report moved cannot move it twice."""

    def draw(services: Services, report: Report, t: Translator) -> tuple[Button, ...]:
        target = level_target(services.directory, report, action)
        unit = services.directory.unit(target) if target is not None else None
        if unit is None:
            return ()
        label = t(f"card.button.{action.value}", agency=unit.short_name)
        return (Button(label, CardPress(action, report.code, unit.key).encode()),)

    return draw


_DRAWN: dict[Action, Draw] = {
    Action.FORWARD: _forward,
    Action.RAISE: _level(Action.RAISE),
    Action.LOWER: _level(Action.LOWER),
}


def _plain(action: Action) -> Draw:
    def draw(services: Services, report: Report, t: Translator) -> tuple[Button, ...]:
        label = t(f"card.button.{action.value}")
        return (Button(label, CardPress(action, report.code).encode()),)

    return draw


def buttons_for(services: Services, report: Report) -> tuple[tuple[Button, ...], ...]:
    """The buttons for what can be done now, in LAYOUT's rows; each has a typed command too."""
    t = services.locales.get(services.settings.bot_locale)
    rows = (
        tuple(
            button
            for action in row
            if allowed_now(action, report)
            for button in _DRAWN.get(action, _plain(action))(services, report, t)
        )
        for row in LAYOUT
    )
    return tuple(row for row in rows if row)
