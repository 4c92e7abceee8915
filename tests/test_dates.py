from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.language.accessibility import MessageContext, check_message
from bot.language.dates import (
    DateError,
    format_date,
    format_datetime,
    format_time,
    parse_incident_date,
)

TODAY = datetime.date(2026, 11, 20)  # a Friday
D = datetime.date
JAKARTA = ZoneInfo("Asia/Jakarta")
MAKASSAR = ZoneInfo("Asia/Makassar")
JAYAPURA = ZoneInfo("Asia/Jayapura")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hari ini", TODAY),
        ("Hari Ini", TODAY),
        ("  kemarin!! ", D(2026, 11, 19)),
        ("KEMARIN", D(2026, 11, 19)),
        ("kemarin lusa", D(2026, 11, 18)),
        ("2 hari lalu", D(2026, 11, 18)),
        ("2 hari yang lalu", D(2026, 11, 18)),
        ("dua hari yang lalu", D(2026, 11, 18)),
        ("sepuluh hari lalu", D(2026, 11, 10)),
        ("seminggu yang lalu", D(2026, 11, 13)),
        ("3 minggu lalu", D(2026, 10, 30)),
        ("13 November 2026", D(2026, 11, 13)),
        ("13 november 2026", D(2026, 11, 13)),
        ("13 nov 2026", D(2026, 11, 13)),
        ("13 Nov. 2026", D(2026, 11, 13)),
        ("13 Nopember 2026", D(2026, 11, 13)),
        ("3 Pebruari 2026", D(2026, 2, 3)),
        ("17 Agt 2026", D(2026, 8, 17)),
        ("17 Agustus 2026", D(2026, 8, 17)),
        ("13nov2026", D(2026, 11, 13)),
        ("13-11-2026", D(2026, 11, 13)),
        ("13/11/2026", D(2026, 11, 13)),
        ("13.11.2026", D(2026, 11, 13)),
        ("13 - 11 - 2026", D(2026, 11, 13)),
        ("3/2/2026", D(2026, 2, 3)),
        ("2026-11-13", D(2026, 11, 13)),
        ("13-11-26", D(2026, 11, 13)),
        ("11/13/2026", D(2026, 11, 13)),  # month-first only when day-first is impossible
        ("13 November", D(2026, 11, 13)),
        ("20 November", TODAY),
        ("21 November", D(2025, 11, 21)),  # this year's is still to come: last year
        ("25 Desember", D(2025, 12, 25)),
        ("13/11", D(2026, 11, 13)),
        ("tanggal 13 November 2026", D(2026, 11, 13)),
        ("tgl. 13-11-2026", D(2026, 11, 13)),
        ("Senin, 16 November 2026", D(2026, 11, 16)),
        ("hari Senin 16 November 2026", D(2026, 11, 16)),
        ("2026 November 13", D(2026, 11, 13)),
        ("1 Januari 1990", D(1990, 1, 1)),
    ],
)
def test_parse_indonesian(text: str, expected: datetime.date) -> None:
    assert parse_incident_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", TODAY),
        ("Yesterday.", D(2026, 11, 19)),
        ("the day before yesterday", D(2026, 11, 18)),
        ("2 days ago", D(2026, 11, 18)),
        ("a week ago", D(2026, 11, 13)),
        ("three days ago", D(2026, 11, 17)),
        ("13 November 2026", D(2026, 11, 13)),
        ("November 13, 2026", D(2026, 11, 13)),
        ("Nov 13th, 2026", D(2026, 11, 13)),
        ("the 13th of November 2026", D(2026, 11, 13)),
        ("Friday, November 13, 2026", D(2026, 11, 13)),
        ("November 13", D(2026, 11, 13)),
        ("kemarin", D(2026, 11, 19)),  # Indonesian words work in English too
    ],
)
def test_parse_english(text: str, expected: datetime.date) -> None:
    assert parse_incident_date(text, TODAY, locale="en") == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "unreadable"),
        ("   ", "unreadable"),
        ("entahlah", "unreadable"),
        ("Senin", "unreadable"),  # which Monday?
        ("13", "unreadable"),
        ("2026", "unreadable"),
        ("November 2026", "unreadable"),
        ("13 November 2026 sekitar pukul 3", "unreadable"),
        ("13 November 226", "unreadable"),
        ("13 Nov Des 2026", "unreadable"),
        ("31 Februari 2026", "invalid"),
        ("29-02-2026", "invalid"),
        ("13-13-2026", "invalid"),
        ("0 November 2026", "invalid"),
        ("32/11", "invalid"),
        ("13-11-0026", "invalid"),
        ("29 Februari", "invalid"),  # neither 2026 nor 2025 has one
        ("besok", "future"),
        ("lusa", "future"),
        ("tomorrow", "future"),
        ("21 November 2026", "future"),
        ("21-11-26", "future"),
        ("1 Januari 2030", "future"),
    ],
)
def test_parse_errors(text: str, reason: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_incident_date(text, TODAY)
    assert caught.value.reason == reason
    assert isinstance(caught.value, ValueError)


def test_29_february_without_year_in_a_leap_year() -> None:
    assert parse_incident_date("29 Februari", D(2028, 3, 1)) == D(2028, 2, 29)
    # In January 2028 the only 29 February to mean is still to come.
    with pytest.raises(DateError) as caught:
        parse_incident_date("29 Februari", D(2028, 1, 10))
    assert caught.value.reason == "future"


def test_today_is_the_callers_local_date() -> None:
    new_year = D(2027, 1, 1)
    assert parse_incident_date("kemarin", new_year) == D(2026, 12, 31)
    assert parse_incident_date("31 Desember", new_year) == D(2026, 12, 31)


@pytest.mark.parametrize("locale", ["id", "en"])
def test_format_then_parse_round_trips_for_every_day_of_a_year(locale: str) -> None:
    day = D(2025, 11, 21)
    while day <= TODAY:
        assert parse_incident_date(format_date(day, locale), TODAY, locale) == day
        day += datetime.timedelta(days=1)


def test_format_date() -> None:
    assert format_date(D(2026, 11, 13)) == "13 November 2026"
    assert format_date(D(2026, 11, 3)) == "3 November 2026"
    assert format_date(D(2026, 8, 17)) == "17 Agustus 2026"
    assert format_date(D(2026, 2, 1), "en") == "1 February 2026"
    assert format_date(D(2026, 11, 13), "en") == "13 November 2026"


def test_format_date_refuses_a_datetime() -> None:
    with pytest.raises(TypeError):
        format_date(datetime.datetime(2026, 11, 13, 20, tzinfo=datetime.UTC))


@pytest.mark.parametrize(
    ("tz", "locale", "expected"),
    [
        (JAKARTA, "id", "14.30 WIB"),
        (MAKASSAR, "id", "15.30 WITA"),
        (JAYAPURA, "id", "16.30 WIT"),
        (JAKARTA, "en", "14:30 WIB"),
        (MAKASSAR, "en", "15:30 WITA"),
        (JAYAPURA, "en", "16:30 WIT"),
    ],
)
def test_format_time(tz: ZoneInfo, locale: str, expected: str) -> None:
    moment = datetime.datetime(2026, 11, 13, 7, 30, tzinfo=datetime.UTC)
    assert format_time(moment, tz, locale) == expected


def test_format_time_converts_and_pads() -> None:
    moment = datetime.datetime(2026, 11, 13, 8, 5, tzinfo=JAKARTA)
    assert format_time(moment, JAKARTA) == "08.05 WIB"
    assert format_time(moment, JAYAPURA) == "10.05 WIT"


def test_format_time_outside_indonesia_names_the_offset() -> None:
    moment = datetime.datetime(2026, 11, 13, 7, 30, tzinfo=datetime.UTC)
    assert format_time(moment, ZoneInfo("Asia/Singapore")) == "15.30 UTC+8"
    assert format_time(moment, ZoneInfo("Asia/Kolkata")) == "13.00 UTC+5.30"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        format_time(datetime.datetime(2026, 11, 13, 7, 30), JAKARTA)
    with pytest.raises(ValueError):
        format_datetime(datetime.datetime(2026, 11, 13, 7, 30), JAKARTA)


def test_format_datetime() -> None:
    moment = datetime.datetime(2026, 11, 13, 7, 30, tzinfo=datetime.UTC)
    assert format_datetime(moment, JAKARTA) == "13 November 2026 pukul 14.30 WIB"
    assert format_datetime(moment, JAKARTA, "en") == "13 November 2026 at 14:30 WIB"


def test_format_datetime_uses_the_local_date() -> None:
    # 20.00 UTC on 13 November is already 14 November in Jayapura.
    moment = datetime.datetime(2026, 11, 13, 20, 0, tzinfo=datetime.UTC)
    assert format_datetime(moment, JAYAPURA) == "14 November 2026 pukul 05.00 WIT"
    assert format_datetime(moment, JAKARTA) == "14 November 2026 pukul 03.00 WIB"


@pytest.mark.parametrize("locale", ["id", "en"])
def test_formatted_output_passes_the_accessibility_checker(locale: str) -> None:
    for month in range(1, 13):
        moment = datetime.datetime(2026, month, 9, 1, 5, tzinfo=datetime.UTC)
        for tz in (JAKARTA, MAKASSAR, JAYAPURA):
            text = f"{format_datetime(moment, tz, locale)}."
            assert check_message(text, MessageContext(locale=locale)) == [], text
        assert "/" not in format_date(moment.date(), locale)
