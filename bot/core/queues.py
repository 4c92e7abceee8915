"""Which staff queue a report is in: Verifikasi until forwarded, then the agency's."""

from __future__ import annotations

from typing import Protocol

from bot.core.lifecycle import Status

VERIFIKASI = "verifikasi"
ESKALASI = "eskalasi"

# An agency sees and acts on a report only in these statuses (its group, its API, its figures).
AT_AGENCY = frozenset({Status.DITERUSKAN, Status.DITINDAKLANJUTI, Status.SELESAI})


class Queued(Protocol):
    """What decides a report's queue."""

    @property
    def status(self) -> Status: ...

    @property
    def agency(self) -> str: ...


def queue_for(status: Status | None, agency: str) -> str:
    """The staff queue a report's card lives in: the agency's while it handles it."""
    return agency if status in AT_AGENCY else VERIFIKASI


def queue_of(report: Queued) -> str:
    """The staff queue a report's card lives in now."""
    return queue_for(report.status, report.agency)


def in_queue(report: Queued, agency: str) -> bool:
    """Whether a report is in an agency's queue (forwarded to it and still with it): all
    an agency may see and act on, in its own group as through its API (bot/api/agency.py)."""
    return report.status in AT_AGENCY and report.agency == agency
