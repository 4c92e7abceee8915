"""Units' turns kept as a report moves, so each unit's on-time share counts what it did.

A turn starts when a unit is given a report (forwarded by the verifiers, passed up or down
between levels, passed up by the deadline watch) and ends when the report leaves it. Its
response is the first move out of DITERUSKAN while it has the report (a reply or "tindak
lanjuti", handing it back) or passing it up or down itself: the unit acted. The deadline
watch passing it up marks the turn escalated: late, whatever came after.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.lifecycle import Status
from bot.core.transitions import Action
from storage import unit_turns
from storage.models import Report, UnitTurn

# Where a unit has a report and may still act on it.
WITH_UNIT = frozenset({Status.DITERUSKAN, Status.DITINDAKLANJUTI})
# A unit passing a report up or down itself has answered for it.
ACTED = frozenset({Action.RAISE, Action.LOWER})


async def keep(
    session: AsyncSession,
    report: Report,
    action: Action,
    *,
    source: Status,
    source_unit: str,
    now: datetime,
) -> None:
    """Record what `action` (already applied: status and unit are the new ones) means for
    the turns: a response, the end of one unit's turn, the start of another's."""
    target = report.status
    given = target is Status.DITERUSKAN and (
        source not in WITH_UNIT or report.agency != source_unit
    )
    responded = source is Status.DITERUSKAN and (target is not Status.DITERUSKAN or action in ACTED)
    leaves = given or (source in WITH_UNIT and target not in WITH_UNIT | {Status.SELESAI})
    turn: UnitTurn | None = None
    if (responded or leaves) and source in WITH_UNIT:
        turn = await unit_turns.current(session, report.id)
    if turn is not None and responded and turn.responded_at is None:
        turn.responded_at = now
    if turn is not None and leaves:
        turn.ended_at = now
        turn.escalated = action is Action.ESCALATE
    if given:
        unit_turns.start(session, report.id, report.agency, now=now, due=report.response_due_at)
