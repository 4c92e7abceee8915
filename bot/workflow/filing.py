"""Filing a report: THE one way a report comes into being, whatever the channel.

The chat (a finished draft), Open311 and the tests all call `file`; it creates the report
with its first deadline and writes the staff card to the outbox, in the caller's one
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.deadlines import VERIFY_DAYS
from bot.core.intake.answers import Answers, FileRef
from bot.core.lifecycle import ActorKind, Channel, Privacy, Status
from bot.core.units import route
from bot.notify import notices
from bot.services import Services
from storage import audit, drafts
from storage import counter as counter_store
from storage import reports as report_store
from storage.models import (
    Attachment,
    CounterFiling,
    Draft,
    Report,
    Reporter,
    ReportUpload,
    TimelineEvent,
)

# The audit log's action for a report a counter officer filed for a walk-in citizen.
COUNTER_FILE_ACTION = "counter_file"


@dataclass(frozen=True)
class Submitted:
    """The report a draft became; `created` is False when an earlier "kirim" made it."""

    report: Report
    attachments: list[Attachment]
    created: bool


class DraftIncomplete(Exception):
    """A required answer is missing; carries the first step that lacks one."""

    def __init__(self, step: str):
        super().__init__(step)
        self.step = step


def _missing(answers: Answers, intake: Intake) -> str | None:
    if answers.classification is None:
        return "klasifikasi"
    if not answers.has_content and intake.needs_content:
        return "isi"
    if answers.category is None:
        return "kategori"
    if answers.privacy is None:
        return "privasi"
    return None


def as_attachment(ref: FileRef, role: str, position: int = 0) -> Attachment:
    """A file the citizen sent, as a report's attachment (with a voice note's duration)."""
    return Attachment(
        position=position,
        kind=ref.kind,
        role=role,
        file_id=ref.file_id,
        file_unique_id=ref.file_unique_id,
        file_size=ref.size,
        mime_type=ref.mime_type,
        file_name=ref.file_name,
        duration=ref.duration,
    )


@dataclass(frozen=True)
class WalkIn:
    """A citizen served at a counter: where, by whom (for the audit only), what they chose
    to give, and the hash of the claim PIN on their receipt."""

    counter: str
    officer_user_id: int
    chat_id: int | None
    name: str | None
    phone: str | None
    pin_hash: str


@dataclass(frozen=True)
class Intake:
    """Where a report comes from: its channel, and the citizen when one is behind it."""

    channel: str
    locale: str
    reporter: Reporter | None = None
    # The chat's draft, so a second "kirim" finds the report the first one made.
    draft_uid: str | None = None
    # Set for the counter channel: the walk-in citizen and the officer who filed for them.
    walk_in: WalkIn | None = None
    # Open311: a description is optional there (GeoReport v2); the key that filed it and
    # the client's Idempotency-Key; an address id and a media link beside the answers; a
    # photo uploaded with the request, kept as an attachment once Telegram has it.
    needs_content: bool = True
    client_id: int | None = None
    client_key: str | None = None
    address_id: str | None = None
    media_url: str | None = None
    uploads: tuple[Upload, ...] = ()


@dataclass(frozen=True)
class Upload:
    """A file an HTTP client sent with its request (Telegram does not have it yet)."""

    kind: str
    data: bytes
    mime_type: str | None = None
    file_name: str | None = None


async def file(
    session: AsyncSession, services: Services, answers: Answers, intake: Intake, *, now: datetime
) -> Submitted:
    """Create a report from complete answers, with status MENUNGGU_VERIFIKASI, its deadline
    to verify and its card in the outbox. Raises DraftIncomplete."""
    missing = _missing(answers, intake)
    if missing is not None:
        raise DraftIncomplete(missing)
    assert answers.classification and answers.category and answers.privacy
    privacy: Privacy = answers.privacy
    directory = services.directory
    category = directory.category(answers.category)

    files = [as_attachment(ref, "attachment", i) for i, ref in enumerate(answers.attachments, 1)]
    # A code the areas file no longer has (it changed while the draft waited) is dropped.
    kelurahan = services.areas.kelurahan_by_code(answers.kelurahan_code)
    if answers.voice is not None:
        files.insert(0, as_attachment(answers.voice, "content", 0))

    report = Report(
        code=await report_store.free_code(session, services.new_code),
        draft_uid=intake.draft_uid,
        reporter_id=intake.reporter.id if intake.reporter is not None else None,
        channel=intake.channel,
        classification=answers.classification,
        content=answers.content or "",
        category=category.key,
        agency=directory.agency_for(category).key,
        location_text=answers.location_text,
        latitude=answers.latitude,
        longitude=answers.longitude,
        kelurahan_code=kelurahan.code if kelurahan is not None else None,
        kecamatan_code=kelurahan.kecamatan_code if kelurahan is not None else None,
        incident_date=answers.incident_date,
        anonymous=privacy.anonymous,
        confidential=privacy.confidential,
        status=Status.MENUNGGU_VERIFIKASI,
        locale=intake.locale,
        created_at=now,
        updated_at=now,
        deadline_at=services.calendar.add_working_days(now, VERIFY_DAYS),
        client_id=intake.client_id,
        client_key=intake.client_key,
        address_id=intake.address_id,
        media_url=intake.media_url,
    )
    # By category and place (bot/core/units.py): the kelurahan's or the kecamatan's office
    # where the category is theirs and the place is known, else the category's agency.
    report.agency = route(directory, category, report.kelurahan_code, report.kecamatan_code)
    uploaded = [
        Attachment(
            position=len(files) + i,
            kind=upload.kind,
            role="attachment",
            # The file id Telegram gives replaces this when the card's files are sent.
            file_id="",
            file_unique_id="",
            file_size=len(upload.data),
            mime_type=upload.mime_type,
            file_name=upload.file_name,
        )
        for i, upload in enumerate(intake.uploads, 1)
    ]
    files += uploaded
    first = TimelineEvent(
        at=now,
        actor=ActorKind.CITIZEN,
        from_status=None,
        to_status=Status.MENUNGGU_VERIFIKASI,
    )
    report_store.add(session, report, files, first)
    await session.flush()  # the report's id, for the outbox rows written next
    for attachment, upload in zip(uploaded, intake.uploads, strict=True):
        session.add(ReportUpload(attachment_id=attachment.id, data=upload.data, created_at=now))
    counter_filing = _walk_in(session, report, intake.walk_in, now=now)
    notices.new_report(session, services, report, intake.reporter, files, walk_in=counter_filing)
    return Submitted(report, files, created=True)


def _walk_in(
    session: AsyncSession, report: Report, walk_in: WalkIn | None, *, now: datetime
) -> CounterFiling | None:
    """The counter's record of a walk-in's report, and the audit of the officer who filed it."""
    if walk_in is None:
        return None
    audit.record(
        session,
        at=now,
        actor_user_id=walk_in.officer_user_id,
        chat_id=walk_in.chat_id,
        action=COUNTER_FILE_ACTION,
        report_id=report.id,
        allowed=True,
        detail=f"counter:{walk_in.counter}",
    )
    return counter_store.record_filing(
        session,
        report,
        counter=walk_in.counter,
        officer_user_id=walk_in.officer_user_id,
        citizen_name=walk_in.name,
        citizen_phone=walk_in.phone,
        pin_hash=walk_in.pin_hash,
        now=now,
    )


async def submit_draft(
    session: AsyncSession,
    services: Services,
    reporter: Reporter,
    draft: Draft,
    *,
    now: datetime,
    walk_in: WalkIn | None = None,
) -> Submitted:
    """File the citizen's finished draft and drop the draft; with `walk_in`, a counter
    desk's draft, filed for the walk-in citizen (no Telegram account behind it yet).

    A draft already submitted (a second "kirim" racing the first) returns that report.
    """
    existing = await report_store.submitted_from_draft(session, draft.uid)
    if existing is None:
        intake = (
            Intake(Channel.TELEGRAM, reporter.locale, reporter, draft.uid)
            if walk_in is None
            else Intake(Channel.COUNTER, reporter.locale, None, draft.uid, walk_in)
        )
        submitted = await file(session, services, Answers.from_json(draft.answers), intake, now=now)
    else:
        submitted = Submitted(existing, [], created=False)
    await drafts.discard(session, reporter)
    return submitted
