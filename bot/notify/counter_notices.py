"""What a counter hears about the reports it filed, until their citizens claim them.

A walk-in citizen has no chat the bot could write to: what they must answer (a hold's
question) or may now do (rate the answer) goes to the counter's topic, so an officer can
phone them. The name and phone are written there only when the citizen chose neither
anonim nor rahasia, since agency staff see the staff group's topics too; otherwise an
officer looks them up in a private chat with the bot (handlers/counter_desk.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.lifecycle import Status
from bot.core.outgoing import Outgoing, StaffQueue
from bot.core.tracking import format_code
from bot.language.i18n import Translator
from bot.notify.cards import citizen_text
from bot.services import Services
from storage import outbox
from storage.models import CounterFiling, Report, TimelineEvent

# Statuses whose notice the citizen must hear: a question to answer, an answer to rate.
NEEDS_CITIZEN = {Status.DITUNDA: "counter.notice.ditunda", Status.SELESAI: "counter.notice.selesai"}
PURPOSE = "counter_notice"


def contact(t: Translator, report: Report, walk_in: CounterFiling) -> str:
    """How the officer reaches the citizen, as far as this topic may say."""
    given = [part for part in (walk_in.citizen_name, walk_in.citizen_phone) if part]
    if report.anonymous or report.confidential:
        return t("counter.who_private", code=format_code(report.code))
    if not given:
        return t("counter.who_unknown")
    return t("counter.who", name=citizen_text(", ".join(given)))


def through_counter(
    session: AsyncSession,
    services: Services,
    report: Report,
    walk_in: CounterFiling,
    event: TimelineEvent,
) -> None:
    """Put a notice the unclaimed report's citizen must hear in its counter's topic."""
    if walk_in.claimed_at is not None or report.status not in NEEDS_CITIZEN:
        return
    t = services.locales.get(services.settings.bot_locale)
    said = (
        t("counter.notice.said", text=citizen_text(event.public_text)) if event.public_text else ""
    )
    text = t(
        NEEDS_CITIZEN[report.status],
        code=format_code(report.code),
        who=contact(t, report, walk_in),
        said=said,
    )
    outbox.enqueue(
        session,
        StaffQueue(walk_in.counter),
        Outgoing(text=text, html=True),
        purpose=PURPOSE,
        now=event.at,
        report_id=report.id,
    )


def claimed(
    session: AsyncSession, services: Services, report: Report, walk_in: CounterFiling, now: datetime
) -> None:
    """Tell the counter that its citizen now follows the report in Telegram themselves."""
    t = services.locales.get(services.settings.bot_locale)
    outbox.enqueue(
        session,
        StaffQueue(walk_in.counter),
        Outgoing(text=t("counter.claimed", code=format_code(report.code))),
        purpose=PURPOSE,
        now=now,
        report_id=report.id,
    )
