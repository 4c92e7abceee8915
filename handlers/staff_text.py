"""Staff-facing texts shared by card presses, commands and replies."""

from __future__ import annotations

from enum import StrEnum

from bot.i18n import Translator
from bot.services import Services
from bot.status_text import status_label
from bot.tracking import format_code
from storage.models import Report


class Denial(StrEnum):
    """Why the edge refused a staff update before any transition was tried."""

    UNKNOWN_BUTTON = "unknown_button"
    NOT_STAFF = "not_staff"
    NOT_FOUND = "not_found"
    OTHER_AGENCY = "other_agency"
    NO_REPORTER = "no_reporter"


def refusal_text(services: Services, t: Translator, reason: str, report: Report | None) -> str:
    """Why an action was refused, naming the report and its status where that helps."""
    if report is None:
        return t(f"staff.refused.{reason}")
    return t(
        f"staff.refused.{reason}",
        code=format_code(report.code),
        label=t.render(status_label(services, report)),
    )
