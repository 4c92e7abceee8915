"""Working days for SP4N-LAPOR! time limits (3 working days to verify, 5 to follow up...).

A working day is Monday to Friday, minus Indonesian holidays from the maintained
``holidays`` library, minus any ``extra_holidays`` the operator configures (a
regional holiday such as a city's anniversary, or a national holiday declared after
the installed ``holidays`` release).

Cuti bersama (joint leave days, the library's "government" category) count as
days off by default. Reports are handled by civil servants, and the joint leave
decree (SKB 3 Menteri) applies to them: the office is closed, so a deadline that
fell on such a day would escalate a report nobody could have touched. Pass
``include_joint_leave=False`` for an agency that stays open then.

Islamic holidays more than about a year ahead are the library's estimates; they
are recomputed on each start-up with whatever ``holidays`` release is installed,
which is why deadlines are stored as computed timestamps rather than recomputed
later.

All day arithmetic is on local calendar dates in the calendar's time zone: a report
sent at 23.30 WIB on Friday is a Friday report even though it is Friday 16.30 UTC,
and one sent at 06.00 WIB on Monday is a Monday report although it is Sunday in UTC.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import holidays

__all__ = ["WorkingCalendar"]

_SATURDAY = 5
# Seconds, not microseconds: deadlines are shown to the minute and stored to the second.
_END_OF_DAY = datetime.time(23, 59, 59)


class WorkingCalendar:
    def __init__(
        self,
        tz: ZoneInfo,
        country: str = "ID",
        extra_holidays: Iterable[datetime.date] = (),
        *,
        include_joint_leave: bool = True,
    ) -> None:
        self.tz = tz
        self.country = country
        self.extra_holidays = frozenset(extra_holidays)
        supported = set(holidays.list_supported_countries(include_aliases=True).keys())
        if country not in supported:
            raise ValueError(f"the holidays library has no calendar for country {country!r}")
        wanted = {"public", "government"} if include_joint_leave else {"public"}
        categories = getattr(holidays.country_holidays(country), "supported_categories", ())
        self._categories = tuple(sorted(wanted & set(categories))) or ("public",)
        self._by_year: dict[int, frozenset[datetime.date]] = {}

    def _holidays_in(self, year: int) -> frozenset[datetime.date]:
        days = self._by_year.get(year)
        if days is None:
            calendar = holidays.country_holidays(
                self.country, years=year, categories=self._categories
            )
            days = frozenset(calendar.keys())
            self._by_year[year] = days
        return days

    def is_holiday(self, d: datetime.date) -> bool:
        return d in self.extra_holidays or d in self._holidays_in(d.year)

    def is_working_day(self, d: datetime.date) -> bool:
        if isinstance(d, datetime.datetime):
            raise TypeError("pass a local date; use local_date(dt) for a timestamp")
        return d.weekday() < _SATURDAY and not self.is_holiday(d)

    def local_date(self, moment: datetime.datetime) -> datetime.date:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("naive datetime: working days need a time zone to know the date")
        return moment.astimezone(self.tz).date()

    def end_of_day(self, d: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(d, _END_OF_DAY, tzinfo=self.tz)

    def add_working_days(self, start: datetime.datetime, days: int) -> datetime.datetime:
        """The deadline: 23.59.59 local time on the ``days``-th working day after ``start``.

        The day of ``start`` itself never counts, even when it is a working day and
        the report came in at 07.00: that is how SP4N-LAPOR! counts, and it spares
        the citizen a deadline that depends on the hour they wrote. ``days=0``
        gives the end of the start's own local day.
        """
        if days < 0:
            raise ValueError("days must be 0 or more")
        current = self.local_date(start)
        remaining = days
        while remaining:
            current += datetime.timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return self.end_of_day(current)

    def working_days_between(self, start: datetime.datetime, end: datetime.datetime) -> int:
        """Working days whose local date is after ``start``'s and up to ``end``'s.

        Negative when ``end`` is before ``start``. Chosen so that
        ``working_days_between(s, add_working_days(s, n)) == n``: for "time left",
        pass (now, deadline); for "late by", pass (deadline, now), where the day
        the deadline ran out on does not count and today does.
        """
        first, last = self.local_date(start), self.local_date(end)
        if last < first:
            return -self._count_after(last, first)
        return self._count_after(first, last)

    def _count_after(self, first: datetime.date, last: datetime.date) -> int:
        total = (last - first).days
        weeks, rest = divmod(total, 7)
        # Whole weeks hold five weekdays each; only the remainder and holidays need
        # looking at, so a 60-day window does not walk every day.
        weekdays = weeks * 5 + sum(
            1
            for offset in range(1, rest + 1)
            if (first + datetime.timedelta(days=offset)).weekday() < _SATURDAY
        )
        holidays_on_weekdays = {
            d
            for year in range(first.year, last.year + 1)
            for d in self._holidays_in(year) | self.extra_holidays
            if first < d <= last and d.weekday() < _SATURDAY
        }
        return weekdays - len(holidays_on_weekdays)
