"""Draft upkeep: remind a citizen before their draft expires, then remove expired drafts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.outgoing import CitizenChat
from bot.language.dates import format_date, format_time
from bot.notify import notices
from bot.services import Services
from storage import drafts


async def run_upkeep(session: AsyncSession, services: Services, now: datetime) -> tuple[int, int]:
    """Queue due reminders and delete drafts idle past their time to live.

    A reminder goes through the outbox, written with its claim: a failed send is retried
    rather than lost, and with spoken replies on it comes as a voice note too. Returns how
    many drafts were removed and how many reminders were queued.
    """
    settings = services.settings
    tz = settings.timezone
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
    return expired, len(due)
