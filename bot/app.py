"""The composition root: services, the application, and every handler in one ordered place."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import FloodLimit
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core import tracking
from bot.core.agencies import load_directory
from bot.core.areas import Areas, load_areas
from bot.core.units import with_offices
from bot.core.workdays import WorkingCalendar
from bot.delivery.dispatcher import start_delivery, stop_delivery
from bot.language.i18n import load_locales
from bot.notify.desk_buttons import is_desk_press
from bot.services import Services
from bot.settings import Settings
from bot.transport.aiohttp_request import AiohttpRequest
from bot.transport.context import BotData, LaporApplication, LaporContext
from bot.transport.ledger import UpdateLedger
from bot.transport.per_chat import PerChatUpdateProcessor
from handlers import (
    counter_desk,
    jobs,
    private,
    redelivery,
    staff_bar,
    staff_cards,
    staff_commands,
    staff_duplicates,
    staff_replies,
)
from handlers.staff_stats import STATS_COMMANDS, on_stats_command
from handlers.unserved import UnservedGroup, on_unserved_group
from storage.db import create_engine, create_sessionmaker
from storage.models import utcnow

log = logging.getLogger(__name__)

# Commands offered in Telegram's menu; every one also works typed without the slash.
COMMANDS = ("start", "menu", "bantuan", "batal", "pengaturan", "hapusdata")


def build_services(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utcnow,
    new_code: Callable[[], int] = tracking.new_code,
) -> Services:
    """Load catalogues and the agencies file, and create the database engine."""
    engine = create_engine(settings.database_url)
    areas = (
        load_areas(settings.areas_file, settings.areas_boundaries_file)
        if settings.areas_file
        else Areas()
    )
    return Services(
        settings=settings,
        locales=load_locales(),
        directory=with_offices(
            load_directory(settings.agencies_file), areas, settings.agencies_file
        ),
        areas=areas,
        calendar=WorkingCalendar(settings.timezone),
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        clock=clock,
        new_code=new_code,
    )


def register_handlers(application: LaporApplication) -> None:
    """Every handler, in the order python-telegram-bot tries them."""
    private_chat = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    # 0. An update handled before (a webhook retry, an unconfirmed offset) stops here.
    application.add_handler(TypeHandler(Update, redelivery.skip_handled), group=-1)
    # 0b. Counter officers (the agencies file's counters): their messages at the desk, in
    #    their private chat or in the staff group (or the counter's own group), file for a
    #    walk-in citizen; "loket", "pinbaru" and "warga" are the desk's commands. What is not
    #    for the desk goes on as from anyone: to the citizen router (1) or a card reply (5).
    #    Other staff commands by an officer in a group are left to 4 and 4b.
    services = application.bot_data.services
    desk_commands = filters.Regex(counter_desk.COMMAND_PATTERN)
    application.add_handler(
        MessageHandler(
            counter_desk.CounterOfficer(services)
            & filters.UpdateType.MESSAGE
            & (private_chat | ~filters.COMMAND | desk_commands),
            counter_desk.on_officer_message,
        )
    )
    application.add_handler(CallbackQueryHandler(counter_desk.on_desk_press, pattern=is_desk_press))
    # 1. Citizens: every new private message (text, commands, files, locations) goes to the
    #    router, which picks the flow from the state stored for that citizen.
    application.add_handler(
        MessageHandler(private_chat & filters.UpdateType.MESSAGE, private.on_private_message)
    )
    # 2. Edited messages are not re-read: the answer was already taken as first sent.
    application.add_handler(
        MessageHandler(private_chat & filters.UpdateType.EDITED_MESSAGE, private.on_edited)
    )
    # 2b. A group the bot does not serve (neither ADMIN_CHAT_ID nor an agency's own group):
    #    a command (staff ones too, which would otherwise match 4 and 4b), a mention or a reply
    #    to the bot gets one pointer to the private chat; other chatter is not answered. An
    #    edit is not answered again. Channel posts match no handler on purpose: nobody there
    #    writes to the bot, and an answer in a channel would go to all its subscribers.
    application.add_handler(
        MessageHandler(
            groups & filters.UpdateType.MESSAGE & UnservedGroup(application.bot_data.services),
            on_unserved_group,
        )
    )
    # 3. Staff: card buttons (anywhere; the handler checks the chat and the person).
    application.add_handler(CallbackQueryHandler(staff_cards.on_card_press))
    # 4. Staff: typed commands, the equivalent of every button, plus queue, report, search,
    #    barring a citizen, and joining a duplicate to its report. An edited command is not
    #    run again (4c).
    application.add_handler(
        CommandHandler(
            [
                *staff_commands.ACTION_COMMANDS,
                *staff_commands.QUERY_COMMANDS,
                *staff_bar.COMMANDS,
                *staff_duplicates.COMMANDS,
            ],
            staff_commands.on_staff_command,
            filters=groups & filters.UpdateType.MESSAGE,
        )
    )
    # 4b. Staff: statistics as a chart and in words, and a month's reports as CSV.
    application.add_handler(CommandHandler(STATS_COMMANDS, on_stats_command, filters=groups))
    # 4c. Staff: an edited command gets a note that it was not run again.
    application.add_handler(
        MessageHandler(
            groups & filters.UpdateType.EDITED_MESSAGE & filters.COMMAND,
            staff_commands.on_edited_command,
        )
    )
    # 5. Staff: replies in a staff chat (privacy mode lets replies to the bot through).
    application.add_handler(
        MessageHandler(
            groups & filters.REPLY & filters.UpdateType.MESSAGE & ~filters.COMMAND,
            staff_replies.on_staff_reply,
        )
    )
    application.add_error_handler(private.on_error)


def reply_limiter(settings: Settings) -> AIORateLimiter:
    """Telegram's overall and per-group limits for direct replies, scaled like the outbox's.

    Against Telegram the scale is 1; against a local Bot API emulator (benchmarks) both
    limits are lifted together, so replies are not held to 30 a second there.
    """
    scale = settings.outbox_rate_scale
    return AIORateLimiter(
        overall_max_rate=FloodLimit.MESSAGES_PER_SECOND * scale,
        group_max_rate=FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP * scale,
        max_retries=2,
    )


def build_application(settings: Settings, services: Services | None = None) -> LaporApplication:
    """The python-telegram-bot application wired to our services (not yet started)."""
    services = services or build_services(settings)
    context_types = ContextTypes(context=LaporContext, bot_data=BotData)
    ledger = UpdateLedger(services.sessionmaker, services.clock)
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(settings.token())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .context_types(context_types)
        .concurrent_updates(
            PerChatUpdateProcessor(settings.concurrent_updates, on_done=ledger.finished)
        )
        # Our poller (bot.transport.polling) keeps what it fetched until handled; PTB's
        # confirms a batch early.
        .updater(None)
        .defaults(
            Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True), do_quote=False)
        )
        .rate_limiter(reply_limiter(settings))
        # aiohttp instead of httpx: the HTTP of every call costs a third of the CPU.
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connections=1))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    application: LaporApplication = builder.build()
    application.bot_data.services = services
    application.bot_data.ledger = ledger
    register_handlers(application)
    if application.job_queue is not None:
        # Agencies' own Open311 systems are read only when one is configured.
        has_systems = any(a.open311 for a in services.directory.agencies.values())
        poll = timedelta(seconds=services.settings.open311_poll_seconds)
        jobs.schedule(application.job_queue, agency_poll=poll if has_systems else None)
    return application


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services: Services = application.bot_data.services
    t = services.locales.get(services.settings.bot_locale)
    await application.bot.set_my_commands(
        [BotCommand(name, t(f"command.{name}")) for name in COMMANDS]
    )
    await start_delivery(application.bot_data)


async def _post_stop(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await stop_delivery(application.bot_data)


async def _post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services: Services = application.bot_data.services
    await services.engine.dispose()
