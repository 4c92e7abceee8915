"""Time limits of SP4N-LAPOR!, counted in working days (Monday to Friday, minus holidays)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.agencies import Agency
from bot.core.lifecycle import Status
from bot.core.workdays import WorkingCalendar

VERIFY_DAYS = 3
# A hold waits this long for the citizen's information before it is archived (the bot's
# HOLD_EXPIRY_WORKING_DAYS setting; SP4N-LAPOR! archives reports that stay incomplete).
HOLD_DAYS = 10
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
    hold_days: int = HOLD_DAYS,
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
        case Status.DITUNDA:
            # The service's clock stops; the citizen's starts: unanswered, it is archived.
            return calendar.add_working_days(now, hold_days)
    # The closed statuses have none.
    return None
