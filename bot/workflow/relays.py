"""Messages crossing between a citizen and the staff about one report."""

from __future__ import annotations

from datetime import datetime
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import queues
from bot.core.intake.answers import FileRef
from bot.core.intake.cleaning import readable
from bot.core.lifecycle import Status
from bot.core.outgoing import CitizenChat, Copy, Outgoing, StaffQueue, lane_of
from bot.core.tracking import format_code
from bot.core.transitions import Action
from bot.notify import agency_pushes
from bot.services import Services
from bot.workflow.changes import Actor, apply, note_entry, record
from bot.workflow.filing import as_attachment
from storage import outbox
from storage import reports as report_store
from storage.models import Report, Reporter


class Unreadable(Exception):
    """A reply with nothing a person could see (blanks, zero-width characters): not sent,
    and it moves nothing."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.code)


class NoReporter(Exception):
    """The report has nobody to answer: their data was erased, or it came without a person.

    `reason` names which, as the refusal key staff are told (staff.refused.<reason>).
    """

    def __init__(self, report: Report) -> None:
        super().__init__(report.code)
        # Reports filed in the chat had a person until /hapusdata; others (Open311) never.
        self.reason = {
            "telegram": "no_reporter",
            # Until its citizen claims it, a counter's report reaches them through the counter.
            "counter": "counter_unclaimed",
        }.get(report.channel, "other_channel")


def answering_agency(services: Services, report: Report) -> str:
    """The name a reply goes out under: the agency handling it, else the verifiers'."""
    directory = services.directory
    if report.status in (Status.DITERUSKAN, Status.DITINDAKLANJUTI, Status.SELESAI):
        unit = directory.unit(report.agency)
        if unit is not None:
            return unit.name
    return directory.agencies[directory.city.fallback_agency].name


def relayed_text(services: Services, report: Report, reporter: Reporter, text: str | None) -> str:
    """A staff reply as the citizen reads it: "Balasan dari {instansi} untuk laporan ...:"."""
    t = services.locales.get(reporter.locale)
    header = t(
        "relay.header", agency=answering_agency(services, report), code=format_code(report.code)
    )
    return f"{header}\n{text}" if text else header


def staff_reply(
    session: AsyncSession,
    services: Services,
    report: Report,
    reporter: Reporter,
    *,
    text: str | None,
    copy: Copy | None,
    actor: Actor,
    now: datetime,
) -> None:
    """Relay a staff reply as coming from the agency, never from a person."""
    citizen = CitizenChat(reporter.id)
    if copy is None:
        outbox.enqueue(
            session,
            citizen,
            Outgoing(text=relayed_text(services, report, reporter, text)),
            purpose="relay",
            now=now,
            report_id=report.id,
        )
    else:
        header = relayed_text(services, report, reporter, None)
        outbox.enqueue(
            session, citizen, Outgoing(text=header), purpose="relay", now=now, report_id=report.id
        )
        outbox.enqueue(
            session, citizen, Outgoing(copy=copy), purpose="relay", now=now, report_id=report.id
        )
    event = note_entry(session, report, actor, now=now, public_text=text)
    agency_pushes.changed(session, services, report, event, source_queue=queues.queue_of(report))


async def agency_reply(
    session: AsyncSession,
    services: Services,
    report: Report,
    *,
    text: str | None,
    copy: Copy | None,
    actor: Actor,
    now: datetime,
    in_topic: bool = False,
) -> Reporter:
    """An agency answers the citizen (from the staff group or the API): relayed, audited,
    and a forwarded report's first answer marks it in progress. Returns the citizen.

    `in_topic`: the answer was written as a reply in the report's topic, where the staff see
    it; the card shows the follow-up it started, with no note of its own. From elsewhere
    (the agency's system) the topic gets the note.

    Raises NoReporter, Unreadable (a text of nothing visible and no file), or
    TransitionRefused from that first step.
    """
    text = readable(text)
    if text is None and copy is None:
        raise Unreadable(report)
    reporter = await report_store.reporter_of(session, report)
    if reporter is None:
        raise NoReporter(report)
    staff_reply(session, services, report, reporter, text=text, copy=copy, actor=actor, now=now)
    record(session, actor, "reply", report, now=now)
    if report.status is Status.DITERUSKAN:
        await apply(session, services, report, Action.START, actor, now=now, announced=in_topic)
    return reporter


async def citizen_addition(
    session: AsyncSession,
    services: Services,
    report: Report,
    *,
    text: str | None,
    copy: Copy | None,
    citizen: Actor,
    now: datetime,
    file: FileRef | None = None,
) -> None:
    """Put what the citizen added under the report's card, where its queue is now.

    A file (`file`, sent as `copy`) is kept as one of the report's attachments, like those
    sent while filing, so it follows the report to another queue.
    """
    t = services.locales.get(services.settings.bot_locale)
    lines = [t("relay.addition", code=format_code(report.code))]
    if file is not None:
        await report_store.add_attachment(session, report, as_attachment(file, "attachment"))
        if file.kind == "voice":
            lines.append(t("staff.voice_note", seconds=file.duration or 0))
    if text:
        lines.append(text)
    queue = StaffQueue(queues.queue_of(report), lane=lane_of(report.client_id))
    body = "\n".join(escape(line) for line in lines)
    outbox.enqueue(
        session,
        queue,
        Outgoing(text=body, html=True, under_card=True, link="addition"),
        purpose="addition",
        now=now,
        report_id=report.id,
    )
    if copy is not None:
        outbox.enqueue(
            session,
            queue,
            Outgoing(copy=copy, under_card=True, link="addition"),
            purpose="addition",
            now=now,
            report_id=report.id,
        )
    event = note_entry(session, report, citizen, now=now, public_text=text)
    agency_pushes.changed(session, services, report, event, source_queue=queue.key)
