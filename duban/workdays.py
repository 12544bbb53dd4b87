"""The working-day calendar (DOMAIN.md §4).

State Council holidays and 调休 make-up days come from ``chinese-calendar``; the ledger's
own overrides (a year the package does not know yet, a local holiday) take precedence.
A later year known to neither is *estimated*: weekdays minus the statutory holidays and their
补假 of 《全国年节及纪念日放假办法》 (:mod:`duban.statutory`); only the 调休 swaps are unknown.
Every answer that touched such a year says so, so the caller can flag the item and warn.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=1)
def builtin_years() -> range:
    """Years the installed chinese-calendar package has the official schedule for."""
    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    return range(years[0], years[-1] + 1)


@dataclass(frozen=True)
class Span:
    """The answer of a working-day computation and the years it had to guess."""

    value: dt.date | int
    uncovered: tuple[int, ...] = ()


ZERO = Span(0)


class WorkCalendar:
    """Working days = chinese-calendar + the ledger's overrides.

    ``overrides`` maps a date to True (a working day, e.g. a 调休 Saturday) or False
    (a holiday). ``entered_years`` are years whose schedule the clerk entered into the
    ledger; they count as covered even beyond the package's range.
    """

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None, entered_years: Iterable[int] = ()):
        self.overrides = MappingProxyType(dict(overrides or {}))  # read-only: answers are memoised
        self.entered_years = frozenset(entered_years)
        self._year_cache: dict[int, list[int]] = {}
        # Answers already given: a ledger asks the same few hundred (deadline, today) pairs for
        # thousands of assignments. Overrides are fixed for the calendar's life, so they never go stale.
        self._between: dict[tuple[dt.date, dt.date], Span] = {}
        self._added: dict[tuple[dt.date, int], Span] = {}
        self.estimated_used: set[int] = set()  # estimated years some answer depended on (one warning each)

    # -- single days ---------------------------------------------------------------
    def covered(self, year: int) -> bool:
        return year in builtin_years() or year in self.entered_years

    def estimated(self, year: int) -> bool:
        """A year after the package's range that nobody entered: statutory holidays only, 调休 unknown."""
        return year >= builtin_years().stop and year not in self.entered_years

    def statutory(self, year: int) -> dict[dt.date, str]:
        """The statutory days off (with 补假) of a year after the package's range; empty before it."""
        if year < builtin_years().stop:
            return {}
        from . import statutory

        return statutory.holidays(year)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in builtin_years():
            # chinese-calendar's own rule, read from its tables: ``is_workday`` validates its argument
            # on every call, which made building a year's index the slowest part of a small command
            return day in chinese_calendar.workdays or (day.weekday() < 5 and day not in chinese_calendar.holidays)
        if self.estimated(day.year):
            self.estimated_used.add(day.year)
        return day.weekday() < 5 and day not in self.statutory(day.year)

    def describe(self, day: dt.date) -> str:
        """Chinese description of one day, for ``calendar show``."""
        if day in self.overrides:
            return "工作日（台账录入）" if self.overrides[day] else "休息日（台账录入）"
        if day.year in builtin_years():
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            label = HOLIDAY_NAMES.get(name, name) if name else None
            if on_holiday:
                return f"节假日（{label}）" if label else "周末"
            return f"调休上班（{label}）" if label and day.weekday() >= 5 else "工作日"
        name = self.statutory(day.year).get(day)
        if name:
            return f"法定节假日（{name}）" if day.year in self.entered_years else f"法定节假日（{name}，估算）"
        if day.year in self.entered_years:
            return "工作日" if day.weekday() < 5 else "周末"
        return "工作日（估算）" if day.weekday() < 5 else "周末（估算）"

    def special_days(self, year: int) -> list[tuple[dt.date, bool, str]]:
        """Days of ``year`` that break the Monday–Friday pattern or were entered by hand."""
        found = []
        day = dt.date(year, 1, 1)
        while day.year == year:
            workday = self.is_workday(day)
            if day in self.overrides or workday != (day.weekday() < 5):
                found.append((day, workday, self.describe(day)))
            day += ONE_DAY
        return found

    # -- per-year index: ordinal positions of working days --------------------------
    def _workdays_of(self, year: int) -> list[int]:
        if self.estimated(year):
            self.estimated_used.add(year)
        cached = self._year_cache.get(year)
        if cached is None:
            day = dt.date(year, 1, 1)
            cached = []
            while day.year == year:
                if self.is_workday(day):
                    cached.append(day.toordinal())
                day += ONE_DAY
            self._year_cache[year] = cached
        return cached

    def _uncovered_between(self, start: dt.date, end: dt.date) -> tuple[int, ...]:
        lo, hi = min(start, end), max(start, end)
        known = builtin_years()
        if lo.year >= known.start and hi.year < known.stop:  # the package's years are contiguous
            return ()
        return tuple(y for y in range(lo.year, hi.year + 1) if not self.covered(y))

    # -- arithmetic ----------------------------------------------------------------
    def add_workdays(self, start: dt.date, n: int) -> Span:
        """The end of working day ``n`` counted after ``start`` (day 1 = next working day).

        交办 on 2026-09-30 + 3 → 2026-10-10 (国庆 10-01..07 off, Saturday 10-10 worked).
        """
        if n < 1:
            raise ValueError("n must be at least 1")
        found = self._added.get((start, n))
        if found is None:
            found = self._added[start, n] = self._add_workdays(start, n)
        return found

    def _add_workdays(self, start: dt.date, n: int) -> Span:
        year = start.year
        ordinal = start.toordinal()
        remaining = n
        while True:
            days = self._workdays_of(year)
            pos = bisect.bisect_right(days, ordinal)
            available = len(days) - pos
            if remaining <= available:
                end = dt.date.fromordinal(days[pos + remaining - 1])
                return Span(end, self._uncovered_between(start + ONE_DAY, end))
            remaining -= available
            year += 1
            ordinal = dt.date(year, 1, 1).toordinal() - 1

    def workdays_between(self, start: dt.date, end: dt.date) -> Span:
        """Number of working days in the half-open span (start, end]; 0 when end <= start."""
        if end <= start:
            return ZERO
        found = self._between.get((start, end))
        if found is None:
            found = self._between[start, end] = self._count_between(start, end)
        return found

    def _count_between(self, start: dt.date, end: dt.date) -> Span:
        total = 0
        for year in range(start.year, end.year + 1):
            days = self._workdays_of(year)
            lo = bisect.bisect_right(days, start.toordinal())
            hi = bisect.bisect_right(days, end.toordinal())
            total += hi - lo
        return Span(total, self._uncovered_between(start + ONE_DAY, end))

    def workday_back(self, day: dt.date, n: int) -> dt.date | None:
        """The ``n``-th working day counted back from ``day`` (``day`` itself first, when it is one);
        None before 1900. Working days in (that day, ``day``] are n - 1: the date from which a
        deadline is at most n - 1 working days away (临期)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        year, ordinal = day.year, day.toordinal()
        while year >= 1900:
            days = self._workdays_of(year)
            pos = bisect.bisect_right(days, ordinal)
            if pos >= n:
                return dt.date.fromordinal(days[pos - n])
            n -= pos
            year -= 1
            ordinal = dt.date(year, 12, 31).toordinal()
        return None

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day on or after ``day``."""
        while not self.is_workday(day):
            day += ONE_DAY
        return day


HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
