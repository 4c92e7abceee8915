"""Checks before a citizen's message reaches a flow: a bar by staff, flood control, the daily
cap on new reports, and messages whose shape no question can take.

Each check either lets the message through whole or keeps it out whole, so nothing a
citizen sends in a flood, or while barred, is half applied.
"""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta

from bot.core.conversation import Awaiting
from bot.core.intake import rules
from bot.language.dates import format_date
from bot.language.i18n import Msg
from handlers import home
from handlers.inputs import InputKind, Unsupported
from handlers.turn import Reply, Turn
from storage import reporters
from storage import reports as report_store

# A barred citizen is told once, and again only if they write after a day.
BAR_NOTICE_EVERY = timedelta(days=1)
# Telegram splits a text over its 4096-character limit into messages sent together; a part
# arrives within a second or two of the one before. No answer takes more than this.
LONGEST_ANSWER = rules.CONTENT_MAX_CHARS
SPLIT_WITHIN = timedelta(seconds=2)
UNSUPPORTED = {
    Unsupported.STICKER: "input.sticker",
    Unsupported.VIDEO_NOTE: "input.video_note",
    Unsupported.POLL: "input.poll",
    Unsupported.CONTACT: "input.contact",
    Unsupported.UNKNOWN: "error.unsupported",
}


def _erasing(turn: Turn) -> bool:
    """Erasing one's data (UU 27/2022) stays possible for a barred citizen."""
    return turn.reporter.context == Awaiting.ERASE or turn.said("word.hapusdata")


async def admit(turn: Turn) -> bool:
    """Whether a consented citizen's message may be read at all.

    Not when staff barred the citizen or the message is part of a flood; the turn then
    holds the one notice due, or nothing.
    """
    reporter = turn.reporter
    if reporter.barred_at is not None and not _erasing(turn):
        noticed = reporter.bar_noticed_at
        if noticed is None or turn.now - noticed >= BAR_NOTICE_EVERY:
            reporter.bar_noticed_at = turn.now
            # No keyboard stays: its buttons would only bring the same notice.
            turn.replies.append(Reply(Msg("guard.barred", turn.city()), remove_keyboard=True))
        return False
    settings = turn.services.settings
    window = timedelta(seconds=settings.flood_window_seconds)
    count, started = await reporters.count_message(turn.session, reporter, turn.now, window)
    if count <= settings.flood_messages:
        return True
    if count == settings.flood_messages + 1:
        left = math.ceil((started + window - turn.now).total_seconds())
        turn.say("guard.flood", seconds=max(left, 1))
    return False


def odd_input(turn: Turn, sent_at: datetime) -> Msg | None:
    """What no question can take in this message, or None.

    A kind of message the bot does not read, a file over the size it accepts, or the
    rest of a long text that Telegram split into several messages.
    """
    sent = turn.input
    if sent.kind is InputKind.OTHER:
        return Msg(UNSUPPORTED[sent.unsupported or Unsupported.UNKNOWN])
    if sent.file is not None and (sent.file.size or 0) > rules.MAX_FILE_BYTES:
        return Msg("error.file_too_big", {"max_mb": rules.MAX_FILE_BYTES // (1024 * 1024)})
    if sent.kind is InputKind.TEXT:
        return _split_part(turn, sent_at) or _blank(sent.text)
    return None


def _blank(text: str) -> Msg | None:
    """Only spaces and invisible characters: a message that says nothing at any step."""
    if all(ch.isspace() or rules.invisible(ch) for ch in text):
        return Msg("input.blank")
    return None


def _split_part(turn: Turn, sent_at: datetime) -> Msg | None:
    """A text sent right after a text too long for any answer is the rest of a split paste."""
    reporter = turn.reporter
    before = reporter.long_text_at
    if len(turn.input.text) > LONGEST_ANSWER:
        reporter.long_text_at = sent_at
    if before is not None and timedelta(0) <= sent_at - before <= SPLIT_WITHIN:
        return Msg("input.split_part", {"max": LONGEST_ANSWER})
    return None


async def may_start_report(turn: Turn) -> bool:
    """Whether the citizen may begin a new report today; if not, say when and how else."""
    services = turn.services
    today = services.calendar.local_date(turn.now)
    midnight = datetime.combine(today, time(0), tzinfo=services.settings.timezone)
    filed = await report_store.filed_since(turn.session, turn.reporter.id, midnight)
    if filed < services.settings.daily_report_cap:
        return True
    tomorrow = format_date(today + timedelta(days=1), turn.reporter.locale)
    turn.say("guard.daily_cap", count=filed, date=tomorrow, **turn.city())
    home.show(turn)
    return False
