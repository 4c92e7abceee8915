"""Turning a finished draft into a report, atomically, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.agencies import Directory
from bot.intake.answers import Answers, FileRef
from bot.lifecycle import Actor, Privacy, Status
from storage import drafts
from storage import reports as report_store
from storage.models import Attachment, Draft, Report, Reporter, TimelineEvent


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


def _missing(answers: Answers) -> str | None:
    if answers.classification is None:
        return "klasifikasi"
    if not answers.has_content:
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


async def submit(
    session: AsyncSession,
    reporter: Reporter,
    draft: Draft,
    *,
    directory: Directory,
    now: datetime,
    deadline: datetime,
    new_code: Callable[[], int],
) -> Submitted:
    """Create the report from the draft with status MENUNGGU_VERIFIKASI and drop the draft.

    A draft already submitted (a second "kirim" racing the first) returns that report.
    """
    existing = await report_store.submitted_from_draft(session, draft.uid)
    if existing is not None:
        await drafts.discard(session, reporter)
        return Submitted(existing, [], created=False)

    submitted = await file_report(
        session,
        Answers.from_json(draft.answers),
        directory=directory,
        now=now,
        deadline=deadline,
        new_code=new_code,
        reporter_id=reporter.id,
        locale=reporter.locale,
        draft_uid=draft.uid,
    )
    await drafts.discard(session, reporter)
    return submitted


async def file_report(
    session: AsyncSession,
    answers: Answers,
    *,
    directory: Directory,
    now: datetime,
    deadline: datetime,
    new_code: Callable[[], int],
    reporter_id: int | None,
    locale: str,
    channel: str = "telegram",
    draft_uid: str | None = None,
) -> Submitted:
    """Create a report from complete answers, from any intake channel (a Telegram draft,
    an Open311 request), with status MENUNGGU_VERIFIKASI. Raises DraftIncomplete."""
    missing = _missing(answers)
    if missing is not None:
        raise DraftIncomplete(missing)
    assert answers.classification and answers.category and answers.privacy
    privacy: Privacy = answers.privacy
    category = directory.category(answers.category)

    files = [as_attachment(ref, "attachment", i) for i, ref in enumerate(answers.attachments, 1)]
    if answers.voice is not None:
        files.insert(0, as_attachment(answers.voice, "content", 0))

    report = Report(
        code=await report_store.free_code(session, new_code),
        draft_uid=draft_uid,
        reporter_id=reporter_id,
        channel=channel,
        classification=answers.classification,
        content=answers.content or "",
        category=category.key,
        agency=directory.agency_for(category).key,
        location_text=answers.location_text,
        latitude=answers.latitude,
        longitude=answers.longitude,
        incident_date=answers.incident_date,
        anonymous=privacy.anonymous,
        confidential=privacy.confidential,
        status=Status.MENUNGGU_VERIFIKASI,
        locale=locale,
        created_at=now,
        updated_at=now,
        deadline_at=deadline,
    )
    first = TimelineEvent(
        at=now,
        actor=Actor.CITIZEN,
        from_status=None,
        to_status=Status.MENUNGGU_VERIFIKASI,
    )
    report_store.add(session, report, files, first)
    await session.flush()  # the report's id, for the outbox rows written next
    return Submitted(report, files, created=True)
