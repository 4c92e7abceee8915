"""A citizen and the reports they follow: "cek status" of one, and stopping following it."""

from __future__ import annotations

from bot.core.tracking import format_code
from bot.notify import follow_notices, notices
from handlers import home
from handlers.options import buttons, choices, listing, wrong_choice
from handlers.turn import Awaiting, Flow, Turn
from storage import counter as counter_store
from storage import followers as follower_store
from storage import reports
from storage.models import Report

STOP = ((True, "option.berhenti_pantau"), (False, "option.tetap_pantau"))


async def show_followed(turn: Turn, code: int) -> bool:
    """Where a report the citizen follows stands, then whether to stop; False when they do
    not follow a report of that code."""
    report = await follower_store.followed(turn.session, turn.reporter.id, code)
    if report is None:
        return False
    line = follow_notices.follower_line(turn.services, report)
    turn.say(line.key, **line.params)
    turn.go(Awaiting.FOLLOWING)
    turn.reporter.context_report_id = report.id
    _ask(turn, report)
    return True


def _ask(turn: Turn, report: Report) -> None:
    turn.ask(
        "follow.ask_stop",
        buttons(STOP),
        options=listing(STOP),
        code=format_code(report.code),
    )


async def _followed(turn: Turn) -> Report | None:
    """The followed report the question is about, while the citizen still follows it."""
    report = await reports.get(turn.session, turn.reporter.context_report_id)
    if report is None:
        return None
    following = await follower_store.is_following(turn.session, report, turn.reporter.id)
    return report if following else None


async def ask(turn: Turn) -> None:
    """Ask again whether to stop following."""
    report = await _followed(turn)
    if report is None:
        home.show(turn)
    else:
        _ask(turn, report)


async def answer(turn: Turn) -> None:
    """Stop following on yes; keep following on no; the menu after either."""
    report = await _followed(turn)
    if report is None:
        home.show(turn)
        return
    stop = turn.pick(choices(turn.services.locales, STOP))
    if stop is None:
        key, params = wrong_choice(len(STOP))
        turn.problem(key, **params)
        _ask(turn, report)
        return
    turn.solved()
    code = format_code(report.code)
    if stop:
        await follower_store.unfollow(turn.session, report, turn.reporter.id)
        turn.say("follow.stopped", code=code)
        reporter = await reports.reporter_of(turn.session, report)
        walk_in = await counter_store.walk_in_of(turn.session, report)
        notices.refresh_card(
            turn.session, turn.services, report, reporter, walk_in=walk_in, now=turn.now
        )
        turn.delivered()
    else:
        turn.say("follow.kept", code=code)
    home.show(turn)


FLOW = Flow(ask=ask, answer=answer, back=home.back, cancel=home.back, help=lambda _: "help.follow")
