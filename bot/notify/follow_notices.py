"""What a change tells the citizens following a report that is not theirs.

A follower learns the new status in their own words ("the report you follow"), and what the
officers said with it, so an answer reaches them too. Not what is meant for the reporter
alone: a hold's question (only the reporter can answer it), the invitation to rate, and
the staff's replies in the chat. A confidential report's officer text stays with its
reporter, since it may repeat the content.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.lifecycle import ActorKind, Status
from bot.core.outgoing import CitizenChat, Outgoing
from bot.core.tracking import format_code
from bot.language.i18n import Msg
from bot.notify.status_text import status_label
from bot.services import Services
from storage import outbox
from storage.models import Report, Reporter, TimelineEvent

PURPOSE = "follow_notice"


def follower_line(services: Services, report: Report) -> Msg:
    """Code, status and what comes next, for a follower (ACCESSIBILITY.md rule 23)."""
    following = "follow.next.open" if report.status.is_open else "follow.next.closed"
    return Msg(
        "follow.notice",
        {
            "code": format_code(report.code),
            "label": status_label(services, report),
            "next": Msg(following),
        },
    )


def _officer_words(report: Report, event: TimelineEvent) -> str | None:
    if event.actor is not ActorKind.STAFF or report.confidential:
        return None
    if report.status is Status.DITUNDA:
        return None
    return event.public_text


def transition(
    session: AsyncSession,
    services: Services,
    report: Report,
    event: TimelineEvent,
    followers: Sequence[Reporter],
) -> None:
    """Tell each follower of the report's new status, in their language."""
    said = _officer_words(report, event)
    line = follower_line(services, report)
    for follower in followers:
        t = services.locales.get(follower.locale)
        text = t(line.key, **line.params)
        if said:
            text = "\n".join((text, t("notice.officer_says", text=said)))
        outbox.enqueue(
            session,
            CitizenChat(follower.id),
            Outgoing(text=text),
            purpose=PURPOSE,
            now=event.at,
            report_id=report.id,
        )


def now_following(
    session: AsyncSession,
    services: Services,
    report: Report,
    followers: Sequence[Reporter],
    *,
    now: datetime,
) -> None:
    """Tell citizens who were made followers (their report joined this one) where it
    stands now; from here on they get its notices."""
    line = follower_line(services, report)
    for follower in followers:
        if follower.erased_at is not None:
            continue
        t = services.locales.get(follower.locale)
        outbox.enqueue(
            session,
            CitizenChat(follower.id),
            Outgoing(text=t(line.key, **line.params)),
            purpose=PURPOSE,
            now=now,
            report_id=report.id,
        )
