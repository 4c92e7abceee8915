"""Time limits of SP4N-LAPOR!, counted in working days (Monday to Friday, minus holidays)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.agencies import Agency
from bot.core.lifecycle import Status
from bot.core.workdays import WorkingCalendar

VERIFY_DAYS = 3
DISPUTE_DAYS = 10
# Perpres 76/2013: a report is resolved within 60 days at most.
RESOLUTION_CAP = timedelta(days=60)


def deadline_for(
    status: Status,
    *,
    calendar: WorkingCalendar,
    now: datetime,
    submitted_at: datetime,
    agency: Agency,
) -> datetime | None:
    """The limit that starts when a report enters `status`; None where the clock stops."""
    match status:
        case Status.MENUNGGU_VERIFIKASI:
            return calendar.add_working_days(now, VERIFY_DAYS)
        case Status.DITERUSKAN:
            return calendar.add_working_days(now, agency.first_response_days)
        case Status.DITINDAKLANJUTI:
            return submitted_at + RESOLUTION_CAP
        case Status.SELESAI:
            return calendar.add_working_days(now, DISPUTE_DAYS)
    # DITUNDA pauses the clock; the closed statuses have none.
    return None
