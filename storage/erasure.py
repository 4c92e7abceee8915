"""Erasing a citizen's personal data on request (/hapusdata). Functions never commit.

What is erased: the name, username, Telegram user id and private chat (the "chat link")
on the reporter; the draft; the reports they follow; the link from each report to the
person; the citizen's user id in timelines and the audit log; every record of which
message in their chat was about which report; and the replies kept for redelivery. What
stays: the reports with their content, files and timelines (public texts included),
unlinked from anyone. The reporter row stays as an empty tombstone with `erased_at`,
keeping only what cannot point back to the person (language and reading preferences, so
the last answer still reaches them as they asked). The bot never stores a phone number: a
shared contact is not read at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.lifecycle import ActorKind
from storage import audit, drafts, followers
from storage.models import (
    AuditEntry,
    CitizenMessage,
    CounterFiling,
    HandledUpdate,
    OutboxMessage,
    Report,
    Reporter,
    TimelineEvent,
)

ERASED_ACTION = "erase_data"
# Why rows still waiting for the citizen's chat were closed (kept, never silently dropped).
ERASED_ERROR = "the reporter erased their personal data"


@dataclass(frozen=True)
class Kept:
    """What the bot keeps about a person, read back before erasing it."""

    first_name: str | None
    last_name: str | None
    username: str | None
    reports: int
    has_draft: bool

    @property
    def name(self) -> str | None:
        """First and last name as Telegram gave them, if any."""
        return " ".join(part for part in (self.first_name, self.last_name) if part) or None


@dataclass(frozen=True)
class Scrub:
    """How to take the person out of texts already written for staff (cards, answers to
    /laporan), rendered by the caller, who knows how those texts name a reporter."""

    # Texts naming the person, looked for in every outbox row.
    needles: Sequence[str]
    # The text with every mention of a reporter replaced.
    rewrite: Callable[[str], str]


async def kept(session: AsyncSession, reporter: Reporter) -> Kept:
    """The personal data held about a reporter (the draft must be loaded)."""
    count = await session.scalar(
        select(func.count()).select_from(Report).where(Report.reporter_id == reporter.id)
    )
    return Kept(
        reporter.first_name,
        reporter.last_name,
        reporter.username,
        int(count or 0),
        reporter.draft is not None,
    )


async def erase(
    session: AsyncSession, reporter: Reporter, now: datetime, scrub: Scrub
) -> list[int]:
    """Erase the reporter's personal data, keep their reports unlinked; the reports' ids.

    The reporter must have been loaded with their draft (storage.reporters.find).
    """
    user_id, chat_id = reporter.telegram_user_id, reporter.chat_id
    report_ids = list(
        await session.scalars(select(Report.id).where(Report.reporter_id == reporter.id))
    )
    if report_ids:
        await session.execute(
            update(Report)
            .where(Report.id.in_(report_ids))
            .values(reporter_id=None)
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            update(TimelineEvent)
            .where(
                TimelineEvent.report_id.in_(report_ids), TimelineEvent.actor == ActorKind.CITIZEN
            )
            .values(actor_user_id=None)
            .execution_options(synchronize_session=False)
        )
        # What a citizen claiming a counter's report gave there is theirs too.
        await session.execute(
            update(CounterFiling)
            .where(CounterFiling.report_id.in_(report_ids))
            .values(citizen_name=None, citizen_phone=None)
            .execution_options(synchronize_session=False)
        )
    if user_id is not None:
        # A citizen's own actions (an addition that answers a hold, a dispute) are audited
        # without a chat; staff actions always name theirs, and stay as they are.
        await session.execute(
            update(AuditEntry)
            .where(AuditEntry.actor_user_id == user_id, AuditEntry.chat_id.is_(None))
            .values(actor_user_id=None)
            .execution_options(synchronize_session=False)
        )
    await _unlink_outbox(session, reporter.id, chat_id, report_ids, now)
    await _scrub_texts(session, report_ids, scrub)
    if chat_id is not None:
        await session.execute(
            update(HandledUpdate)
            .where(HandledUpdate.chat_id == chat_id)
            .values(chat_id=None, replies=None, replies_sent=True)
            .execution_options(synchronize_session=False)
        )
    await drafts.discard(session, reporter)
    await followers.forget(session, reporter.id)
    _empty(reporter, now)
    audit.record(
        session,
        at=now,
        actor_user_id=None,
        chat_id=None,
        action=ERASED_ACTION,
        report_id=None,
        allowed=True,
        detail=f"reports={len(report_ids)}",
    )
    return report_ids


async def as_erased(
    session: AsyncSession, report_ids: Sequence[int]
) -> list[tuple[Report, CounterFiling | None]]:
    """The reports of an erased reporter as they now stand, each with its counter record
    (None for one filed elsewhere), read again past what the session held before erasing."""
    fresh = {"populate_existing": True}
    reports = await session.scalars(
        select(Report).where(Report.id.in_(report_ids)).order_by(Report.id), execution_options=fresh
    )
    filings = {
        filing.report_id: filing
        for filing in await session.scalars(
            select(CounterFiling).where(CounterFiling.report_id.in_(report_ids)),
            execution_options=fresh,
        )
    }
    return [(report, filings.get(report.id)) for report in reports]


async def _unlink_outbox(
    session: AsyncSession,
    reporter_id: int,
    chat_id: int | None,
    report_ids: list[int],
    now: datetime,
) -> None:
    """Messages for the citizen: close those not yet sent, forget where the rest went."""
    mine = (
        OutboxMessage.destination["kind"].as_string() == "citizen",
        OutboxMessage.destination["reporter_id"].as_integer() == reporter_id,
    )
    # Not sent after erasure: the person asked to be gone, and their chat is forgotten.
    await session.execute(
        update(OutboxMessage)
        .where(*mine, OutboxMessage.state == "pending")
        .values(
            state="unreachable",
            last_error=ERASED_ERROR,
            lease_owner=None,
            lease_until=None,
            available_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(OutboxMessage)
        .where(*mine)
        .values(destination={"kind": "citizen", "reporter_id": None}, chat_id=None, message_id=None)
        .execution_options(synchronize_session=False)
    )
    if chat_id is not None:
        await session.execute(delete(CitizenMessage).where(CitizenMessage.chat_id == chat_id))
    if chat_id is None or not report_ids:
        return
    # A file the citizen added was copied to the staff from their chat; once it is there,
    # the row need not say which chat it came from.
    copied = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.report_id.in_(report_ids),
            OutboxMessage.state != "pending",
            OutboxMessage.payload[("copy", "from_chat_id")].as_integer() == chat_id,
        )
    )
    for row in copied:
        row.payload = {**row.payload, "copy": None}


async def _scrub_texts(session: AsyncSession, report_ids: list[int], scrub: Scrub) -> None:
    """Rewrite the stored staff texts that name the person (sent or still to be sent).

    A card of theirs is rewritten whatever name it showed (Telegram names change); other
    texts, such as an answer to /laporan, are found by the name they have now.
    """
    text = OutboxMessage.payload["text"].as_string()
    found = [text.contains(needle, autoescape=True) for needle in scrub.needles]
    if report_ids:
        found.append(OutboxMessage.report_id.in_(report_ids) & (OutboxMessage.purpose == "card"))
    if not found:
        return
    for row in await session.scalars(select(OutboxMessage).where(or_(*found))):
        before = row.payload.get("text")
        if isinstance(before, str) and (after := scrub.rewrite(before)) != before:
            row.payload = {**row.payload, "text": after}


def _empty(reporter: Reporter, now: datetime) -> None:
    """Leave a tombstone no one can be found by; a new message starts with consent again."""
    reporter.telegram_user_id = None
    reporter.chat_id = None
    reporter.first_name = None
    reporter.last_name = None
    reporter.username = None
    reporter.context = "menu"
    reporter.context_report_id = None
    reporter.tries = 0
    reporter.unreachable_at = None
    # A bar's reason is staff text that may name the person; unlinked, the bar means nothing.
    reporter.barred_at = None
    reporter.barred_reason = None
    reporter.bar_noticed_at = None
    reporter.flood_started_at = None
    reporter.flood_count = 0
    reporter.long_text_at = None
    reporter.erased_at = now
