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
from collections.abc import Sequence
from datetime import datetime

from bot.core.lifecycle import Privacy
from bot.core.tracking import format_code
from bot.language.i18n import Translator
from bot.services import Services
from bot.stats.figures import Facts, channel_of
from bot.stats.in_words import CHANNEL_KEYS, STATUS_KEYS, TIMELINESS_KEYS

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
)


def _privacy(anonymous: bool, confidential: bool) -> Privacy:
    return {
        (False, False): Privacy.BIASA,
        (True, False): Privacy.ANONIM,
        (False, True): Privacy.RAHASIA,
        (True, True): Privacy.ANONIM_RAHASIA,
    }[(anonymous, confidential)]


def _row(services: Services, fact: Facts, t: Translator) -> list[str]:
    report, response = fact.report, fact.response
    calendar, directory = services.calendar, services.directory

    def day(moment: datetime | None) -> str:
        return calendar.local_date(moment).isoformat() if moment is not None else ""

    try:
        category = directory.category(report.category).label(t.locale)
    except (StopIteration, KeyError):
        category = report.category  # the agencies file no longer has it
    agency = directory.agencies.get(report.agency)
    return [
        format_code(report.code),
        day(report.created_at),
        t(f"option.{report.classification.value}"),
        category,
        agency.name if agency else report.agency,
        t(STATUS_KEYS[report.status]),
        day(response.forwarded_at),
        day(response.deadline),
        day(response.responded_at),
        "" if response.working_days is None else str(response.working_days),
        t(TIMELINESS_KEYS[response.timeliness]),
        day(fact.done_at),
        t(f"option.{_privacy(report.anonymous, report.confidential).value}"),
        t(f"option.{report.rating}") if report.rating else "",
        t(CHANNEL_KEYS[channel_of(report.channel)]),
    ]


def export_csv(services: Services, facts: Sequence[Facts], t: Translator) -> bytes:
    """The rows under a header row in the staff's language, as UTF-8 CSV (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([t(column) for column in COLUMNS])
    writer.writerows(_row(services, fact, t) for fact in facts)
    return buffer.getvalue().encode("utf-8")
