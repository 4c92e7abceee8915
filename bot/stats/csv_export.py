"""A month's reports as CSV, for the city's weekly or monthly report.

One row per report submitted in the month. It carries no personal data of any reporter,
anonim or not: no name, username, Telegram id or chat, and none of the free text a
citizen wrote (content, location, reasons), which may name people or a home address and
which rahasia reports must never leave the handling agencies with. The city's report
counts and times reports; an officer who needs the person opens the card. Dates are ISO
(2026-11-25) in the bot's time zone, which spreadsheets read as dates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from bot.core.lifecycle import Privacy, Status
from bot.core.tracking import format_code
from bot.language.i18n import Translator
from bot.services import Services
from bot.stats.figures import Timeliness, channel_of
from bot.stats.in_words import CHANNEL_KEYS, STATUS_KEYS, TIMELINESS_KEYS
from storage.statistics import ExportRow

COLUMNS = (
    "staff.export.column.kode",
    "staff.export.column.masuk",
    "staff.export.column.klasifikasi",
    "staff.export.column.kategori",
    "staff.export.column.instansi",
    "staff.export.column.status",
    "staff.export.column.diteruskan",
    "staff.export.column.batas",
    "staff.export.column.tanggapan",
    "staff.export.column.hari_kerja",
    "staff.export.column.tepat_waktu",
    "staff.export.column.selesai",
    "staff.export.column.privasi",
    "staff.export.column.penilaian",
    "staff.export.column.saluran",
    "staff.export.column.kode_kecamatan",
    "staff.export.column.kecamatan",
    "staff.export.column.kode_kelurahan",
    "staff.export.column.kelurahan",
)


def _privacy(anonymous: bool, confidential: bool) -> Privacy:
    return {
        (False, False): Privacy.BIASA,
        (True, False): Privacy.ANONIM,
        (False, True): Privacy.RAHASIA,
        (True, True): Privacy.ANONIM_RAHASIA,
    }[(anonymous, confidential)]


def _row(services: Services, report: ExportRow, t: Translator) -> list[str]:
    calendar, directory = services.calendar, services.directory

    def day(moment: datetime | None) -> str:
        return calendar.local_date(moment).isoformat() if moment is not None else ""

    try:
        category = directory.category(report.category).label(t.locale)
    except (StopIteration, KeyError):
        category = report.category  # the agencies file no longer has it
    agency = directory.unit(report.agency)
    forwarded, responded = report.forwarded_at, report.responded_at
    taken = (
        calendar.working_days_between(forwarded, responded)
        if forwarded is not None and responded is not None
        else None
    )
    done = report.done_at if report.status is Status.SELESAI else None
    # A code the areas file no longer has is kept, its name left empty.
    kecamatan = services.areas.kecamatan_by_code(report.kecamatan_code)
    kelurahan = services.areas.kelurahan_by_code(report.kelurahan_code)
    return [
        format_code(report.code),
        day(report.created_at),
        t(f"option.{report.classification.value}"),
        category,
        agency.name if agency else report.agency,
        t(STATUS_KEYS[report.status]),
        day(forwarded),
        day(report.response_due_at if forwarded is not None else None),
        day(responded),
        "" if taken is None else str(taken),
        t(TIMELINESS_KEYS[Timeliness(report.standing)]),
        day(done),
        t(f"option.{_privacy(report.anonymous, report.confidential).value}"),
        t(f"option.{report.rating}") if report.rating else "",
        t(CHANNEL_KEYS[channel_of(report.channel)]),
        report.kecamatan_code or "",
        kecamatan.name if kecamatan else "",
        report.kelurahan_code or "",
        kelurahan.name if kelurahan else "",
    ]


def export_csv(services: Services, rows: Iterable[ExportRow], t: Translator) -> bytes:
    """The rows under a header row in the staff's language, as UTF-8 CSV (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([t(column) for column in COLUMNS])
    writer.writerows(_row(services, row, t) for row in rows)
    return buffer.getvalue().encode("utf-8")
