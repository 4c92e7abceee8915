"""How a report's status is named to people: one label, naming the agency it is with."""

from __future__ import annotations

from bot.language.i18n import Msg
from bot.services import Services
from storage.models import Report


def agency_name(services: Services, report: Report) -> str:
    """The full name of the report's agency (its key if the agencies file lost it)."""
    agency = services.directory.agencies.get(report.agency)
    return agency.name if agency else report.agency


def status_label(services: Services, report: Report) -> Msg:
    """The status label, e.g. "Diteruskan ke Dinas Perhubungan", rendered per reader."""
    return Msg(report.status.label_key, {"agency": agency_name(services, report)})
