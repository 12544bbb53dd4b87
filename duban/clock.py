"""The one place that reads the real clock.

Every rule takes ``today`` as a value; commands get it from ``--today`` /
``DUBAN_TODAY`` or, failing both, from :func:`today` here.
"""

from __future__ import annotations

import datetime as dt


# Every date a command accepts lies in these years (--today, DUBAN_TODAY, --due, --as-of, --week,
# --quarter, calendar dates...): anything outside is a typing mistake, and far dates overflow.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def out_of_range(day: dt.date | int) -> bool:
    year = day if isinstance(day, int) else day.year
    return not FIRST_YEAR <= year <= LAST_YEAR


def range_text() -> str:
    return f"{FIRST_YEAR}-01-01 至 {LAST_YEAR}-12-31"


def today() -> dt.date:
    return dt.date.today()  # clock


def now_utc() -> str:
    """Wall-clock timestamp recorded beside each event, for audit only."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")  # clock
