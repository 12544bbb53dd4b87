"""Tests for the working-day calendar (duban.workdays, DOMAIN.md §4).

Expected 2026 values follow the State Council 2026 holiday notice (国办发明电〔2025〕7号)
and were cross-checked against ``chinese_calendar`` 1.11.0; the two agree on every day
listed here. Cases for a year the package does not cover use ``FUTURE``, the first year
after the installed package's range (2027 for 1.11.0), so they keep working when a new
release adds a year: such a year is estimated as weekdays minus the statutory holidays of
《全国年节及纪念日放假办法》 (with 补假) and reported in ``Span.uncovered``; the 2027 days
themselves are checked day by day in tests/test_statutory.py.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

import duban.workdays
from duban import statutory
from duban.workdays import Span, WorkCalendar, builtin_years

D = dt.date.fromisoformat
CAL = WorkCalendar()  # shared: hypothesis dislikes function-scoped fixtures

# The first year the installed chinese-calendar does not cover (2027 with 1.11.0).
FUTURE = duban.workdays.builtin_years().stop
JAN1 = dt.date(FUTURE, 1, 1)
DEC31_BEFORE = dt.date(FUTURE - 1, 12, 31)  # last day of the last covered year
FIRST_SAT = JAN1 + dt.timedelta(days=(5 - JAN1.weekday()) % 7)  # first Saturday of FUTURE
FIRST_MON = JAN1 + dt.timedelta(days=(7 - JAN1.weekday()) % 7)  # first Monday of FUTURE
ONE = dt.timedelta(days=1)


def _estimated_workday(day: dt.date) -> bool:
    """Oracle for an uncovered year: Mon–Fri and not a statutory holiday or 补假."""
    return day.weekday() < 5 and day not in statutory.holidays(day.year)


def _weekdays_after(day: dt.date, n: int) -> dt.date:
    """Oracle for an uncovered year: the n-th estimated working day after ``day``."""
    while n:
        day += ONE
        n -= _estimated_workday(day)
    return day


def _count_weekdays(a: dt.date, b: dt.date) -> int:
    """Oracle for an uncovered year: estimated working days in (a, b]."""
    return sum(_estimated_workday(a + dt.timedelta(days=i)) for i in range(1, (b - a).days + 1))


# -- coverage ------------------------------------------------------------------------


def test_builtin_years_start_2004_and_include_2026():
    # The 2026 cases below rely on 2026 being covered; later years may be covered or not.
    years = builtin_years()
    assert years.start == 2004
    assert 2026 in years
    assert FUTURE == years.stop >= 2027


@pytest.mark.parametrize(
    ("year", "covered"),
    [(2003, False), (2004, True), (2025, True), (2026, True), (FUTURE - 1, True), (FUTURE, False)],
)
def test_covered(year, covered):
    assert CAL.covered(year) is covered


def test_entered_year_counts_as_covered():
    assert WorkCalendar(entered_years={FUTURE}).covered(FUTURE)


# -- is_workday on real 2026 days ------------------------------------------------------

IS_WORKDAY_2026 = [
    # 元旦: 01-01..03 off, Sunday 01-04 worked
    ("2025-12-31", True, "Wed before 元旦"),
    ("2026-01-01", False, "元旦"),
    ("2026-01-02", False, "元旦 (Fri)"),
    ("2026-01-03", False, "元旦 (Sat)"),
    ("2026-01-04", True, "元旦 调休 Sunday"),
    ("2026-01-05", True, "Mon after 元旦"),
    # 春节: 02-15..23 off, Saturdays 02-14 and 02-28 worked
    ("2026-02-13", True, "Fri before 春节"),
    ("2026-02-14", True, "春节 调休 Saturday"),
    ("2026-02-15", False, "春节 first day (Sun)"),
    ("2026-02-17", False, "春节 (Tue, 初一)"),
    ("2026-02-20", False, "春节 (Fri)"),
    ("2026-02-23", False, "春节 last day (Mon)"),
    ("2026-02-24", True, "Tue after 春节"),
    ("2026-02-28", True, "春节 调休 Saturday"),
    ("2026-03-01", False, "ordinary Sunday after 02-28"),
    # 清明: 04-04..06 off, no make-up day
    ("2026-04-03", True, "Fri before 清明"),
    ("2026-04-04", False, "清明 (Sat)"),
    ("2026-04-05", False, "清明 (Sun)"),
    ("2026-04-06", False, "清明 (Mon)"),
    ("2026-04-07", True, "Tue after 清明"),
    # 劳动节: 05-01..05 off, Saturday 05-09 worked
    ("2026-04-30", True, "Thu before 劳动节"),
    ("2026-05-01", False, "劳动节 (Fri)"),
    ("2026-05-04", False, "劳动节 (Mon)"),
    ("2026-05-05", False, "劳动节 last day (Tue)"),
    ("2026-05-06", True, "Wed after 劳动节"),
    ("2026-05-09", True, "劳动节 调休 Saturday"),
    ("2026-05-10", False, "ordinary Sunday after 05-09"),
    # 端午: 06-19..21 off, no make-up day
    ("2026-06-18", True, "Thu before 端午"),
    ("2026-06-19", False, "端午 (Fri)"),
    ("2026-06-21", False, "端午 (Sun)"),
    ("2026-06-22", True, "Mon after 端午"),
    # 中秋: 09-25..27 off (separate from 国庆 in 2026), no make-up day of its own
    ("2026-09-24", True, "Thu before 中秋"),
    ("2026-09-25", False, "中秋 (Fri)"),
    ("2026-09-26", False, "中秋 (Sat)"),
    ("2026-09-27", False, "中秋 (Sun)"),
    ("2026-09-28", True, "Mon after 中秋"),
    # 国庆: 10-01..07 off, Sunday 09-20 and Saturday 10-10 worked
    ("2026-09-19", False, "ordinary Saturday before 09-20"),
    ("2026-09-20", True, "国庆 调休 Sunday"),
    ("2026-09-30", True, "Wed before 国庆"),
    ("2026-10-01", False, "国庆"),
    ("2026-10-05", False, "国庆 (Mon)"),
    ("2026-10-07", False, "国庆 last day (Wed)"),
    ("2026-10-08", True, "Thu after 国庆"),
    ("2026-10-09", True, "Fri after 国庆"),
    ("2026-10-10", True, "国庆 调休 Saturday"),
    ("2026-10-11", False, "ordinary Sunday after 10-10"),
    # ordinary days
    ("2026-03-11", True, "ordinary Wednesday"),
    ("2026-03-13", True, "ordinary Friday"),
    ("2026-03-14", False, "ordinary Saturday"),
    ("2026-03-15", False, "ordinary Sunday"),
    ("2026-12-31", True, "last day of 2026 (Thu)"),
]


@pytest.mark.parametrize(("day", "expected", "why"), IS_WORKDAY_2026, ids=[c[0] for c in IS_WORKDAY_2026])
def test_is_workday(day, expected, why):
    assert CAL.is_workday(D(day)) is expected, why


def test_is_workday_agrees_with_chinese_calendar_on_every_covered_day():
    cal, day = WorkCalendar(), dt.date(builtin_years().start, 1, 1)
    while day.year < builtin_years().stop:
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_workday_count_of_2026():
    # 261 weekdays − 19 weekday holidays + 6 make-up weekend days
    assert CAL.workdays_between(D("2025-12-31"), D("2026-12-31")) == Span(248)


# FUTURE is uncovered: estimated, so its 元旦 is off whatever the weekday
IS_WORKDAY_FUTURE = [
    (JAN1, False, "元旦 of FUTURE is a statutory holiday"),
    (FIRST_SAT, False, "first Saturday of FUTURE"),
    (FIRST_SAT + ONE, False, "first Sunday of FUTURE"),
    (FIRST_SAT + 2 * ONE, True, "Monday after the first weekend of FUTURE"),
]


@pytest.mark.parametrize(
    ("day", "expected", "why"), IS_WORKDAY_FUTURE, ids=[c[0].isoformat() for c in IS_WORKDAY_FUTURE]
)
def test_is_workday_uncovered(day, expected, why):
    assert CAL.is_workday(day) is expected, why


def test_uncovered_year_is_weekdays_minus_statutory_holidays():
    day = JAN1
    while day.year == FUTURE:
        assert CAL.is_workday(day) is _estimated_workday(day), day
        day += ONE
    assert CAL.workdays_between(DEC31_BEFORE, dt.date(FUTURE, 12, 31)) == Span(
        _count_weekdays(DEC31_BEFORE, dt.date(FUTURE, 12, 31)), (FUTURE,)
    )


# -- add_workdays -----------------------------------------------------------------------

ADD_CASES = [
    # (start, n, expected end, uncovered, why)
    ("2026-09-30", 3, "2026-10-10", (), "DOMAIN §4 example: 国庆 off, 10-10 调休 Saturday"),
    ("2026-09-30", 1, "2026-10-08", (), "first day after 国庆"),
    ("2026-09-30", 4, "2026-10-12", (), "past the 调休 Saturday, Sunday skipped"),
    ("2026-10-03", 1, "2026-10-08", (), "start on a holiday: count from the next working day"),
    ("2026-10-07", 1, "2026-10-08", (), "start on the last holiday"),
    ("2026-03-15", 1, "2026-03-16", (), "start on an ordinary Sunday"),
    ("2026-10-10", 1, "2026-10-12", (), "start on a 调休 Saturday"),
    ("2026-02-14", 1, "2026-02-24", (), "start on the 春节 调休 Saturday"),
    ("2026-09-19", 1, "2026-09-20", (), "ordinary Saturday → 调休 Sunday"),
    ("2026-02-13", 1, "2026-02-14", (), "Friday → 调休 Saturday before 春节"),
    ("2026-02-13", 2, "2026-02-24", (), "across 春节"),
    ("2026-02-12", 5, "2026-02-26", (), "across 春节, 5 days"),
    ("2026-02-26", 2, "2026-02-28", (), "onto the 春节 调休 Saturday"),
    ("2026-04-30", 1, "2026-05-06", (), "across 劳动节"),
    ("2026-04-30", 4, "2026-05-09", (), "across 劳动节 onto 调休 Saturday"),
    ("2026-04-30", 5, "2026-05-11", (), "across 劳动节, Sunday 05-10 skipped"),
    ("2026-09-24", 1, "2026-09-28", (), "across 中秋"),
    ("2026-09-18", 1, "2026-09-20", (), "Friday → 调休 Sunday"),
    ("2025-12-31", 1, "2026-01-04", (), "across 元旦 onto 调休 Sunday"),
    ("2026-03-13", 1, "2026-03-16", (), "n=1 from a Friday → Monday"),
    ("2026-03-11", 15, "2026-04-01", (), "default 15 working days, no holidays"),
    ("2026-12-30", 1, "2026-12-31", (), "stays in 2026"),
    ("2026-12-25", 4, "2026-12-31", (), "to the last day of 2026, weekend skipped"),
]


@pytest.mark.parametrize(
    ("start", "n", "end", "uncovered", "why"), ADD_CASES, ids=[f"{c[0]}+{c[1]}" for c in ADD_CASES]
)
def test_add_workdays(start, n, end, uncovered, why):
    assert CAL.add_workdays(D(start), n) == Span(D(end), uncovered), why


def test_add_workdays_from_2026_year_end():
    # Holds whether or not the installed package covers 2027.
    span = CAL.add_workdays(D("2026-12-31"), 1)
    if CAL.covered(2027):
        day = D("2027-01-01")
        while not chinese_calendar.is_workday(day):
            day += ONE
        assert span == Span(day, ())
    else:
        assert span == Span(D("2027-01-04"), (2027,))  # Friday 元旦 is a statutory holiday even when estimated


def _future_add_cases():
    dec20 = dt.date(FUTURE - 1, 12, 20)
    # working days of the covered year after Dec 20, per the package's own schedule
    # (late December may hold a 调休 day for the next 元旦)
    rest = [d for d in (dec20 + i * ONE for i in range(1, 12)) if chinese_calendar.is_workday(d)]
    left, last_in_year = len(rest), rest[-1]
    return [
        (DEC31_BEFORE, 1, _weekdays_after(DEC31_BEFORE, 1), (FUTURE,), "into uncovered FUTURE"),
        (DEC31_BEFORE, 3, _weekdays_after(DEC31_BEFORE, 3), (FUTURE,), "into FUTURE, weekends skipped"),
        (dec20, left, last_in_year, (), "Dec 20 to the last working day of the covered year"),
        (dec20, left + 1, _weekdays_after(DEC31_BEFORE, 1), (FUTURE,), "across the year boundary"),
        (dec20, left + 5, _weekdays_after(DEC31_BEFORE, 5), (FUTURE,), "across the boundary, 5 into FUTURE"),
        (FIRST_MON, 1, FIRST_MON + ONE, (FUTURE,), "entirely in FUTURE: Monday → Tuesday"),
        (FIRST_MON, 5, FIRST_MON + 7 * ONE, (FUTURE,), "entirely in FUTURE: weekend skipped"),
        (FIRST_SAT, 1, FIRST_SAT + 2 * ONE, (FUTURE,), "from an uncovered Saturday"),
    ]


FUTURE_ADD_CASES = _future_add_cases()


@pytest.mark.parametrize(
    ("start", "n", "end", "uncovered", "why"),
    FUTURE_ADD_CASES,
    ids=[f"{c[0].isoformat()}+{c[1]}" for c in FUTURE_ADD_CASES],
)
def test_add_workdays_uncovered(start, n, end, uncovered, why):
    assert CAL.add_workdays(start, n) == Span(end, uncovered), why


@pytest.mark.parametrize("n", [0, -1, -15])
def test_add_workdays_rejects_n_below_one(n):
    with pytest.raises(ValueError):
        CAL.add_workdays(D("2026-03-11"), n)


# -- workdays_between -------------------------------------------------------------------

BETWEEN_CASES = [
    # (a, b, count, uncovered, why)
    ("2026-10-10", "2026-10-10", 0, (), "b == a"),
    ("2026-10-10", "2026-09-30", 0, (), "b < a"),
    ("2026-09-30", "2026-10-10", 3, (), "DOMAIN §4 example, (a, b]"),
    ("2026-09-30", "2026-10-07", 0, (), "only 国庆 holidays"),
    ("2026-09-29", "2026-09-30", 1, (), "b itself counts"),
    ("2026-09-30", "2026-10-01", 0, (), "a itself does not count"),
    ("2026-02-13", "2026-02-28", 6, (), "across 春节 incl. both 调休 Saturdays"),
    ("2026-04-30", "2026-05-10", 4, (), "across 劳动节"),
    ("2026-03-13", "2026-03-16", 1, (), "Friday → Monday"),
    ("2026-12-30", "2026-12-31", 1, (), "end in 2026: nothing uncovered"),
]


@pytest.mark.parametrize(
    ("a", "b", "count", "uncovered", "why"), BETWEEN_CASES, ids=[f"{c[0]}..{c[1]}" for c in BETWEEN_CASES]
)
def test_workdays_between(a, b, count, uncovered, why):
    assert CAL.workdays_between(D(a), D(b)) == Span(count, uncovered), why


FUTURE_BETWEEN_CASES = [
    (dt.date(FUTURE, 3, 1), dt.date(FUTURE - 1, 3, 1), 0, (), "b < a, even across an uncovered year"),
    (DEC31_BEFORE, JAN1 + 7 * ONE, _count_weekdays(DEC31_BEFORE, JAN1 + 7 * ONE), (FUTURE,),
     "into uncovered FUTURE, weekends only"),
    (FIRST_MON, FIRST_MON + 14 * ONE, 10, (FUTURE,), "two weeks inside FUTURE"),
    (FIRST_SAT, FIRST_SAT + ONE, 0, (FUTURE,), "only an uncovered weekend"),
]


@pytest.mark.parametrize(
    ("a", "b", "count", "uncovered", "why"),
    FUTURE_BETWEEN_CASES,
    ids=[f"{c[0].isoformat()}..{c[1].isoformat()}" for c in FUTURE_BETWEEN_CASES],
)
def test_workdays_between_uncovered(a, b, count, uncovered, why):
    assert CAL.workdays_between(a, b) == Span(count, uncovered), why


# -- next_workday -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-03-11", "2026-03-11"),  # already a working day
        ("2026-03-14", "2026-03-16"),  # ordinary Saturday
        ("2026-10-01", "2026-10-08"),  # 国庆
        ("2026-10-10", "2026-10-10"),  # 调休 Saturday
        ("2026-02-15", "2026-02-24"),  # 春节
    ],
)
def test_next_workday(day, expected):
    assert CAL.next_workday(D(day)) == D(expected)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (FIRST_MON, FIRST_MON),  # uncovered: weekday counts
        (JAN1, _weekdays_after(JAN1, 1)),  # uncovered 元旦: a statutory holiday
        (FIRST_SAT, FIRST_SAT + 2 * ONE),  # uncovered Saturday
    ],
)
def test_next_workday_uncovered(day, expected):
    assert CAL.next_workday(day) == expected


# -- overrides ----------------------------------------------------------------------------


def test_override_holiday_on_a_weekday_is_skipped():
    cal = WorkCalendar(overrides={D("2026-03-11"): False})  # local holiday on a Wednesday
    assert not cal.is_workday(D("2026-03-11"))
    assert cal.add_workdays(D("2026-03-10"), 1) == Span(D("2026-03-12"))
    assert cal.workdays_between(D("2026-03-09"), D("2026-03-13")) == Span(3)
    assert cal.next_workday(D("2026-03-11")) == D("2026-03-12")


def test_override_workday_on_a_sunday_counts():
    cal = WorkCalendar(overrides={D("2026-03-15"): True})
    assert cal.is_workday(D("2026-03-15"))
    assert cal.add_workdays(D("2026-03-13"), 1) == Span(D("2026-03-15"))
    assert cal.workdays_between(D("2026-03-13"), D("2026-03-16")) == Span(2)


def test_override_beats_the_official_schedule():
    cal = WorkCalendar(overrides={D("2026-10-10"): False, D("2026-10-05"): True})
    assert not cal.is_workday(D("2026-10-10"))
    assert cal.is_workday(D("2026-10-05"))
    assert cal.add_workdays(D("2026-09-30"), 1) == Span(D("2026-10-05"))
    assert cal.add_workdays(D("2026-09-30"), 4) == Span(D("2026-10-12"))


def test_entered_future_schedule_is_covered():
    jan3 = JAN1 + 2 * ONE
    overrides = {JAN1: False, JAN1 + ONE: False, jan3: False}  # 元旦 01-01..03 entered as holidays
    cal = WorkCalendar(overrides=overrides, entered_years={FUTURE})
    jan8 = JAN1 + 7 * ONE
    assert cal.add_workdays(DEC31_BEFORE, 1) == Span(_weekdays_after(jan3, 1), ())
    assert cal.workdays_between(DEC31_BEFORE, jan8) == Span(_count_weekdays(jan3, jan8), ())


def test_future_overrides_without_entered_year_still_uncovered():
    cal = WorkCalendar(overrides={JAN1: False})
    assert cal.add_workdays(DEC31_BEFORE, 1) == Span(_weekdays_after(JAN1, 1), (FUTURE,))


# -- describe -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "fragment"),
    [
        ("2026-10-01", "国庆"),
        ("2026-10-10", "调休"),
        ("2026-10-10", "国庆"),
        ("2026-01-04", "调休"),
        ("2026-02-17", "春节"),
        ("2026-04-05", "清明"),
        ("2026-05-01", "劳动节"),
        ("2026-06-19", "端午"),
        ("2026-09-25", "中秋"),
        ("2026-03-11", "工作日"),
        ("2026-03-14", "周末"),
    ],
)
def test_describe(day, fragment):
    assert fragment in CAL.describe(D(day))


@pytest.mark.parametrize("day", [JAN1 + ONE, FIRST_SAT, FIRST_MON])
def test_describe_uncovered(day):
    text = CAL.describe(day)
    assert "估算" in text
    assert text.startswith("工作日" if day.weekday() < 5 else "周末")


def test_describe_estimated_statutory_holiday():
    assert CAL.describe(JAN1) == "法定节假日（元旦，估算）"


def test_describe_override():
    cal = WorkCalendar(overrides={D("2026-03-11"): False, D("2026-03-15"): True})
    assert cal.describe(D("2026-03-11")) == "休息日（台账录入）"
    assert cal.describe(D("2026-03-15")) == "工作日（台账录入）"


# -- properties -------------------------------------------------------------------------------

DAYS = st.dates(min_value=D("2024-01-01"), max_value=dt.date(FUTURE, 6, 30))
COUNTS = st.integers(min_value=1, max_value=60)


def _add_by_stepping(start: dt.date, n: int) -> dt.date:
    """Reference oracle: walk day by day."""
    day = start
    while n:
        day += dt.timedelta(days=1)
        n -= CAL.is_workday(day)
    return day


@given(DAYS, COUNTS)
def test_prop_result_is_a_workday_after_start(start, n):
    end = CAL.add_workdays(start, n).value
    assert end > start
    assert CAL.is_workday(end)


@given(DAYS, COUNTS)
def test_prop_matches_day_by_day_oracle(start, n):
    assert CAL.add_workdays(start, n).value == _add_by_stepping(start, n)


@given(DAYS, COUNTS)
def test_prop_monotonic(start, n):
    assert CAL.add_workdays(start, n + 1).value > CAL.add_workdays(start, n).value


@given(DAYS, COUNTS)
def test_prop_round_trip(start, n):
    end = CAL.add_workdays(start, n).value
    assert CAL.workdays_between(start, end).value == n


@given(DAYS, COUNTS)
def test_prop_uncovered_iff_end_in_future(start, n):
    span = CAL.add_workdays(start, n)
    assert span.uncovered == ((FUTURE,) if span.value.year >= FUTURE else ())


@given(DAYS)
def test_prop_next_workday(day):
    nxt = CAL.next_workday(day)
    assert nxt >= day
    assert CAL.is_workday(nxt)
    assert all(not CAL.is_workday(day + dt.timedelta(days=i)) for i in range((nxt - day).days))
