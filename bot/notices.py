"""What a change tells the citizen and the staff, rendered into outbox rows."""

from __future__ import annotations

from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards import card
from bot.dates import format_date
from bot.delivery.messages import CitizenChat, FileSend, Outgoing, StaffQueue, file_kind
from bot.i18n import Msg
from bot.lifecycle import Status
from bot.services import Services
from bot.tracking import format_code
from storage import outbox
from storage.models import Attachment, Report, Reporter, TimelineEvent

VERIFIKASI = "verifikasi"
ESKALASI = "eskalasi"


def queue_of(report: Report) -> str:
    """The staff queue a report's card lives in for its current status."""
    if report.status in (Status.DITERUSKAN, Status.DITINDAKLANJUTI):
        return report.agency
    return VERIFIKASI


def status_line(services: Services, report: Report, locale: str) -> Msg:
    """Code, status and next step in one sentence (ACCESSIBILITY.md rule 23)."""
    agency = services.directory.agencies.get(report.agency)
    next_params: dict[str, object] = {}
    if report.deadline_at is not None:
        local = services.calendar.local_date(report.deadline_at)
        next_params["deadline"] = format_date(local, locale)
    return Msg(
        "status.current",
        {
            "code": format_code(report.code),
            "label": Msg(report.status.label_key, {"agency": agency.name if agency else ""}),
            "next": Msg(report.status.next_step_key, next_params),
        },
    )


def new_report(
    session: AsyncSession,
    services: Services,
    report: Report,
    reporter: Reporter | None,
    attachments: list[Attachment],
) -> None:
    """A new report: its card in Verifikasi, its files right after it."""
    now = report.created_at
    message = card(services, report, reporter)
    outbox.enqueue(
        session, StaffQueue(VERIFIKASI), message, purpose="card", now=now, report_id=report.id
    )
    _files(session, report, attachments, StaffQueue(VERIFIKASI))


def _files(
    session: AsyncSession, report: Report, attachments: list[Attachment], queue: StaffQueue
) -> None:
    for attachment in attachments:
        outbox.enqueue(
            session,
            queue,
            Outgoing(
                file=FileSend(file_kind(attachment.kind), attachment.file_id),
                text=f"#{format_code(report.code)}",
                under_card=True,
            ),
            purpose="attachment",
            now=report.updated_at,
            report_id=report.id,
        )


def transition(
    session: AsyncSession,
    services: Services,
    report: Report,
    *,
    reporter: Reporter | None,
    event: TimelineEvent,
    attachments: list[Attachment],
    actor_name: str | None,
) -> None:
    """Tell the citizen and the staff what changed."""
    now = event.at
    if reporter is not None and report.reporter_id is not None:
        t = services.locales.get(reporter.locale)
        line = status_line(services, report, reporter.locale)
        text = t(line.key, **line.params)
        if event.public_text:
            text = "\n".join((text, t("notice.officer_says", text=event.public_text)))
        outbox.enqueue(
            session,
            CitizenChat(report.reporter_id),
            Outgoing(text=text),
            purpose="notice",
            now=now,
            report_id=report.id,
        )
    staff = services.locales.get(services.settings.bot_locale)
    note = staff(
        "staff.status_changed",
        code=format_code(report.code),
        label=staff(report.status.label_key, agency=_agency_name(services, report)),
        actor=escape(actor_name or staff("staff.system")),
    )
    if event.public_text:
        note = "\n".join((note, escape(event.public_text)))
    source_queue = (
        VERIFIKASI if event.from_status in (Status.MENUNGGU_VERIFIKASI, None) else report.agency
    )
    outbox.enqueue(
        session,
        StaffQueue(source_queue),
        Outgoing(text=note, html=True, under_card=True),
        purpose="staff_note",
        now=now,
        report_id=report.id,
    )
    if report.status is Status.DITERUSKAN or (
        report.status is Status.MENUNGGU_VERIFIKASI and source_queue != VERIFIKASI
    ):
        # A report changing queue gets a fresh card, with its files, where it now is.
        queue = StaffQueue(queue_of(report))
        outbox.enqueue(
            session,
            queue,
            card(services, report, reporter),
            purpose="card",
            now=now,
            report_id=report.id,
        )
        _files(session, report, attachments, queue)


def _agency_name(services: Services, report: Report) -> str:
    agency = services.directory.agencies.get(report.agency)
    return agency.name if agency else report.agency
