"""Reading incident dates typed by citizens, and writing dates and times for them.

Output follows ACCESSIBILITY.md rules 10 and 11: "13 November 2026" (never
"13/11/2026", "2026-11-13" or "Nov", which a screen reader spells out) and times
as "14.30 WIB". Month names, the time separator and the Indonesian zone
abbreviations (WIB, WITA, WIT) come from CLDR through Babel, so nothing here is a
user-visible sentence.

Where the words around a time go:

* ``format_time`` returns only the time phrase, "14.30 WIB" (id) or "14:30 WIB"
  (en); the catalogue sentence supplies "pukul" / "at", because a sentence may
  need "sebelum pukul" or "mulai pukul" and gettext must see the whole sentence.
* ``format_datetime`` joins date and time with CLDR's date-at-time pattern,
  "{1} 'pukul' {0}" for id and "{1} 'at' {0}" for en, giving "13 November 2026
  pukul 14.30 WIB". Without the glue word an Indonesian voice reads the year and
  the hour as one run of numbers, and rule 11 wants "pukul". Babel 2.18 does not
  ship CLDR's atTime patterns, so the two are copied here; other locales fall back
  to Babel's ordinary date-time pattern.

Parsing is deliberately forgiving: words of the given locale, Indonesian and
English are all accepted whatever the interface language, since a citizen who
picked English may still type "kemarin".
"""

from __future__ import annotations

import datetime
import functools
import re
from typing import Literal
from zoneinfo import ZoneInfo

import babel.dates
from babel import Locale, UnknownLocaleError

__all__ = [
    "DateError",
    "format_date",
    "format_datetime",
    "format_time",
    "parse_incident_date",
]

DateErrorReason = Literal["unreadable", "future", "invalid"]


class DateError(ValueError):
    """``unreadable``: not a date we understand. ``invalid``: looks like a date but
    does not exist ("31 Februari 2026", month 13). ``future``: after today."""

    def __init__(self, reason: DateErrorReason, text: str = "") -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason: DateErrorReason = reason
        self.text = text


_FALLBACK_LOCALES = ("id", "en")

# Spellings in everyday Indonesian use that CLDR does not list: the pre-1972
# spellings still printed on forms ("Nopember", "Pebruari") and the abbreviations
# offices use ("Agt", "Ags", "Sept", "Nop", "Peb").
_EXTRA_MONTH_SPELLINGS = {
    "pebruari": 2,
    "peb": 2,
    "nopember": 11,
    "nop": 11,
    "agt": 8,
    "ags": 8,
    "agus": 8,
    "sept": 9,
}

# Days back from today. Future words are listed so that "besok" is answered
# "that is in the future" rather than "I don't understand".
_RELATIVE_DAYS = {
    "hari ini": 0,
    "sekarang": 0,
    "tadi": 0,
    "kemarin": 1,
    "kemarin lusa": 2,
    "kemarin dulu": 2,
    "besok": -1,
    "lusa": -2,
    "today": 0,
    "now": 0,
    "yesterday": 1,
    "day before yesterday": 2,
    "the day before yesterday": 2,
    "tomorrow": -1,
    "day after tomorrow": -2,
    "the day after tomorrow": -2,
}

_NUMBER_WORDS = {
    "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
    "delapan": 8, "sembilan": 9, "sepuluh": 10,
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip

_UNIT_DAYS = {"hari": 1, "minggu": 7, "pekan": 7, "day": 1, "days": 1, "week": 7, "weeks": 7}

_RELATIVE_AGO = re.compile(
    r"^(?P<n>\d{1,3}|[a-z]+) (?P<unit>[a-z]+) (?:yang )?(?:lalu|ago|sebelumnya|sebelum ini)$"
)
# "seminggu lalu" is one word in Indonesian; split the "se-" (= one) off.
_SE_PREFIX = re.compile(r"\bse(hari|minggu|pekan)\b")

_FILLER_WORDS = frozenset({"tanggal", "tgl", "tg", "pada", "on", "the", "of", "sekitar"})

_ORDINAL_SUFFIX = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b")
_DIGIT_LETTER_BOUNDARY = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_NOT_WORD = re.compile(r"[\W_]+")

# Earlier than this is a typo ("13-11-0026"), not an incident someone is reporting.
_MIN_YEAR = 1900


def _babel_locales(locale: str) -> list[Locale]:
    found: list[Locale] = []
    for name in dict.fromkeys((locale, *_FALLBACK_LOCALES)):
        try:
            found.append(Locale.parse(name))
        except (UnknownLocaleError, ValueError):
            continue
    return found


@functools.cache
def _month_names(locale: str) -> dict[str, int]:
    names: dict[str, int] = {}
    for loc in _babel_locales(locale):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in loc.months[context][width].items():
                    names[name.casefold().rstrip(".")] = number
    names.update(_EXTRA_MONTH_SPELLINGS)
    return names


@functools.cache
def _weekday_names(locale: str) -> frozenset[str]:
    names: set[str] = set()
    for loc in _babel_locales(locale):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                names.update(n.casefold().rstrip(".") for n in loc.days[context][width].values())
    return frozenset(names)


def _tokens(text: str, locale: str) -> list[str]:
    folded = text.casefold()
    folded = _ORDINAL_SUFFIX.sub("", folded)
    folded = _DIGIT_LETTER_BOUNDARY.sub(" ", folded)
    tokens = _NOT_WORD.sub(" ", folded).split()
    weekdays = _weekday_names(locale)
    # "Senin, 13 November 2026" and "tanggal 13" carry the date after some words
    # we can drop; a weekday on its own is not accepted (which Monday?).
    while len(tokens) > 1 and (
        tokens[0] in _FILLER_WORDS
        or tokens[0] in weekdays
        or (tokens[0] == "hari" and tokens[1] in weekdays)
    ):
        tokens.pop(0)
    return [t for t in tokens if t != "of"]


def _year(token: str, text: str) -> int:
    if len(token) == 4:
        year = int(token)
        if year < _MIN_YEAR:
            raise DateError("invalid", text)
        return year
    if len(token) == 2:
        # Two-digit years are always this century: an incident in 1926 is not
        # something anyone reports here, and a typo into the future is caught.
        return 2000 + int(token)
    raise DateError("unreadable", text)


def _build(year: int, month: int, day: int, text: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise DateError("invalid", text) from None


def _without_year(month: int, day: int, today: datetime.date, text: str) -> datetime.date:
    """This year's date, or last year's when this year's is still to come."""
    try:
        this_year: datetime.date | None = datetime.date(today.year, month, day)
    except ValueError:
        this_year = None
    if this_year is not None and this_year <= today:
        return this_year
    try:
        return datetime.date(today.year - 1, month, day)
    except ValueError:
        # 29 Februari: only a future leap year has it, or no year at all.
        raise DateError("future" if this_year is not None else "invalid", text) from None


def _day_month(first: str, second: str, text: str) -> tuple[int, int]:
    """Day-first as written in Indonesia; month-first only when day-first cannot be
    right and month-first can (11/13/2026 from a US-style keyboard habit)."""
    if len(first) > 2 or len(second) > 2:
        raise DateError("unreadable", text)
    day, month = int(first), int(second)
    if month > 12 and day <= 12:
        day, month = month, day
    return day, month


def _parse_numeric(tokens: list[str], today: datetime.date, text: str) -> datetime.date:
    if len(tokens) == 3 and len(tokens[0]) == 4:
        year, month, day = int(tokens[0]), int(tokens[1]), int(tokens[2])
        if year < _MIN_YEAR:
            raise DateError("invalid", text)
        if len(tokens[1]) > 2 or len(tokens[2]) > 2:
            raise DateError("unreadable", text)
        return _build(year, month, day, text)
    if len(tokens) == 3:
        day, month = _day_month(tokens[0], tokens[1], text)
        return _build(_year(tokens[2], text), month, day, text)
    if len(tokens) == 2:
        day, month = _day_month(tokens[0], tokens[1], text)
        if not 1 <= month <= 12:
            raise DateError("invalid", text)
        return _without_year(month, day, today, text)
    raise DateError("unreadable", text)


def _parse_named_month(
    tokens: list[str], today: datetime.date, locale: str, text: str
) -> datetime.date:
    months = _month_names(locale)
    month_positions = [i for i, t in enumerate(tokens) if t in months]
    if len(month_positions) != 1 or not 2 <= len(tokens) <= 3:
        raise DateError("unreadable", text)
    position = month_positions[0]
    month = months[tokens[position]]
    numbers = tokens[:position] + tokens[position + 1 :]
    if not all(n.isascii() and n.isdigit() for n in numbers):
        raise DateError("unreadable", text)
    # "13 November 2026", "November 13 2026", "13 November", "November 13";
    # a year written first ("2026 November 13") is accepted too.
    if position == 1 and len(tokens) == 3 and len(tokens[0]) == 4:
        year_token, day_token = numbers[0], numbers[1]
    elif position in (0, 1):
        day_token = numbers[0]
        year_token = numbers[1] if len(numbers) == 2 else ""
    else:
        raise DateError("unreadable", text)
    if len(day_token) > 2:
        raise DateError("unreadable", text)
    day = int(day_token)
    if not year_token:
        return _without_year(month, day, today, text)
    return _build(_year(year_token, text), month, day, text)


def _parse_relative(phrase: str, today: datetime.date) -> datetime.date | None:
    if phrase in _RELATIVE_DAYS:
        return today - datetime.timedelta(days=_RELATIVE_DAYS[phrase])
    match = _RELATIVE_AGO.match(_SE_PREFIX.sub(r"1 \1", phrase))
    if match is None or match["unit"] not in _UNIT_DAYS:
        return None
    count_word = match["n"]
    count = int(count_word) if count_word.isdigit() else _NUMBER_WORDS.get(count_word)
    if count is None:
        return None
    return today - datetime.timedelta(days=count * _UNIT_DAYS[match["unit"]])


def parse_incident_date(text: str, today: datetime.date, locale: str = "id") -> datetime.date:
    """The date the citizen means, never after ``today`` (the citizen's local date).

    Accepts "hari ini", "kemarin", "kemarin lusa", "3 hari lalu", "dua hari yang
    lalu", "seminggu lalu", "13 November 2026", "13 nov 2026", "13 Nopember 2026",
    "Senin, 13 November 2026", "13-11-2026", "13/11/26", "13.11.2026",
    "2026-11-13", "13 November" (this year, or last year if that is still to come)
    and in English "today", "yesterday", "2 days ago", "November 13th, 2026".
    Raises :class:`DateError`.
    """
    tokens = _tokens(text, locale)
    if not tokens:
        raise DateError("unreadable", text)
    result = _parse_relative(" ".join(tokens), today)
    if result is None:
        if all(t.isascii() and t.isdigit() for t in tokens):
            result = _parse_numeric(tokens, today, text)
        else:
            result = _parse_named_month(tokens, today, locale, text)
    if result > today:
        raise DateError("future", text)
    return result


def format_date(d: datetime.date, locale: str = "id") -> str:
    """``date(2026, 11, 3)`` -> "3 November 2026" in both id and en.

    English also gets day-month-year: it is unambiguous and it is how dates are
    written in Indonesia, where the English reader lives.
    """
    if isinstance(d, datetime.datetime):
        # A datetime's own date is the UTC date for stored timestamps, which is the
        # wrong day in Indonesia between 00.00 and 07.00; make the caller convert.
        raise TypeError("format_date takes a date; use format_datetime or .astimezone(tz).date()")
    return babel.dates.format_date(d, "d MMMM y", locale=locale)


def _local(t: datetime.datetime, tz: ZoneInfo) -> datetime.datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError("naive datetime: store and pass timestamps with a time zone")
    return t.astimezone(tz)


def _zone_name(local: datetime.datetime, locale: str) -> str:
    # CLDR has WIB/WITA/WIT only in its Indonesian data; English readers in
    # Indonesia use the same abbreviations, so borrow them before falling back to
    # an offset.
    for name in dict.fromkeys((locale, "id")):
        try:
            short = babel.dates.get_timezone_name(local, "short", locale=name)
        except (UnknownLocaleError, ValueError):
            continue
        if short.isalpha():
            return short
    offset = local.utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f".{rest:02d}" if rest else "")


def format_time(t: datetime.datetime, tz: ZoneInfo, locale: str = "id") -> str:
    """The time phrase without "pukul"/"at": "14.30 WIB" (id), "14:30 WIB" (en).

    The separator is CLDR's 24-hour pattern for the locale; the zone is always
    named because Indonesia has three.
    """
    local = _local(t, tz)
    clock = babel.dates.format_skeleton("Hm", local, locale=locale)
    return f"{clock} {_zone_name(local, locale)}"


# CLDR's atTime date-time patterns ({1} = date, {0} = time), which Babel lacks.
_AT_TIME_PATTERNS = {"id": "{1} 'pukul' {0}", "en": "{1} 'at' {0}"}
_CLDR_QUOTED = re.compile(r"'([^']*)'")


def format_datetime(dt: datetime.datetime, tz: ZoneInfo, locale: str = "id") -> str:
    """ "13 November 2026 pukul 14.30 WIB" (id), "13 November 2026 at 14:30 WIB" (en)."""
    local = _local(dt, tz)
    language = locale.replace("-", "_").split("_")[0]
    pattern = _AT_TIME_PATTERNS.get(language)
    if pattern is None:
        pattern = str(Locale.parse(locale).datetime_formats["long"])
    pattern = _CLDR_QUOTED.sub(r"\1", pattern)
    return pattern.replace("{1}", format_date(local.date(), locale)).replace(
        "{0}", format_time(local, tz, locale)
    )
