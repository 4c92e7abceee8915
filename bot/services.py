"""What every handler needs, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core import tracking
from bot.core.agencies import Directory
from bot.core.areas import Areas
from bot.core.workdays import WorkingCalendar
from bot.language.i18n import Locales
from bot.settings import Settings
from storage.models import utcnow


@dataclass
class Services:
    """Settings, catalogues, the agencies and areas files and the database, for all updates."""

    settings: Settings
    locales: Locales
    directory: Directory
    # The kota's kecamatan and kelurahan; empty when AREAS_FILE is unset.
    areas: Areas
    calendar: WorkingCalendar
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    # Injected so tests can move time and pin codes without patching anything.
    clock: Callable[[], datetime] = field(default=utcnow)
    new_code: Callable[[], int] = field(default=tracking.new_code)
