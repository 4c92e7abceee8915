"""Applying a transition: check it, change the report, record it, audit it, notify everyone,
all in the caller's one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import queues
from bot.core.agencies import Agency
from bot.core.deadlines import deadline_for
from bot.core.intake.cleaning import readable
from bot.core.lifecycle import ActorKind, Status
from bot.core.transitions import (
    LEVEL_ACTIONS,
    NEEDS_AGENCY,
    NEEDS_TEXT,
    Action,
    Refusal,
    Role,
    TransitionRefused,
    check,
)
from bot.core.units import level_target
from bot.notify import agency_pushes, follow_notices, notices
from bot.services import Services
from bot.workflow import unit_turns
from storage import audit
from storage import counter as counter_store
from storage import followers as follower_store
from storage import reports as report_store
from storage.models import Report, TimelineEvent


@dataclass(frozen=True)
class Actor:
    """Who acts, in which role, from which chat; the name only appears on the staff side."""

    role: Role
    user_id: int | None = None
    chat_id: int | None = None
    name: str | None = None
    # Set for a system acting through the API ("api:<token id>"), so the audit log says so.
    via: str | None = None

    @property
    def kind(self) -> ActorKind:
        """The timeline's kind of actor."""
        match self.role:
            case Role.CITIZEN:
                return ActorKind.CITIZEN
            case Role.SYSTEM:
                return ActorKind.SYSTEM
        return ActorKind.STAFF


def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    report: Report | None,
    *,
    now: datetime,
    refused: str | None = None,
) -> None:
    """Audit a staff action; `refused` gives the reason when it was not allowed."""
    audit.record(
        session,
        at=now,
        actor_user_id=actor.user_id,
        chat_id=actor.chat_id,
        action=action,
        report_id=report.id if report else None,
        allowed=refused is None,
        detail=" ".join(part for part in (refused, actor.via) if part) or None,
    )


def refuse(
    session: AsyncSession,
    actor: Actor,
    action: str,
    report: Report | None,
    *,
    reason: str,
    now: datetime,
) -> None:
    """Audit a refused action; the caller commits and tells the person why."""
    record(session, actor, action, report, now=now, refused=reason)


def note_entry(
    session: AsyncSession,
    report: Report,
    actor: Actor,
    *,
    now: datetime,
    public_text: str | None = None,
    internal_note: str | None = None,
) -> TimelineEvent:
    """A timeline entry that changes no status: a relayed reply, an addition, a note."""
    public_text, internal_note = readable(public_text), readable(internal_note)
    event = TimelineEvent(
        report_id=report.id,
        at=now,
        actor=actor.kind,
        actor_user_id=actor.user_id,
        from_status=report.status,
        to_status=report.status,
        public_text=public_text,
        internal_note=internal_note,
    )
    session.add(event)
    # A reply or an addition is a change too, for those who ask what changed since.
    report.updated_at = now
    return event


async def apply(
    session: AsyncSession,
    services: Services,
    report: Report,
    action: Action,
    actor: Actor,
    *,
    now: datetime,
    text: str | None = None,
    note: str | None = None,
    agency: str | None = None,
    announced: bool = False,
) -> TimelineEvent:
    """Move the report by `action`, or raise TransitionRefused having changed nothing but
    the audit log. Texts are cleaned as every channel's (bot/core/intake/cleaning.py).

    `announced`: the caller tells of the change itself where the actor is (an alert, an
    answer to a command, the citizen's addition under the card), so the staff side gets no
    note of it beside the card's edit (bot.notify.notices.transition).
    """
    text, note = readable(text), readable(note)
    try:
        if report.closed_at is not None:
            raise TransitionRefused(Refusal.CLOSED)
        target = check(action, report.status, actor.role, answerable=report.reporter_id is not None)
        if action in NEEDS_TEXT and not text:
            raise TransitionRefused(Refusal.NEEDS_TEXT)
        if action in NEEDS_AGENCY and (agency is None or services.directory.unit(agency) is None):
            raise TransitionRefused(Refusal.NEEDS_AGENCY)
        if action in LEVEL_ACTIONS:
            agency = _level_target(services, report, action, expected=agency)
    except TransitionRefused as refused:
        refuse(session, actor, action.value, report, reason=refused.reason.value, now=now)
        raise

    source = report.status
    source_queue = queues.queue_of(report)
    source_unit = report.agency
    if agency is not None:
        report.agency = agency
        # A unit given the report between levels has its own limits, from now; one the
        # verifiers forward to counts as before, from the filing.
        report.unit_since = now if action in LEVEL_ACTIONS else None
    report.status = target
    report.updated_at = now
    report.deadline_at = deadline_for(
        target,
        calendar=services.calendar,
        now=now,
        submitted_at=report.unit_since or report.created_at,
        agency=_unit(services, report.agency),
        hold_days=services.settings.hold_expiry_working_days,
    )
    report.reminded_at = None
    report.escalated_at = None
    _keep_facts(services, report, source, target, now, anew=action in LEVEL_ACTIONS)
    await unit_turns.keep(session, report, action, source=source, source_unit=source_unit, now=now)
    event = TimelineEvent(
        report_id=report.id,
        at=now,
        actor=actor.kind,
        actor_user_id=actor.user_id,
        from_status=source,
        to_status=target,
        public_text=text,
        internal_note=note,
    )
    session.add(event)
    record(session, actor, action.value, report, now=now)
    reporter = await report_store.reporter_of(session, report)
    attachments = list(await report_store.attachments_of(session, report.id))
    notices.transition(
        session,
        services,
        report,
        reporter=reporter,
        event=event,
        source_queue=source_queue,
        attachments=attachments,
        actor_name=actor.name,
        walk_in=await counter_store.walk_in_of(session, report),
        announced=announced,
    )
    if report.followers:
        followers = await follower_store.of_report(session, report.id)
        follow_notices.transition(session, services, report, event, followers)
    agency_pushes.changed(session, services, report, event, source_queue=source_queue)
    if target is Status.SELESAI and reporter is not None:
        notices.ask_rating(session, services, report, reporter, now)
    return event


def _level_target(
    services: Services, report: Report, action: Action, *, expected: str | None
) -> str:
    """The unit above or below the one that has the report. `expected` is the one a card's
    button named: a button drawn before the report moved is refused, not applied again."""
    target = level_target(services.directory, report, action)
    if target is None:
        raise TransitionRefused(Refusal.NO_LOWER if action is Action.LOWER else Refusal.NO_HIGHER)
    if expected is not None and expected != target:
        raise TransitionRefused(Refusal.WRONG_STATUS)
    return target


def _unit(services: Services, key: str) -> Agency:
    """The agency or office a report is with (its limits); the fallback agency's when the
    files no longer name it (an office of an areas file since changed)."""
    directory = services.directory
    return directory.unit(key) or directory.agencies[directory.city.fallback_agency]


def _keep_facts(
    services: Services,
    report: Report,
    source: Status,
    target: Status,
    now: datetime,
    *,
    anew: bool = False,
) -> None:
    """The facts statistics count, kept as the report moves (bot/stats/figures.py says how
    they are judged): a new forwarding starts a new first-response clock, whose limit is
    the deadline just set; the first move out of DITERUSKAN after it is the response. A
    report passed to another agency while still unanswered keeps its clock, under the
    limit of the agency that has it now; one passed between levels (`anew`) starts a new
    clock, the new unit's (the unit before keeps its own in its turn, bot/workflow/
    unit_turns.py)."""
    if target is Status.DITERUSKAN and (source is not Status.DITERUSKAN or anew):
        report.forwarded_at = now
        report.response_due_at = report.deadline_at
        report.responded_at = None
    elif target is Status.DITERUSKAN and report.forwarded_at is not None:
        days = _unit(services, report.agency).first_response_days
        report.response_due_at = services.calendar.add_working_days(report.forwarded_at, days)
    elif (
        source is Status.DITERUSKAN
        and report.forwarded_at is not None
        and report.responded_at is None
    ):
        report.responded_at = now
    if target is Status.SELESAI:
        report.done_at = now
