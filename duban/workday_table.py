"""The ``workdays`` table: every date the ledger can meet, with its working-day ordinal (issue #16).

One row per date of a window: from 1 January of the year before the ledger's first schedule to 31
December of the second year after it, grown backwards or forwards to whole years when a schedule
counts from or to a date outside (or a write is dated outside), never before 2000 (:data:`duban.clock`'s
first year) nor after the tenth year after the last one the chinese-calendar package knows (2036 with
the package's 2026; :func:`last_day`) — an estimated year costs lunar arithmetic to build. A schedule that would
need a date outside 2000 to that end is not stored: that item is lit in Python (:mod:`duban.schedule`). ``is_workday`` as :class:`duban.workdays.WorkCalendar` answers it — the package's years, the
statutory estimate (:mod:`duban.statutory`) for later years, the ledger's own entries on top — and
``ordinal`` = the number of working days from the table's first date up to and including the date. So the working
days in (a, b] are ``ordinal(b) - ordinal(a)``: "逾期N个工作日" is a subtraction, in SQL as in Python.

``note`` says where the answer comes from (the words of ``calendar show``). Rebuilt from a date on:
a calendar entry changes the days of its years, and the ordinals of every later date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from . import clock
from .workdays import ONE_DAY, WorkCalendar, builtin_years

FIRST = dt.date(clock.FIRST_YEAR, 1, 1)
WINDOW_YEARS = 10  # estimated years after the package's last one


def default_first(today: dt.date) -> dt.date:
    """Where a new table begins: 1 January of the year before ``today`` (a ledger's dates are recent)."""
    return dt.date(min(max(clock.FIRST_YEAR, today.year - 1), last_day().year), 1, 1)


def default_last(today: dt.date) -> dt.date:
    """Where a new table ends: 31 December of the second year after ``today`` (estimated years cost lunar
    arithmetic; the table grows forward when a schedule counts to a later date, up to :func:`last_day`)."""
    return min(last_day(), dt.date(min(clock.LAST_YEAR, max(clock.FIRST_YEAR, today.year + 2)), 12, 31))


def span(db) -> tuple[dt.date | None, dt.date | None]:
    """The table's first and last dates (None, None: empty)."""
    row = db.execute("SELECT min(date), max(date) FROM workdays").fetchone()
    if not row or not row[0]:
        return None, None
    return dt.date.fromisoformat(row[0]), dt.date.fromisoformat(row[1])


def last_day() -> dt.date:
    """The last date of the table: 31 December of the package's last year + WINDOW_YEARS."""
    return dt.date(min(clock.LAST_YEAR, builtin_years().stop - 1 + WINDOW_YEARS), 12, 31)


_CACHE: dict[tuple, list[tuple[str, int, int, str | None]]] = {}


def rows(cal: WorkCalendar, start: dt.date = FIRST, ordinal: int = 0,
         end: dt.date | None = None) -> Iterator[tuple[str, int, int, str | None]]:
    """(date, ordinal, is_workday, note) from ``start`` to ``end`` (default :func:`last_day`); ``ordinal`` is
    that of the day before."""
    known, last = builtin_years(), min(end or last_day(), last_day())
    day = start
    while day <= last:
        workday = cal.is_workday(day)
        ordinal += workday
        note = None
        if day in cal.overrides or workday != (day.weekday() < 5) or day.year not in known:
            note = cal.describe(day)  # only where the day is not a plain weekday/weekend of a known year
        yield day.isoformat(), ordinal, int(workday), note
        day += ONE_DAY


def rebuild(db, cal: WorkCalendar, start: dt.date | None = None, begin: dt.date | None = None,
            end: dt.date | None = None) -> None:
    """Write the rows from ``start`` on (the part a calendar entry can change; None: all), in the caller's
    transaction. ``begin`` and ``end``: the table's first and last dates (default: where it begins and ends
    now, else 2000-01-01 and :func:`last_day`); the table never shrinks. A table begun earlier is written
    whole (the ordinals count from its first date: only their differences are read)."""
    have, have_end = span(db)
    begin = max(FIRST, min(begin or have or FIRST, last_day()))
    if have is not None and have < begin:
        begin = have  # the table never shrinks
    end = max(begin, min(end or have_end or last_day(), last_day()))
    if have_end is not None and have_end > end:
        end = have_end
    start = begin if start is None else max(begin, min(start, end))
    before = db.execute("SELECT ordinal FROM workdays WHERE date < ? ORDER BY date DESC LIMIT 1",
                        [start.isoformat()]).fetchone()
    if before is None or have is None or have > begin:  # an empty or partial table, or one begun later: whole
        start, before = begin, None
    db.execute("DELETE FROM workdays WHERE date >= ?", [start.isoformat()])
    conn = getattr(db, "conn", db)
    if start == begin:  # a whole table: the same for every ledger with the same entries (tests make hundreds)
        db.execute("DELETE FROM workdays")
        key = (tuple(sorted(cal.overrides.items())), cal.entered_years, begin, end)
        made = _CACHE.get(key)
        if made is None:
            made = _CACHE[key] = list(rows(cal, begin, 0, end))
            if len(_CACHE) > 8:
                _CACHE.pop(next(iter(_CACHE)))
    else:
        made = rows(cal, start, before[0] if before else 0, end)
    conn.executemany("INSERT INTO workdays (date, ordinal, is_workday, note) VALUES (?, ?, ?, ?)", made)


def ordinals(db, days) -> dict[dt.date, int]:
    """The ordinal of each of ``days`` (dates outside the table are left out)."""
    wanted = sorted({d.isoformat() for d in days})
    found: dict[dt.date, int] = {}
    for start in range(0, len(wanted), 900):
        chunk = wanted[start:start + 900]
        for day, ordinal in db.execute(
                f"SELECT date, ordinal FROM workdays WHERE date IN ({','.join('?' * len(chunk))})", chunk):
            found[dt.date.fromisoformat(day)] = ordinal
    return found
