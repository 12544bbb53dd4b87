"""The one place that reads the real clock.

Every rule takes ``today`` as a value; commands get it from ``--today`` /
``DUBAN_TODAY`` or, failing both, from :func:`today` here.
"""

from __future__ import annotations

import datetime as dt


def today() -> dt.date:
    return dt.date.today()  # clock


def now_utc() -> str:
    """Wall-clock timestamp recorded beside each event, for audit only."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")  # clock
