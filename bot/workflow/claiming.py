"""Claiming a counter's report by its code and PIN, and giving a counter a new PIN.

Whoever types the code and the PIN of a report filed at a counter becomes its citizen:
the report links their reporter row, so its notices, a hold's question and the rating
reach them like those of a report they filed themselves. Every attempt is audited with
the person's Telegram id (erased with the rest of their data on /hapusdata); refused ones
are counted twice over, on the PIN (locked after MAX_WRONG wrong tries) and on the person
(CLAIMS_PER_DAY refusals a day), so guessing stays hopeless.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.claims import ClaimAttempt, Verdict, burn, hash_pin, judge, new_pin
from bot.notify import counter_notices, notices
from bot.services import Services
from storage import audit
from storage import counter as counter_store
from storage.models import CounterFiling, Report, Reporter

# Refused claims a person may make in CLAIM_WINDOW; past that, claims are not even checked.
CLAIMS_PER_DAY = 10
CLAIM_WINDOW = timedelta(hours=24)
PIN_ACTION = "counter_pin"


@dataclass(frozen=True)
class Claimed:
    """What a claim came to; `report` is the report when it is (now) the claimant's."""

    verdict: Verdict
    report: Report | None = None
    # The claimant typed the PIN of a report already theirs: nothing to count.
    already_theirs: bool = False


def _audit(
    session: AsyncSession,
    verdict: Verdict,
    *,
    user_id: int,
    report: Report | None,
    now: datetime,
) -> None:
    # Without a chat, like a citizen's own actions: /hapusdata then erases the user id too.
    audit.record(
        session,
        at=now,
        actor_user_id=user_id,
        chat_id=None,
        action=counter_store.CLAIM_ACTION,
        report_id=report.id if report is not None else None,
        allowed=verdict is Verdict.CLAIMED,
        detail=verdict.value,
    )


async def claim(
    session: AsyncSession,
    services: Services,
    reporter: Reporter,
    attempt: ClaimAttempt | str,
    *,
    user_id: int,
    now: datetime,
) -> Claimed:
    """Check a code and PIN and, when right, make the report the claimant's; all audited.

    A PIN alone (a str) answers a code that no report has: refused as wrong, in the same
    time and with the same count as a wrong PIN.
    """
    refused = await counter_store.failed_claims_since(session, user_id, now - CLAIM_WINDOW)
    if refused >= CLAIMS_PER_DAY:
        _audit(session, Verdict.LIMITED, user_id=user_id, report=None, now=now)
        return Claimed(Verdict.LIMITED)
    pin = attempt if isinstance(attempt, str) else attempt.pin
    found = None
    if isinstance(attempt, ClaimAttempt):
        found = await counter_store.filing_by_code(session, attempt.code)
    if found is None:
        # As slow as a real check (scrypt runs off the event loop), so no code's existence
        # shows in the time the answer takes.
        await asyncio.to_thread(burn, pin)
        _audit(session, Verdict.WRONG, user_id=user_id, report=None, now=now)
        return Claimed(Verdict.WRONG)
    report, filing = found
    verdict = await asyncio.to_thread(
        judge,
        pin,
        stored=filing.pin_hash,
        used=filing.claimed_at is not None,
        wrong_tries=filing.pin_wrong_tries,
    )
    if verdict is Verdict.USED and report.reporter_id == reporter.id:
        return Claimed(Verdict.USED, report, already_theirs=True)
    if verdict is Verdict.CLAIMED and not await counter_store.mark_claimed(session, filing, now):
        verdict = Verdict.USED  # a claim racing this one spent the PIN first
    _audit(session, verdict, user_id=user_id, report=report, now=now)
    if verdict is Verdict.WRONG:
        await counter_store.count_wrong_try(session, filing)
    if verdict is not Verdict.CLAIMED:
        return Claimed(verdict)
    report.reporter_id = reporter.id
    counter_notices.claimed(session, services, report, filing, now)
    # The card says the citizen follows it in Telegram now.
    notices.refresh_card(session, services, report, reporter, walk_in=filing, now=now)
    return Claimed(verdict, report)


@dataclass(frozen=True)
class NewPin:
    """A fresh PIN for a counter's unclaimed report, to print on a new receipt."""

    report: Report
    filing: CounterFiling
    pin: str


async def reissue(
    session: AsyncSession,
    report: Report,
    filing: CounterFiling,
    *,
    officer_user_id: int,
    chat_id: int,
    now: datetime,
) -> NewPin | None:
    """Replace the PIN of a report no one has claimed (None once claimed); audited."""
    if filing.claimed_at is not None:
        return None
    pin = new_pin()
    pin_hash = await asyncio.to_thread(hash_pin, pin)
    counter_store.new_pin(filing, pin_hash, now)
    audit.record(
        session,
        at=now,
        actor_user_id=officer_user_id,
        chat_id=chat_id,
        action=PIN_ACTION,
        report_id=report.id,
        allowed=True,
        detail=f"counter:{filing.counter}",
    )
    return NewPin(report, filing, pin)
