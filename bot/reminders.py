"""Draft upkeep: remind a citizen before their draft expires, then remove expired drafts."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.error import Forbidden, TelegramError

from bot.context import LaporContext
from bot.dates import format_date, format_time
from storage import drafts

log = logging.getLogger(__name__)


async def draft_upkeep(context: LaporContext) -> None:
    """Job: send due reminders and delete drafts idle past their time to live."""
    services = context.services
    settings = services.settings
    now = services.clock()
    async with services.sessionmaker.begin() as session:
        expired = await drafts.expire(session, now - timedelta(hours=settings.draft_ttl_hours))
        due = await drafts.due_for_reminder(
            session, now - timedelta(hours=settings.draft_reminder_hours), now
        )
    if expired:
        log.info("removed %d expired drafts", expired)
    tz = settings.timezone
    for reminder in due:
        expires = reminder.last_activity + timedelta(hours=settings.draft_ttl_hours)
        t = services.locales.get(reminder.locale)
        text = t(
            "draft.reminder",
            date=format_date(expires.astimezone(tz).date(), reminder.locale),
            time=format_time(expires, tz, reminder.locale),
        )
        try:
            await context.bot.send_message(reminder.chat_id, text)
        except Forbidden:
            log.info("a draft reminder could not be delivered: the citizen blocked the bot")
        except TelegramError as error:
            log.warning("a draft reminder failed: %s", type(error).__name__)
