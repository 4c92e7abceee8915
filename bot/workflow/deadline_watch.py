"""The deadline watch: remind the queue before a limit, escalate after it, tell the citizen,
close done reports for good once the dispute window has passed, and archive holds the
citizen never answered (telling them why).

A report a kelurahan's or a kecamatan's office lets pass its limit is passed one level up
(bot/core/units.py), to start afresh there under that unit's limit: the citizen and both
units are told by the change itself, and the escalation topic as for any late report.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import queues
from bot.core.conversation import Awaiting
from bot.core.lifecycle import Status
from bot.core.outgoing import CitizenChat, Outgoing, StaffQueue, lane_of
from bot.core.tracking import format_code
from bot.core.transitions import Action, Role
from bot.core.units import level_target
from bot.language.dates import format_date
from bot.notify.status_text import status_label
from bot.services import Services
from bot.workflow import changes
from storage import outbox
from storage import reports as report_store
from storage.models import Report

WATCHED = (Status.MENUNGGU_VERIFIKASI, Status.DITERUSKAN, Status.DITINDAKLANJUTI)
# Staff are reminded when one working day (at most) is left.
REMIND_AHEAD_DAYS = 1
# Holds archived in one pass, oldest limit first: a database upgraded with years of
# forgotten holds works through them a pass at a time, every pass a short unit of work.
HOLDS_A_PASS = 200


async def run_watch(session: AsyncSession, services: Services, now: datetime) -> None:
    """Remind, escalate and close what is due at `now`."""
    soon = services.calendar.add_working_days(now, REMIND_AHEAD_DAYS)
    for report in await report_store.due_for_reminder(session, WATCHED, soon):
        report.reminded_at = now
        queue = queues.queue_of(report)
        _staff(session, services, report, queue=queue, key="deadline.reminder", now=now)
    for report in await report_store.overdue(session, WATCHED, now):
        report.escalated_at = now
        _staff(session, services, report, queue=queues.ESKALASI, key="deadline.escalated", now=now)
        if report.status in queues.AT_AGENCY and level_target(
            services.directory, report, Action.ESCALATE
        ):
            await _pass_up(session, services, report, now)
        else:
            await _citizen(session, services, report, "deadline.late", now)
    for report in await report_store.past_dispute_window(session, now):
        report.closed_at = now
        await _citizen(session, services, report, "deadline.closed", now)
    for report in await report_store.holds_past_limit(session, now, HOLDS_A_PASS):
        await _expire_hold(session, services, report, now)


async def _pass_up(
    session: AsyncSession, services: Services, report: Report, now: datetime
) -> None:
    """Pass a report its office let run late one level up, saying why to its citizen."""
    reporter = await report_store.reporter_of(session, report)
    t = services.locales.get(reporter.locale if reporter else services.settings.bot_locale)
    unit = services.directory.unit(report.agency)
    reason = t("level.escalated", agency=unit.short_name if unit else report.agency)
    await changes.apply(
        session, services, report, Action.ESCALATE, changes.Actor(Role.SYSTEM),
        now=now, text=reason,
    )  # fmt: skip


async def _expire_hold(
    session: AsyncSession, services: Services, report: Report, now: datetime
) -> None:
    """Archive a hold nobody answered, through the workflow: timeline, audit, the citizen
    told why and that they may file again, a fresh card for the staff."""
    reporter = await report_store.reporter_of(session, report)
    t = services.locales.get(reporter.locale if reporter else services.settings.bot_locale)
    reason = t("hold.expired", days=services.settings.hold_expiry_working_days)
    await changes.apply(
        session, services, report, Action.EXPIRE_HOLD, changes.Actor(Role.SYSTEM),
        now=now, text=reason,
    )  # fmt: skip
    if (
        reporter is not None
        and reporter.context == Awaiting.ANSWER
        and reporter.context_report_id == report.id
    ):
        # Their next message is no longer an answer to a question nobody waits for.
        reporter.context = Awaiting.MENU
        reporter.context_report_id = None


def _staff(
    session: AsyncSession,
    services: Services,
    report: Report,
    *,
    queue: str,
    key: str,
    now: datetime,
) -> None:
    locale = services.settings.bot_locale
    t = services.locales.get(locale)
    assert report.deadline_at is not None
    text = t(
        key,
        code=format_code(report.code),
        label=t.render(status_label(services, report)),
        deadline=format_date(services.calendar.local_date(report.deadline_at), locale),
    )
    outbox.enqueue(
        session,
        StaffQueue(queue, lane=lane_of(report.client_id)),
        Outgoing(text=text, under_card=queue != queues.ESKALASI),
        purpose="deadline",
        now=now,
        report_id=report.id,
    )


async def _citizen(
    session: AsyncSession, services: Services, report: Report, key: str, now: datetime
) -> None:
    reporter = await report_store.reporter_of(session, report)
    if reporter is None:
        return
    t = services.locales.get(reporter.locale)
    outbox.enqueue(
        session,
        CitizenChat(reporter.id),
        Outgoing(text=t(key, code=format_code(report.code))),
        purpose="deadline",
        now=now,
        report_id=report.id,
    )
