"""Files HTTP clients uploaded, waiting until Telegram has them. Functions take the
session and never commit."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Attachment, ReportUpload


async def waiting(session: AsyncSession, attachment_id: int) -> tuple[bytes, str | None] | None:
    """The bytes and file name of an attachment Telegram does not have yet; None once it has."""
    row = (
        await session.execute(
            select(ReportUpload.data, Attachment.file_name)
            .join(Attachment, Attachment.id == ReportUpload.attachment_id)
            .where(ReportUpload.attachment_id == attachment_id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def file_id_of(session: AsyncSession, attachment_id: int) -> str | None:
    """The Telegram file id an attachment has by now ("" or None while it has none)."""
    return await session.scalar(select(Attachment.file_id).where(Attachment.id == attachment_id))


async def settle(
    session: AsyncSession, attachment_id: int, *, file_id: str, file_unique_id: str
) -> None:
    """Telegram has the file: the attachment keeps its file id and the bytes go."""
    await session.execute(
        update(Attachment)
        .where(Attachment.id == attachment_id)
        .values(file_id=file_id, file_unique_id=file_unique_id)
    )
    await session.execute(delete(ReportUpload).where(ReportUpload.attachment_id == attachment_id))
