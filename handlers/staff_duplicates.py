"""Joining a duplicate to the report it repeats: "/duplikat 111-2223 726-4185".

The first code is the duplicate, the second the report kept; words after them are told to
the duplicate's citizen as the officer's. Like archiving, it is the verifiers' ruling: only
administrators of the main staff group may do it (bot/core/transitions.py), on reports
their chat sees, and every attempt is audited.
"""

from __future__ import annotations

from bot.core.outgoing import Outgoing
from bot.core.tracking import format_code
from bot.core.transitions import Action, TransitionRefused
from bot.workflow import duplicates
from handlers.staff_access import StaffTurn
from handlers.staff_text import refusal_text

COMMANDS = (Action.DUPLICATE.value,)
# Why two reports were not joined (bot.workflow.duplicates.NotJoinable), as told to staff.
NOT_JOINED = {"same": "staff.duplikat.same", "kept_closed": "staff.duplikat.kept_closed"}


async def run(turn: StaffTurn, words: list[str]) -> Outgoing:
    """Join the first report named to the second; the answer for the staff."""
    t = turn.t
    command = Action.DUPLICATE.value
    duplicate = await turn.named_report(command, words)
    kept = await turn.named_report(command, words[1:]) if duplicate is not None else None
    if duplicate is None or kept is None:
        return Outgoing(text=t("staff.usage.duplikat"))
    codes = {"code": format_code(duplicate.code), "other": format_code(kept.code)}
    try:
        joined = await duplicates.join(
            turn.session,
            turn.services,
            duplicate,
            kept,
            turn.actor,
            now=turn.now,
            text=" ".join(words[2:]) or None,
        )
    except duplicates.NotJoinable as refused:
        return Outgoing(text=t(NOT_JOINED[refused.reason], **codes))
    except TransitionRefused as refused:
        return Outgoing(text=refusal_text(turn.services, t, refused.reason.value, duplicate))
    return Outgoing(
        text=t("staff.duplikat.done", moved=joined.moved, count=kept.followers, **codes)
    )
