"""Draft upkeep: remind a citizen before their draft expires, then remove expired drafts."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot import notices
from bot.context import LaporContext
from bot.dates import format_date, format_time
from bot.delivery.messages import CitizenChat
from storage import drafts

log = logging.getLogger(__name__)


async def draft_upkeep(context: LaporContext) -> None:
    """Job: queue due reminders and delete drafts idle past their time to live.

    A reminder goes through the outbox, written with its claim: a failed send is retried
    rather than lost, and with spoken replies on it comes as a voice note too.
    """
    services = context.services
    settings = services.settings
    now = services.clock()
    tz = settings.timezone
    async with services.sessionmaker.begin() as session:
        expired = await drafts.expire(session, now - timedelta(hours=settings.draft_ttl_hours))
        due = await drafts.due_for_reminder(
            session, now - timedelta(hours=settings.draft_reminder_hours), now
        )
        for reminder in due:
            expires = reminder.last_activity + timedelta(hours=settings.draft_ttl_hours)
            t = services.locales.get(reminder.locale)
            text = t(
                "draft.reminder",
                date=format_date(expires.astimezone(tz).date(), reminder.locale),
                time=format_time(expires, tz, reminder.locale),
            )
            notices.prompt(
                session,
                services,
                CitizenChat(reminder.reporter_id),
                text,
                speak=reminder.locale if reminder.voice_replies else None,
                purpose="draft_reminder",
                now=now,
            )
    if expired:
        log.info("removed %d expired drafts", expired)
    if due:
        context.bot_data.wake_dispatcher()
