"""Who may act on reports: members of the staff group or of a unit's own group (an agency's,
a kelurahan's or a kecamatan's office's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import ChatMember, Message, Update
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.core.lifecycle import Status
from bot.core.queues import AT_AGENCY, in_queue
from bot.core.tracking import CodeError, parse_code
from bot.core.transitions import Role
from bot.language.i18n import Translator
from bot.services import Services
from bot.transport.context import LaporContext
from bot.workflow.changes import Actor, refuse
from handlers.staff_text import Denial, refusal_text
from storage import reports as report_store
from storage.errors import ReportNotFound
from storage.models import Report


@dataclass(frozen=True)
class StaffScope:
    """A staff chat: the main staff group (every report) or one agency's own group."""

    chat_id: int
    agency: str | None = None

    def covers(self, report: Report) -> bool:
        """The main staff group sees every report, an agency's own group only its queue."""
        return self.agency is None or in_queue(report, self.agency)

    @property
    def statuses(self) -> frozenset[Status] | None:
        """The statuses a report this chat sees may have; None for any."""
        return None if self.agency is None else AT_AGENCY


def scope_of(services: Services, chat_id: int) -> StaffScope | None:
    """The staff scope of a chat, None for any chat we do not serve."""
    if chat_id == services.settings.admin_chat_id:
        return StaffScope(chat_id)
    unit = services.directory.unit_with_group(chat_id)
    return StaffScope(chat_id, unit.key) if unit is not None else None


async def role_in(bot: ExtBot[None], scope: StaffScope, user_id: int) -> Role | None:
    """The person's role in a staff chat, asked of Telegram; None if not a member.

    Forward, hold, reject and reassign belong to the main staff group's administrators;
    in an agency's own group everyone acts as staff.
    """
    try:
        member = await bot.get_chat_member(scope.chat_id, user_id)
    except TelegramError:
        return None
    if member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER):
        return Role.ADMIN if scope.agency is None else Role.STAFF
    # A restricted member (muted, or restricted and gone) keeps no staff rights.
    if member.status == ChatMember.MEMBER:
        return Role.STAFF
    return None


@dataclass
class StaffTurn:
    """One staff update being handled: its unit of work, who acts where, in which language."""

    session: AsyncSession
    services: Services
    scope: StaffScope
    actor: Actor
    now: datetime

    @property
    def t(self) -> Translator:
        """The staff language's translator."""
        return self.services.locales.get(self.services.settings.bot_locale)

    def refused(self, action: str, report: Report | None, reason: str) -> str:
        """Audit a refusal and return its text.

        A report outside an agency group's queue is answered as a code no report has, so
        the group learns nothing of it; the audit log keeps the true reason.
        """
        refuse(self.session, self.actor, action, report, reason=reason, now=self.now)
        if reason == Denial.OTHER_AGENCY:
            return refusal_text(self.services, self.t, Denial.NOT_FOUND, None)
        return refusal_text(self.services, self.t, reason, report)

    async def named_report(self, action: str, words: list[str]) -> Report | None:
        """The report whose code is the first word, if this chat sees it; otherwise None,
        the refusal audited (a report outside the chat's scope as other_agency)."""
        try:
            report = await report_store.by_code(self.session, parse_code(words[0]))
        except (IndexError, CodeError, ReportNotFound):
            self.refused(action, None, Denial.NOT_FOUND)
            return None
        if not self.scope.covers(report):
            self.refused(action, report, Denial.OTHER_AGENCY)
            return None
        return report


def command_name(text: str) -> str:
    """The command of a typed text: "/Teruskan@lapor_bot 726-4183" is "teruskan"."""
    return (text or "/").split()[0].lstrip("/").split("@")[0].casefold()


@dataclass(frozen=True)
class StaffCommand:
    """A command typed in a staff chat: what was asked, where, and by whom in which role."""

    message: Message
    scope: StaffScope
    command: str
    words: list[str]
    role: Role | None
    actor: Actor


async def read_command(update: Update, context: LaporContext) -> StaffCommand | None:
    """The staff command of an update, or None outside the chats the bot serves staff in."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or not message.text:
        return None
    scope = scope_of(context.services, message.chat_id)
    if scope is None:
        # Only an edit comes here: a new message in such a group is answered before the
        # staff handlers by handlers/unserved.py (bot/app.py, 2b), and an edit is not again.
        return None
    role = await role_in(context.bot, scope, user.id)
    actor = Actor(role or Role.CITIZEN, user.id, message.chat_id, user.first_name)
    words = message.text.split()
    return StaffCommand(message, scope, command_name(message.text), words[1:], role, actor)
