"""The buttons of a staff card and their callback data: one typed codec, never built by hand.

Telegram allows 1 to 64 bytes. Data that does not decode (tampered, or from an older
version of the bot) is refused, not guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.lifecycle import Status
from bot.core.outgoing import Button
from bot.core.tracking import is_valid
from bot.core.transitions import Action
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


def buttons_for(services: Services, report: Report) -> tuple[tuple[Button, ...], ...]:
    """The buttons for what can be done now; each has a typed command too."""
    t = services.locales.get(services.settings.bot_locale)

    def button(action: Action, **params: object) -> Button:
        return Button(
            t(f"card.button.{action.value}", **params), CardPress(action, report.code).encode()
        )

    held = report.status is Status.DITUNDA
    if held and report.reporter_id is None:
        # Nobody can answer this hold: the verifiers rule on it as on a waiting report.
        return _ruling(services, report, button, (Action.NOT_OURS, Action.ARCHIVE))
    match report.status:
        case Status.MENUNGGU_VERIFIKASI:
            return _ruling(services, report, button, TEXT_ACTIONS)
        case Status.DITERUSKAN:
            return ((button(Action.START), button(Action.HAND_BACK)),)
        case Status.DITINDAKLANJUTI:
            return ((button(Action.COMPLETE), button(Action.HAND_BACK)),)
    return ()


def _ruling(
    services: Services,
    report: Report,
    button: Callable[[Action], Button],
    actions: tuple[Action, ...],
) -> tuple[tuple[Button, ...], ...]:
    """Forward to the suggested agency or another, and the rulings that need a text."""
    t = services.locales.get(services.settings.bot_locale)
    agency = services.directory.agencies[report.agency]
    forward = Button(
        t("card.button.teruskan", agency=agency.short_name),
        CardPress(Action.FORWARD, report.code, agency.key).encode(),
    )
    other = Button(t("card.button.instansi_lain"), choose_agency(report.code).encode())
    return ((forward, other), tuple(button(action) for action in actions))
