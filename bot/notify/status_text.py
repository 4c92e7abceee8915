"""How a report's status is named to people: one label, naming the agency it is with."""

from __future__ import annotations

from bot.core.lifecycle import ActorKind, Status
from bot.core.tracking import format_code
from bot.language.i18n import Msg
from bot.services import Services
from storage.models import Report, TimelineEvent

CLOSED_LABEL = "status.ditutup"
CLOSED_NEXT = "status.next.ditutup"
# An archived report that staff joined to another (bot/workflow/duplicates.py).
JOINED_LABEL = "status.digabung"
JOINED_NEXT = "status.next.digabung"


def agency_name(services: Services, report: Report) -> str:
    """The full name of the report's agency (its key if the agencies file lost it)."""
    agency = services.directory.unit(report.agency)
    return agency.name if agency else report.agency


def closed_for_good(report: Report) -> bool:
    """Done and closed (rated, or the dispute window passed): nothing more to do on it."""
    return report.status is Status.SELESAI and report.closed_at is not None


def joined(report: Report) -> bool:
    """Archived as a duplicate of another report, whose notices its citizen now gets."""
    return report.status is Status.DIARSIPKAN and report.duplicate_of is not None


def status_label(services: Services, report: Report) -> Msg:
    """The status label, e.g. "Diteruskan ke Dinas Perhubungan", rendered per reader."""
    if closed_for_good(report):
        return Msg(CLOSED_LABEL)
    if joined(report) and report.duplicate_of is not None:
        return Msg(JOINED_LABEL, {"code": format_code(report.duplicate_of)})
    return Msg(report.status.label_key, {"agency": agency_name(services, report)})


def next_step(report: Report) -> str:
    """Catalogue key of what happens next; a report closed for good invites nothing."""
    if joined(report):
        return JOINED_NEXT
    return CLOSED_NEXT if closed_for_good(report) else report.status.next_step_key


def timeline_label(event: TimelineEvent, *, staff: bool) -> Msg:
    """What a timeline entry says happened: the new status, or for an entry that changed
    none, who added what (a relayed reply is no second "diteruskan")."""
    if event.from_status != event.to_status:
        return Msg(f"timeline.{event.to_status.value.lower()}")
    if event.public_text is None and event.internal_note is not None:
        return Msg("timeline.catatan")
    if event.actor is ActorKind.CITIZEN:
        return Msg("timeline.keterangan_pelapor" if staff else "timeline.keterangan_anda")
    return Msg("timeline.balasan")


def shown_to_citizen(event: TimelineEvent) -> bool:
    """The citizen's timeline leaves out the staff's internal notes."""
    return not (event.public_text is None and event.internal_note is not None)
