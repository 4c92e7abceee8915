"""Staff-facing texts shared by card presses, commands and replies."""

from __future__ import annotations

from enum import StrEnum

from bot.core.tracking import format_code
from bot.language.accessibility import Finding, MessageContext, check_message, questions
from bot.language.i18n import Listing, Msg, Translator
from bot.notify.status_text import status_label
from bot.services import Services
from storage.models import Report


class Denial(StrEnum):
    """Why the edge refused a staff update before any transition was tried."""

    UNKNOWN_BUTTON = "unknown_button"
    NOT_STAFF = "not_staff"
    NOT_FOUND = "not_found"
    OTHER_AGENCY = "other_agency"
    NO_REPORTER = "no_reporter"
    OTHER_CHANNEL = "other_channel"  # bot.relays.NoReporter: a report filed through Open311
    COUNTER_UNCLAIMED = "counter_unclaimed"  # filed at a counter, its citizen not in Telegram yet


def refusal_text(services: Services, t: Translator, reason: str, report: Report | None) -> str:
    """Why an action was refused, naming the report and its status where that helps."""
    if report is None:
        return t(f"staff.refused.{reason}")
    return t(
        f"staff.refused.{reason}",
        code=format_code(report.code),
        label=t.render(status_label(services, report)),
    )


# What a staff member can fix in what they write; the relay header is the bot's own (22).
HINTED_RULES = (2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 14)


def relay_findings(text: str, locale: str, *, relay: bool) -> list[Finding]:
    """What in a text relayed to a citizen a screen reader would stumble on (rule 22)."""
    context = MessageContext(is_staff_relay=relay, locale=locale)
    return [f for f in check_message(text, context) if f.rule in HINTED_RULES]


def hold_findings(text: str, locale: str) -> list[Finding]:
    """A held report's text is the question the citizen is asked: the relay's pitfalls,
    and not exactly one question (the bot adds its own only when there is none)."""
    found = relay_findings(text, locale, relay=False)
    asked = len(questions(text))
    if asked != 1:
        found.append(Finding(3, f"{asked} questions in a hold's text; ask the reporter one"))
    return found


def relay_hint(
    t: Translator, code: str, findings: list[Finding], *, hold: bool = False
) -> str | None:
    """A short note to the staff member: the reply went, and how to write the next one.

    After a hold the note says the report is on hold, and rule 3's advice is the hold's:
    one question for the reporter, at the end.
    """
    rules = sorted({finding.rule for finding in findings})
    if not rules:
        return None
    keys = (
        "staff.hint.hold_question" if hold and rule == 3 else f"staff.hint.rule_{rule}"
        for rule in rules
    )
    hints = Listing(tuple(Msg(key) for key in keys))
    return t("staff.hint_hold" if hold else "staff.hint", code=code, hints=hints)
