"""What every handler needs, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core import tracking
from bot.core.agencies import Directory
from bot.core.workdays import WorkingCalendar
from bot.language.i18n import Locales
from bot.settings import Settings
from storage.models import utcnow


@dataclass
class Services:
    """Settings, catalogues, the agencies file and the database, shared by all updates."""

    settings: Settings
    locales: Locales
    directory: Directory
    calendar: WorkingCalendar
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    # Injected so tests can move time and pin codes without patching anything.
    clock: Callable[[], datetime] = field(default=utcnow)
    new_code: Callable[[], int] = field(default=tracking.new_code)
