"""Pushes to agencies' own systems: every change to a report in an agency's queue, written
to the outbox in the same transaction as the change (sent by bot/delivery/webhooks.py).

A push carries the report as the agency sees it, without the reporter's identity: that
stays behind the authenticated API, asked for only when needed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.outgoing import AgencySystem, AgencyWebhook, Outgoing
from bot.core.queues import queue_of
from bot.core.tracking import format_code
from bot.notify.agency_views import report_view, timeline_entry
from bot.services import Services
from storage import outbox
from storage.models import Report, TimelineEvent

# The report arrived in the agency's queue (forwarded or reassigned to it).
ASSIGNED = "report.assigned"
# It changed while in the queue: a status, a reply, a citizen's addition.
UPDATED = "report.updated"
# It left the queue (handed back, reassigned elsewhere); only its code is sent.
WITHDRAWN = "report.withdrawn"


def changed(
    session: AsyncSession,
    services: Services,
    report: Report,
    event: TimelineEvent,
    *,
    source_queue: str,
) -> None:
    """Push a change to the agency whose queue the report is in, and to the one it left."""
    queue = queue_of(report)
    change = timeline_entry(services, event)
    if queue != source_queue:
        _push(
            session,
            services,
            source_queue,
            report,
            {"event": WITHDRAWN, "report": {"code": format_code(report.code)}, "change": change},
        )
    _push(
        session,
        services,
        queue,
        report,
        {
            "event": ASSIGNED if queue != source_queue else UPDATED,
            "report": report_view(services, report),
            "change": change,
        },
    )
    if queue != source_queue:
        _send(session, services, queue, report, event)


def _send(
    session: AsyncSession, services: Services, queue: str, report: Report, event: TimelineEvent
) -> None:
    """A report arriving in the queue of an agency with its own Open311 system goes there
    as a service request (bot/delivery/open311_send.py), once per arrival."""
    agency = services.directory.agencies.get(queue)
    if agency is None or "open311" not in agency.send_methods:
        return
    outbox.enqueue(
        session,
        AgencySystem(agency.key, "open311"),
        Outgoing(
            document={
                "event": ASSIGNED,
                # The Idempotency-Key of the POST: the same for every retry of this arrival.
                "key": f"lapor-{report.code}-{event.at.timestamp():.6f}",
                "id": report.id,
                "report": report_view(services, report),
            }
        ),
        purpose="send",
        now=report.updated_at,
        report_id=report.id,
    )


def _push(
    session: AsyncSession, services: Services, queue: str, report: Report, body: dict[str, Any]
) -> None:
    agency = services.directory.agencies.get(queue)
    if agency is None or agency.webhook_url is None:
        return
    outbox.enqueue(
        session,
        AgencyWebhook(agency.key),
        Outgoing(document={**body, "agency": agency.key}),
        purpose="push",
        now=report.updated_at,
        report_id=report.id,
    )
