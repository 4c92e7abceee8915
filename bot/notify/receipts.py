"""The counter receipt's words, from the catalogue, for bot.language.receipt to lay out.

Rendered in the staff language (the receipt is printed at the counter, where the officer
and the citizen speak it), with the PIN that exists only in this moment: the database
keeps its hash, so a receipt can be made only when a PIN is issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.claims import format_pin
from bot.core.lifecycle import Status
from bot.core.tracking import format_code
from bot.language.dates import format_date, format_datetime
from bot.language.i18n import Translator
from bot.language.receipt import Field, Print, Receipt, Section, file_name, render
from bot.services import Services
from storage.models import Report


@dataclass(frozen=True)
class ReceiptFile:
    """One printable receipt: its file name and PDF bytes."""

    name: str
    pdf: bytes


def spoken_digits(t: Translator, digits: str, split: int) -> str:
    """Digits as words, in two groups as they are written ("tujuh dua enam, empat ...")."""
    words = t("receipt.digits").split(",")
    said = [words[int(d)].strip() for d in digits]
    return f"{' '.join(said[:split])}, {' '.join(said[split:])}"


def receipt_words(
    services: Services,
    report: Report,
    *,
    counter_name: str,
    pin: str,
    bot_username: str,
    issued_at: datetime,
) -> Receipt:
    """What the receipt says, in reading order, in the staff language."""
    locale = services.settings.bot_locale
    t = services.locales.get(locale)
    city = services.directory.city
    tz = services.settings.timezone
    code = format_code(report.code)
    category = services.directory.category(report.category)
    # A hold's limit is the citizen's to answer by, not a time limit of the service's.
    deadline = report.deadline_at if report.status is not Status.DITUNDA else None
    days = services.calendar.working_days_between(report.created_at, deadline) if deadline else 0
    deadline_text = (
        t(
            "receipt.deadline",
            days=days,
            date=format_date(services.calendar.local_date(deadline), locale),
        )
        if deadline
        else t("receipt.no_deadline")
    )
    # The username as Telegram has it: it must be exact to be found.
    bot = f"@{bot_username}"
    example = f"{code} {pin}"
    return Receipt(
        language=locale,
        title=t("receipt.title"),
        issuer=t("receipt.issuer", city=city.name, counter=counter_name),
        fields=(
            Field(
                t("receipt.code"),
                code,
                t("receipt.spoken", words=spoken_digits(t, str(report.code), 3)),
                prominent=True,
            ),
            Field(
                t("receipt.pin"),
                format_pin(pin),
                t("receipt.spoken", words=spoken_digits(t, pin, 3)),
                prominent=True,
            ),
            Field(t("receipt.date"), format_datetime(issued_at, tz, locale)),
            Field(t("receipt.category"), category.label(locale)),
            Field(t("receipt.deadline_label"), deadline_text),
        ),
        sections=(
            Section(
                t("receipt.claim_heading"),
                (t("receipt.claim", bot=bot, example=example), t("receipt.pin_once")),
            ),
            Section(
                t("receipt.status_heading"),
                (
                    t("receipt.status_telegram", bot=bot),
                    t("receipt.status_phone", phone=city.phone),
                    t("receipt.status_sms", sms=city.sms),
                ),
            ),
        ),
        footer=t("receipt.footer"),
    )


def receipt_files(words: Receipt, code: str, issued_at: datetime) -> tuple[ReceiptFile, ...]:
    """The receipt in normal and in large print, as PDF files named for the code."""
    return tuple(
        ReceiptFile(file_name(code, size), render(words, size, created=issued_at)) for size in Print
    )
