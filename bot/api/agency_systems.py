"""Reading back from agencies' own Open311 systems: the updates to the requests we sent
there reach the citizen like any agency reply and move the report.

Each agency with an `open311` system is asked for its servicerequestupdates (FixMyStreet's
extension) since the last look; a system without them (404) is asked for its requests by
id instead (GET requests), and a change of their status read as an update. Each update is
applied once (its id is kept), in its own unit of work:

- a note, whatever the status: relayed to the citizen as the agency's reply (which starts
  the follow-up);
- in progress, action scheduled (a lapor-bot's DITINDAKLANJUTI): in progress
  (tindaklanjuti);
- fixed, closed (SELESAI): done (selesai), the note told to the citizen;
- not the council's, no further action, duplicate, referred (BUKAN_WEWENANG,
  DIARSIPKAN): handed back to the verifiers (kembalikan) with the note;
- open, investigating (MENUNGGU_VERIFIKASI, DITUNDA, DITERUSKAN): no change of status.

A lapor-bot as the agency's system tells its open statuses in public catalogue words, not
a person's: those are not relayed; its hold's question (DITUNDA) is, as a reply.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.intake.cleaning import clean, visible
from bot.core.lifecycle import Status
from bot.core.transitions import Action, Role, TransitionRefused
from bot.delivery.open311_client import Endpoint, Open311Client, Open311Error, text
from bot.delivery.open311_send import METHOD, endpoint_of
from bot.services import Services
from bot.workflow import changes, relays
from storage import agency_requests
from storage.models import Report

log = logging.getLogger(__name__)

# A first look reads back this far; later looks overlap the last by a little, for clocks
# that differ (an update seen twice is applied once).
FIRST_LOOK = timedelta(days=1)
OVERLAP = timedelta(minutes=5)
SPAN = timedelta(days=90)
# Room for "Balasan dari {instansi} untuk laporan ...:" within Telegram's 4,096 characters.
NOTE_MAX = 3500
IN_PROGRESS = frozenset({"in_progress", "action_scheduled", "ditindaklanjuti"})
DONE = frozenset({"fixed", "closed", "selesai"})
NOT_OURS = frozenset(
    {
        "not_councils_responsibility",
        "no_further_action",
        "duplicate",
        "internal_referral",
        "bukan_wewenang",
        "diarsipkan",
    }
)
# What the lapor-bot statuses tell (external_status_code), when a lapor-bot is the system.
LAPOR_STATUSES = {status.value.casefold() for status in Status}


def clean_or_none(value: object) -> str | None:
    """A note from the system, cleaned as every channel's text; None when nothing shows."""
    if not isinstance(value, str):
        return None
    cleaned = clean(value)
    return cleaned[:NOTE_MAX] if visible(cleaned) else None


def status_word(update: Mapping[str, Any]) -> str:
    """The update's status in lower case, lapor-bot's own status when it gives one."""
    external = text(update.get("external_status_code"))
    if external and external.casefold() in LAPOR_STATUSES:
        return external.casefold()
    return (text(update.get("status")) or "").casefold().replace(" ", "_")


async def poll_all(services: Services, client: Open311Client) -> int:
    """One look at every agency's Open311 system; the number of updates applied."""
    applied = 0
    for agency in services.directory.agencies.values():
        endpoint = endpoint_of(services, agency.key)
        if endpoint is None:
            continue
        try:
            applied += await poll(services, client, agency.key, endpoint)
        except Open311Error as error:
            log.warning("open311: reading %s's system failed: %s", agency.key, error.detail)
    return applied


async def poll(services: Services, client: Open311Client, agency: str, endpoint: Endpoint) -> int:
    """Read one agency's system since the last look and apply what is new."""
    now = services.clock()
    async with services.sessionmaker() as session:
        last = await agency_requests.polled_until(session, agency)
    start = (last - OVERLAP) if last is not None else now - FIRST_LOOK
    start = max(start, now - SPAN + OVERLAP)
    try:
        updates = await client.updates(endpoint, start, now)
    except Open311Error as error:
        if error.status not in (400, 404, 405, 501):
            raise
        updates = await _status_changes(services, client, agency, endpoint)
    applied = 0
    for update in updates:
        if await _apply(services, agency, update):
            applied += 1
    async with services.sessionmaker.begin() as session:
        await agency_requests.note_polled(session, agency, now)
    return applied


async def _status_changes(
    services: Services, client: Open311Client, agency: str, endpoint: Endpoint
) -> list[dict[str, Any]]:
    """For a system without servicerequestupdates: its requests' statuses, as updates
    whenever one differs from what was last read."""
    async with services.sessionmaker() as session:
        known = await agency_requests.open_requests(session, agency)
    by_id = {row.external_id: row for row in known if row.external_id}
    if not by_id:
        return []
    found = await client.requests(endpoint, sorted(by_id))
    updates: list[dict[str, Any]] = []
    for request in found:
        external = text(request.get("service_request_id"))
        status = text(request.get("status"))
        row = by_id.get(external or "")
        if row is None or not status:
            continue
        notes = request.get("status_notes") if isinstance(request.get("status_notes"), str) else ""
        updated = text(request.get("updated_datetime")) or ""
        updates.append(
            {
                "update_id": f"{external}@{updated}:{status}",
                "service_request_id": external,
                "status": status,
                "description": notes,
                "_last_status": row.last_status,
            }
        )
    return [u for u in updates if u["_last_status"] != u["status"]]


async def _apply(services: Services, agency_key: str, update: Mapping[str, Any]) -> bool:
    """Apply one update, once; False when it was seen before or is not about our reports."""
    update_id = text(update.get("update_id"))
    external = text(update.get("service_request_id"))
    if not update_id or not external:
        return False
    agency = services.directory.agencies[agency_key]
    now = services.clock()
    word = status_word(update)
    note = clean_or_none(update.get("description"))
    if word in LAPOR_STATUSES and word != Status.DITUNDA.value.casefold() and word not in DONE:
        # A lapor-bot tells an open status in its public words: news of no one's writing.
        note = None if word not in NOT_OURS else note
    async with services.sessionmaker.begin() as session:
        found = await agency_requests.report_for(session, agency_key, external)
        if found is None:
            return False
        row, report = found
        if not await agency_requests.first_sight(session, agency_key, update_id, now):
            return False
        if isinstance(update.get("status"), str):
            row.last_status = str(update["status"])[:32]
        if report.agency != agency_key or report.status not in (
            Status.DITERUSKAN,
            Status.DITINDAKLANJUTI,
        ):
            # The report left this agency's queue here meanwhile: its news stays there.
            return True
        actor = changes.Actor(Role.STAFF, name=agency.short_name, via=f"{METHOD}:{agency_key}")
        await _move(session, services, report, word=word, note=note, actor=actor, now=now)
    return True


async def _move(
    session: AsyncSession,
    services: Services,
    report: Report,
    *,
    word: str,
    note: str | None,
    actor: changes.Actor,
    now: datetime,
) -> None:
    """What one update does to the report (the table in the module's docstring)."""
    try:
        if word in DONE:
            if report.status is Status.DITERUSKAN:
                await changes.apply(session, services, report, Action.START, actor, now=now)
            await changes.apply(
                session, services, report, Action.COMPLETE, actor, now=now, text=note
            )
        elif word in NOT_OURS:
            await changes.apply(
                session, services, report, Action.HAND_BACK, actor, now=now, text=note
            )
        elif note:
            try:
                await relays.agency_reply(
                    session, services, report, text=note, copy=None, actor=actor, now=now
                )
            except relays.NoReporter:
                if word in IN_PROGRESS and report.status is Status.DITERUSKAN:
                    await changes.apply(session, services, report, Action.START, actor, now=now)
            if word in IN_PROGRESS and report.status is Status.DITERUSKAN:
                await changes.apply(session, services, report, Action.START, actor, now=now)
        elif word in IN_PROGRESS and report.status is Status.DITERUSKAN:
            await changes.apply(session, services, report, Action.START, actor, now=now)
    except TransitionRefused as refused:
        # Already so here (a staff member acted first): the update is noted, not applied.
        log.info(
            "open311: update for report %s not applied (%s)", report.code, refused.reason.value
        )
