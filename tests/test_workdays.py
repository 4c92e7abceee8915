from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.workdays import WorkingCalendar

JAKARTA = ZoneInfo("Asia/Jakarta")
MAKASSAR = ZoneInfo("Asia/Makassar")
D = datetime.date


def at(
    year: int, month: int, day: int, hour: int = 10, tz: ZoneInfo = JAKARTA
) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=tz)


def end_of(year: int, month: int, day: int, tz: ZoneInfo = JAKARTA) -> datetime.datetime:
    return datetime.datetime(year, month, day, 23, 59, 59, tzinfo=tz)


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar(JAKARTA)


def test_is_working_day(calendar: WorkingCalendar) -> None:
    assert calendar.is_working_day(D(2026, 11, 13))  # Friday
    assert not calendar.is_working_day(D(2026, 11, 14))  # Saturday
    assert not calendar.is_working_day(D(2026, 11, 15))  # Sunday
    assert not calendar.is_working_day(D(2026, 8, 17))  # Hari Kemerdekaan, a Monday
    assert calendar.is_working_day(D(2026, 8, 18))
    assert not calendar.is_working_day(D(2026, 12, 25))  # Natal, a Friday
    assert not calendar.is_working_day(D(2026, 12, 24))  # cuti bersama Natal
    assert not calendar.is_working_day(D(2027, 1, 1))


def test_joint_leave_can_be_excluded() -> None:
    calendar = WorkingCalendar(JAKARTA, include_joint_leave=False)
    assert calendar.is_working_day(D(2026, 12, 24))
    assert not calendar.is_working_day(D(2026, 12, 25))


def test_extra_holidays() -> None:
    # Hari Jadi Kota Bandung, 25 September (a Friday in 2026), is a regional holiday.
    calendar = WorkingCalendar(JAKARTA, extra_holidays=[D(2026, 9, 25)])
    assert not calendar.is_working_day(D(2026, 9, 25))
    assert calendar.add_working_days(at(2026, 9, 24), 1) == end_of(2026, 9, 28)
    assert calendar.working_days_between(at(2026, 9, 24), at(2026, 9, 28)) == 1


def test_is_working_day_wants_a_date(calendar: WorkingCalendar) -> None:
    with pytest.raises(TypeError):
        calendar.is_working_day(at(2026, 11, 13))


def test_across_a_weekend(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(at(2026, 11, 13), 1) == end_of(2026, 11, 16)
    assert calendar.add_working_days(at(2026, 11, 12), 3) == end_of(2026, 11, 17)


def test_counting_starts_the_day_after_even_early_in_the_morning(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(at(2026, 11, 16, hour=0), 1) == end_of(2026, 11, 17)
    assert calendar.add_working_days(at(2026, 11, 16, hour=23), 1) == end_of(2026, 11, 17)


def test_zero_days_is_the_end_of_the_start_day(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(at(2026, 11, 14), 0) == end_of(2026, 11, 14)
    with pytest.raises(ValueError):
        calendar.add_working_days(at(2026, 11, 14), -1)


def test_start_on_a_saturday(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(at(2026, 11, 14), 1) == end_of(2026, 11, 16)
    assert calendar.add_working_days(at(2026, 11, 14), 3) == end_of(2026, 11, 18)
    assert calendar.add_working_days(at(2026, 11, 15), 1) == end_of(2026, 11, 16)


def test_across_17_august(calendar: WorkingCalendar) -> None:
    # Friday 14 August 2026; Monday 17 August is Hari Kemerdekaan.
    assert calendar.add_working_days(at(2026, 8, 14), 1) == end_of(2026, 8, 18)
    assert calendar.add_working_days(at(2026, 8, 14), 3) == end_of(2026, 8, 20)


def test_across_christmas_with_and_without_joint_leave(calendar: WorkingCalendar) -> None:
    # Wednesday 23 December 2026: 24th cuti bersama, 25th Natal, then a weekend.
    assert calendar.add_working_days(at(2026, 12, 23), 1) == end_of(2026, 12, 28)
    assert calendar.add_working_days(at(2026, 12, 23), 3) == end_of(2026, 12, 30)
    public_only = WorkingCalendar(JAKARTA, include_joint_leave=False)
    assert public_only.add_working_days(at(2026, 12, 23), 1) == end_of(2026, 12, 24)
    assert public_only.add_working_days(at(2026, 12, 23), 3) == end_of(2026, 12, 29)


def test_across_year_end(calendar: WorkingCalendar) -> None:
    # Thursday 31 December 2026, Friday 1 January 2027 is Tahun Baru.
    assert calendar.add_working_days(at(2026, 12, 30), 1) == end_of(2026, 12, 31)
    assert calendar.add_working_days(at(2026, 12, 30), 2) == end_of(2027, 1, 4)
    # Tuesday 5 January 2027 is Isra Mikraj: the next year's holidays count too.
    assert not calendar.is_working_day(D(2027, 1, 5))
    assert calendar.add_working_days(at(2026, 12, 30), 5) == end_of(2027, 1, 8)
    assert calendar.working_days_between(at(2026, 12, 30), at(2027, 1, 8)) == 5


def test_the_local_date_decides_not_utc(calendar: WorkingCalendar) -> None:
    # 17.30 UTC on Thursday is 00.30 WIB on Friday: a Friday report.
    utc_thursday_evening = datetime.datetime(2026, 11, 12, 17, 30, tzinfo=datetime.UTC)
    deadline = calendar.add_working_days(utc_thursday_evening, 1)
    assert deadline == end_of(2026, 11, 16)
    assert deadline.tzinfo == JAKARTA
    assert deadline.utcoffset() == datetime.timedelta(hours=7)
    assert calendar.local_date(utc_thursday_evening) == D(2026, 11, 13)


def test_a_calendar_in_another_zone() -> None:
    makassar = WorkingCalendar(MAKASSAR)
    # 16.30 UTC on Friday is 00.30 WITA on Saturday, but still Friday in Jakarta.
    moment = datetime.datetime(2026, 11, 13, 16, 30, tzinfo=datetime.UTC)
    assert makassar.add_working_days(moment, 1) == end_of(2026, 11, 16, MAKASSAR)
    assert makassar.add_working_days(moment, 1).utcoffset() == datetime.timedelta(hours=8)
    assert makassar.local_date(moment) == D(2026, 11, 14)
    assert WorkingCalendar(JAKARTA).local_date(moment) == D(2026, 11, 13)


def test_naive_datetimes_are_refused(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError):
        calendar.add_working_days(datetime.datetime(2026, 11, 13, 10), 1)
    with pytest.raises(ValueError):
        calendar.working_days_between(datetime.datetime(2026, 11, 13, 10), at(2026, 11, 16))


def test_working_days_between(calendar: WorkingCalendar) -> None:
    assert calendar.working_days_between(at(2026, 11, 16, 8), at(2026, 11, 16, 17)) == 0
    assert calendar.working_days_between(at(2026, 11, 13), at(2026, 11, 16)) == 1
    assert calendar.working_days_between(at(2026, 11, 13), at(2026, 11, 15)) == 0
    assert calendar.working_days_between(at(2026, 11, 16), at(2026, 11, 13)) == -1
    assert calendar.working_days_between(at(2026, 8, 14), at(2026, 8, 18)) == 1
    # "Time left": now Monday 10.00, deadline end of Wednesday.
    assert calendar.working_days_between(at(2026, 11, 16), end_of(2026, 11, 18)) == 2
    # "Late by": deadline end of Wednesday, now Friday.
    assert calendar.working_days_between(end_of(2026, 11, 18), at(2026, 11, 20)) == 2


def test_round_trip_and_antisymmetry_over_two_years(calendar: WorkingCalendar) -> None:
    start = at(2026, 1, 1)
    for offset in range(0, 730, 3):
        moment = start + datetime.timedelta(days=offset)
        for days in (0, 1, 3, 5, 10, 14, 42):
            deadline = calendar.add_working_days(moment, days)
            assert calendar.working_days_between(moment, deadline) == days
            assert calendar.working_days_between(deadline, moment) == -days
            assert calendar.is_working_day(deadline.date()) or days == 0


def test_between_matches_a_day_by_day_count(calendar: WorkingCalendar) -> None:
    first = D(2026, 11, 1)
    for span in range(0, 400, 7):
        for shift in range(7):
            a = first + datetime.timedelta(days=shift)
            b = a + datetime.timedelta(days=span)
            expected = sum(
                calendar.is_working_day(a + datetime.timedelta(days=k)) for k in range(1, span + 1)
            )
            assert (
                calendar.working_days_between(
                    at(a.year, a.month, a.day), at(b.year, b.month, b.day)
                )
                == expected
            )


def test_unknown_country() -> None:
    with pytest.raises(ValueError):
        WorkingCalendar(JAKARTA, country="XX")


def test_another_country_without_joint_leave_category() -> None:
    calendar = WorkingCalendar(ZoneInfo("Asia/Singapore"), country="SG")
    assert not calendar.is_working_day(D(2026, 12, 25))
    assert calendar.is_working_day(D(2026, 12, 24))
