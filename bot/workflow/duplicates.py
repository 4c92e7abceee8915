"""Joining a duplicate to the report it repeats, in the caller's one unit of work.

The duplicate is archived (DIARSIPKAN: it is not handled on its own, and stays closed) with
the code of the report it joined, so its status reads "Digabung dengan laporan 726-4185"
to its citizen and on its card. Its citizen and its followers follow the other report from
then on: each is told where it stands now, and gets its notices as it moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.transitions import Action, TransitionRefused
from bot.notify import follow_notices, notices
from bot.services import Services
from bot.workflow.changes import Actor, apply, refuse
from storage import counter as counter_store
from storage import followers as follower_store
from storage import reports as report_store
from storage.models import Report, Reporter


class NotJoinable(Exception):
    """The two reports cannot be joined: `reason` is "same" (one report twice) or
    "kept_closed" (the report to keep is closed, so following it would tell nothing)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Joined:
    """What joining did: how many citizens now follow the kept report for it."""

    moved: int


async def join(
    session: AsyncSession,
    services: Services,
    duplicate: Report,
    kept: Report,
    actor: Actor,
    *,
    now: datetime,
    text: str | None = None,
) -> Joined:
    """Archive `duplicate` as joined to `kept`; its citizen and followers follow `kept`.

    Raises NotJoinable, or TransitionRefused (the duplicate's status, the actor's role),
    with nothing changed but the audit log.
    """
    action = Action.DUPLICATE.value
    if duplicate.id == kept.id:
        refuse(session, actor, action, duplicate, reason="same_report", now=now)
        raise NotJoinable("same")
    if not kept.status.is_open or kept.closed_at is not None:
        refuse(session, actor, action, duplicate, reason="kept_closed", now=now)
        raise NotJoinable("kept_closed")
    # Set first: the notices written by the transition name the report it joined.
    duplicate.duplicate_of = kept.code
    try:
        await apply(
            session,
            services,
            duplicate,
            Action.DUPLICATE,
            actor,
            now=now,
            text=text,
            announced=True,
        )
    except TransitionRefused:
        duplicate.duplicate_of = None
        raise
    moved = await follower_store.move(session, duplicate, kept, now=now)
    followers = [
        follower
        for reporter_id in moved
        if (follower := await session.get(Reporter, reporter_id)) is not None
    ]
    follow_notices.now_following(session, services, kept, followers, now=now)
    if moved:
        reporter = await report_store.reporter_of(session, kept)
        walk_in = await counter_store.walk_in_of(session, kept)
        notices.refresh_card(session, services, kept, reporter, walk_in=walk_in, now=now)
    return Joined(len(moved))
