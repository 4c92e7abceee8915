"""JSON views of reports for agencies (their API and pushes): dates are ISO 8601 with the
city's offset, statuses are the lifecycle's names with their label."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.core.tracking import format_code
from bot.notify.status_text import status_label
from bot.services import Services
from storage.models import Attachment, Report, Reporter, TimelineEvent


def iso(services: Services, at: datetime | None) -> str | None:
    """An instant as ISO 8601 in the city's time zone, e.g. 2026-11-25T10:00:00+07:00."""
    if at is None:
        return None
    return at.astimezone(services.settings.timezone).isoformat(timespec="seconds")


def category_name(services: Services, key: str) -> str:
    """A category's name in the staff language (its key if the agencies file lost it)."""
    for category in services.directory.categories:
        if category.key == key:
            return category.label(services.settings.bot_locale)
    return key


def report_view(services: Services, report: Report) -> dict[str, Any]:
    """What an agency knows of a report it handles (no reporter: see reporter_view)."""
    t = services.locales.get(services.settings.bot_locale)
    return {
        "code": format_code(report.code),
        "status": report.status.value,
        "status_label": t.render(status_label(services, report)),
        "open": report.status.is_open and report.closed_at is None,
        "classification": report.classification.value,
        "category": report.category,
        "category_name": category_name(services, report.category),
        "agency": report.agency,
        "content": report.content,
        "address": report.location_text,
        "lat": report.latitude,
        "long": report.longitude,
        **area_view(services, report),
        "incident_date": report.incident_date.isoformat() if report.incident_date else None,
        "anonymous": report.anonymous,
        "confidential": report.confidential,
        "channel": report.channel,
        "created_at": iso(services, report.created_at),
        "updated_at": iso(services, report.updated_at),
        "deadline_at": iso(services, report.deadline_at),
        "closed_at": iso(services, report.closed_at),
    }


def area_view(services: Services, report: Report) -> dict[str, Any]:
    """The kecamatan and kelurahan a report was placed in, by code and name (the name
    empty if the areas file no longer has the code)."""
    areas = services.areas
    kecamatan = areas.kecamatan_by_code(report.kecamatan_code)
    kelurahan = areas.kelurahan_by_code(report.kelurahan_code)
    return {
        "kecamatan": (
            {"code": report.kecamatan_code, "name": kecamatan.name if kecamatan else ""}
            if report.kecamatan_code
            else None
        ),
        "kelurahan": (
            {"code": report.kelurahan_code, "name": kelurahan.name if kelurahan else ""}
            if report.kelurahan_code
            else None
        ),
    }


def reporter_view(report: Report, reporter: Reporter | None) -> dict[str, Any] | None:
    """The reporter as the staff card shows them; None when anonim, erased or absent."""
    if report.anonymous or reporter is None or reporter.erased_at is not None:
        return None
    name = " ".join(part for part in (reporter.first_name, reporter.last_name) if part)
    return {"name": name or None, "username": reporter.username}


def timeline_entry(services: Services, event: TimelineEvent) -> dict[str, Any]:
    """One step of a report's life; the person who acted is never named."""
    return {
        "at": iso(services, event.at),
        "actor": event.actor.value,
        "from_status": event.from_status.value if event.from_status else None,
        "to_status": event.to_status.value,
        "public_text": event.public_text,
        "internal_note": event.internal_note,
    }


def attachment_view(attachment: Attachment) -> dict[str, Any]:
    """A file the citizen sent; the bytes stay with Telegram, staff see it under the card."""
    return {
        "kind": attachment.kind,
        "mime_type": attachment.mime_type,
        "file_name": attachment.file_name,
        "size": attachment.file_size,
    }


def report_detail(
    services: Services,
    report: Report,
    reporter: Reporter | None,
    events: Sequence[TimelineEvent],
    attachments: Sequence[Attachment],
) -> dict[str, Any]:
    """A report with its reporter (unless anonim), files and whole timeline."""
    return {
        **report_view(services, report),
        "reporter": reporter_view(report, reporter),
        "attachments": [attachment_view(a) for a in attachments],
        "timeline": [timeline_entry(services, event) for event in events],
    }
