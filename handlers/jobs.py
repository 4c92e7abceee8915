"""The repeating jobs: each callback opens one unit of work and wakes the outbox after it."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram.ext import JobQueue

from bot.api.agency_systems import poll_all
from bot.delivery.open311_client import Open311Client
from bot.transport.context import LaporContext
from bot.workflow.deadline_watch import run_watch
from bot.workflow.draft_upkeep import run_upkeep
from handlers import redelivery
from storage import retention

log = logging.getLogger(__name__)

DRAFT_UPKEEP_EVERY = timedelta(minutes=10)
DEADLINE_WATCH_EVERY = timedelta(minutes=15)
PRUNE_HANDLED_EVERY = timedelta(hours=1)
OWED_SWEEP_EVERY = timedelta(seconds=5)
PRUNE_OUTBOX_EVERY = timedelta(hours=1)
# Rows deleted per unit of work: each batch is short, so the write lock and the event loop
# are free between batches even when a year of sent rows goes at the first run.
PRUNE_BATCH = 500


async def draft_upkeep(context: LaporContext) -> None:
    """Job: remind citizens of drafts about to expire, remove expired ones."""
    services = context.services
    async with services.sessionmaker.begin() as session:
        expired, reminded = await run_upkeep(session, services, services.clock())
    if expired:
        log.info("removed %d expired drafts", expired)
    if reminded:
        context.bot_data.wake_dispatcher()


async def watch_deadlines(context: LaporContext) -> None:
    """Job: one pass over the time limits, in one unit of work."""
    services = context.services
    async with services.sessionmaker.begin() as session:
        await run_watch(session, services, services.clock())
    context.bot_data.wake_dispatcher()


async def read_agency_systems(context: LaporContext) -> None:
    """Job: read agencies' own Open311 systems for updates to the reports sent there."""
    client = Open311Client()
    try:
        applied = await poll_all(context.services, client)
    finally:
        await client.close()
    if applied:
        context.bot_data.wake_dispatcher()


async def prune_outbox(context: LaporContext) -> None:
    """Job: delete sent outbox rows older than the retention, a batch at a time."""
    services = context.services
    before = services.clock() - timedelta(days=services.settings.outbox_retention_days)
    removed = 0
    while True:
        async with services.sessionmaker.begin() as session:
            batch = await retention.prune_sent(session, before, PRUNE_BATCH)
        removed += batch
        if batch < PRUNE_BATCH:
            break
        await asyncio.sleep(0)  # let waiting chats in between batches
    if removed:
        log.info("pruned %d sent outbox rows", removed)


def schedule(job_queue: JobQueue[LaporContext], *, agency_poll: timedelta | None = None) -> None:
    """Every repeating job, with how often it runs."""
    if agency_poll is not None:
        job_queue.run_repeating(read_agency_systems, interval=agency_poll, first=agency_poll)
    job_queue.run_repeating(draft_upkeep, interval=DRAFT_UPKEEP_EVERY, first=DRAFT_UPKEEP_EVERY)
    job_queue.run_repeating(
        watch_deadlines, interval=DEADLINE_WATCH_EVERY, first=DEADLINE_WATCH_EVERY
    )
    job_queue.run_repeating(
        redelivery.prune_handled, interval=PRUNE_HANDLED_EVERY, first=PRUNE_HANDLED_EVERY
    )
    job_queue.run_repeating(prune_outbox, interval=PRUNE_OUTBOX_EVERY, first=PRUNE_OUTBOX_EVERY)
    # First at once: a starting process sends what a dead one still owed.
    job_queue.run_repeating(redelivery.send_owed_replies, interval=OWED_SWEEP_EVERY, first=1.0)
