"""统计: periods, the assignments in scope and the statistics leaders read (DOMAIN.md §7).

* :func:`week`, :func:`quarter`, :func:`span` — the periods reports cover.
* :func:`scoped` / :func:`_scope` — the assignments in scope at the end of a period.
* :func:`stats` — 办结率, 按期办结率, 序时推进率, 满意率 and the counts of 催办, 督办单,
  挂牌督办, 约谈, 问责, 延期, 重启 per unit or per source, plus 全部 (counted in
  :mod:`duban.report_events`).

The ranking is :mod:`duban.scoring`, the weekly 专报's content :mod:`duban.weekly`.

Scope: the assignments given out on or before the end of the period that were not
finished before it began; cancelled ones (撤销) are left out. Rates count lead
assignments (CLI.md). Only assignments still open at the end of the period are loaded as
items and lit; the closed and paused ones are counted by SQL (GROUP BY), and the period's
events too, so that a ledger of a million items is not read into Python to be counted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import rules
from .errors import InvalidInput, NotFound, UsageError
from .models import EventKind, Item, Light, Role, Source, Status
from .report_events import ALL, ANY_UNIT as _ANY_UNIT, EVENT_COUNTS, event_counts  # noqa: F401

if TYPE_CHECKING:
    from .ledger import Ledger



# -- periods -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    label: str        # 2026-W47, 2026Q4, or “2026-01-01至2026-11-20”
    start: dt.date | None
    end: dt.date      # inclusive; never after today

    def text(self) -> str:
        start = self.start.isoformat() if self.start else "建账"
        return f"{start} 至 {self.end.isoformat()}"


def _check_year(year: int, option: str, text: str) -> None:
    from . import clock

    if clock.out_of_range(year):
        raise InvalidInput(f"{option}“{text.strip()}”超出范围（年份应在 {clock.FIRST_YEAR}–{clock.LAST_YEAR} 之间）")


def week(text: str | None, today: dt.date) -> Period:
    """ISO week “2026-W47” (Monday to Sunday); default the week of ``today``."""
    if text is None:
        year, number, _ = today.isocalendar()
    else:
        match = re.fullmatch(r"\s*(\d{4})-?[Ww](\d{1,2})\s*", text)
        if not match:
            raise UsageError(f"--week 应为 2026-W47 这样的 ISO 周，收到“{text}”")
        year, number = int(match[1]), int(match[2])
        _check_year(year, "--week", text)
    try:
        monday = dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        raise UsageError(f"--week：{year}年没有第{number}周") from None
    if monday > today:
        raise UsageError(f"--week {year}-W{number:02d} 尚未开始（今天是 {today.isoformat()}）")
    return Period(f"{year}-W{number:02d}", monday, min(monday + dt.timedelta(days=6), today))


def quarter(text: str | None, today: dt.date) -> Period:
    """“2026Q4” (also 2026-Q4, 2026年第四季度); default the quarter of ``today``."""
    if text is None:
        year, q = today.year, (today.month - 1) // 3 + 1
    else:
        words = {"一": 1, "二": 2, "三": 3, "四": 4}
        match = re.fullmatch(r"\s*(\d{4})\s*(?:-?[Qq]([1-4])|年第?([一二三四1-4])季度?)\s*", text)
        if not match:
            raise UsageError(f"--quarter 应为 2026Q4 这样的季度，收到“{text}”")
        year = int(match[1])
        _check_year(year, "--quarter", text)
        q = int(match[2]) if match[2] else words.get(match[3]) or int(match[3])
    start = dt.date(year, 3 * q - 2, 1)
    end = (dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)) - dt.timedelta(days=1)
    if start > today:
        raise UsageError(f"--quarter {year}Q{q} 尚未开始（今天是 {today.isoformat()}）")
    return Period(f"{year}Q{q}", start, min(end, today))


def span(start: dt.date | None, end: dt.date | None, today: dt.date) -> Period:
    end = min(end or today, today)
    if start is not None and start > end:
        raise UsageError(f"--from {start.isoformat()} 晚于 --to {end.isoformat()}")
    return Period(f"{start.isoformat() if start else '建账'}至{end.isoformat()}", start, end)


# -- the assignments in scope --------------------------------------------------------------------------


@dataclass
class Scoped:
    """One assignment in scope, as it stood at the end of the period."""

    item_id: int
    unit_id: int
    unit: str
    source: Source
    lead: bool
    due: dt.date | None
    assigned_on: dt.date | None
    closed_on: dt.date | None       # only when closed by the end of the period
    paused: bool = False
    light: Light | None = None
    behind: bool = False            # reported % behind 序时进度
    feedback_late: bool = False
    unsigned: bool = False          # not signed for within sign_within_workdays of 交办
    late_workdays: int = 0
    milestone_late: bool = False    # red for a missed 节点 while its deadline is not yet past
    workdays_left: int | None = None

    @property
    def closed(self) -> bool:
        return self.closed_on is not None

    @property
    def closed_on_time(self) -> bool:
        return self.closed and (self.due is None or self.closed_on <= self.due)

    @property
    def overdue(self) -> bool:
        return not self.closed and self.light is Light.RED

    @property
    def on_track(self) -> bool:
        return not self.closed and not self.paused and self.light is not Light.RED and not self.behind


# By code, without the enum machinery: a scope has tens of thousands of rows.
_SOURCES = {s.code: s for s in Source}
_STATUSES = {s.code: s for s in Status}

# In scope: given out by the end of the period (:end), not finished before it began (:start), not
# cancelled; the items in :changed (a JSON list, see _changed) are rebuilt from their log instead.
_IN_SCOPE = ("a.status NOT IN ('cancelled', 'merged') AND a.assigned_on <= :end AND (a.closed_on IS NULL OR a.closed_on >= :start)"
             " AND a.item_id NOT IN (SELECT value FROM json_each(:changed))")
# Scoped.closed and Scoped.paused; an assignment neither of them is still at work at the end of the period.
_CLOSED = "(a.status IN ('done', 'closed') AND a.closed_on IS NOT NULL)"
_PAUSED = "(a.status = 'paused')"
_AT_WORK = f"NOT {_CLOSED} AND NOT {_PAUSED}"
_ROWS_SQL = """SELECT a.item_id, a.unit_id, u.name, i.source, a.role, a.status, a.due, a.assigned_on, a.closed_on
               FROM assignments a JOIN items i ON i.id = a.item_id JOIN units u ON u.id = a.unit_id
               WHERE {where} ORDER BY a.item_id, a.id"""
# The kinds an item's events can have (Ledger.events reads each one as an EventKind).
_ITEM_EVENT_KINDS = ", ".join(f"'{kind.code}'" for kind in EventKind)


@dataclass(frozen=True)
class Counted:
    """The lead assignments in scope of one group (a unit, a source, or all) that were closed or
    paused at the end of the period. They need no light, so SQL counts them instead of loading them."""

    group: str | None          # the unit's name or the source's code (Scope.by); None: not grouped
    n: int
    closed: int
    closed_on_time: int
    paused: int
    closed_since: int          # closed on or after the ``since`` date of the scope
    closed_on_time_since: int

    def since(self) -> "Counted":
        """The part not closed before the ``since`` date."""
        return Counted(self.group, self.n - self.closed + self.closed_since, self.closed_since,
                       self.closed_on_time_since, self.paused, self.closed_since, self.closed_on_time_since)


@dataclass
class Scope:
    """The assignments in scope at the end of a period: the closed and paused lead ones counted per
    group (``counted``, grouped ``by`` unit, source or not at all), and one :class:`Scoped` row
    (``rows``) for each one still at work then, lit, and for each assignment of an item rebuilt from
    its log (see :func:`scoped`)."""

    by: str | None
    counted: list[Counted]
    rows: list[Scoped]


def scoped(led: "Ledger", period: Period, items: Mapping[int, Item] | None = None,
           lit: Mapping[tuple[int, int, dt.date], Any] | None = None) -> list[Scoped]:
    """The assignments in scope as they stood at the end of the period, one row each.

    Most rows are read as stored. An item with records after the period (reopened, paused,
    extended, cancelled since) is rebuilt from its log up to the end of the period instead.
    ``items``: items the caller has loaded already (as stored), not loaded again to light them;
    ``lit``: the lights of their open assignments the caller has already (``Ledger.list_items``).
    """
    changed = _changed(led, period)
    found = _rows(led, _IN_SCOPE, _scope_params(period, changed))
    _light_open(led, [s for s in found if not s.closed and not s.paused], period.end, items, lit)
    return found + _replayed(led, changed, period)


def _scope(led: "Ledger", period: Period, by: str | None = None, *, lead_only: bool = False,
           since: dt.date | None = None, items: Mapping[int, Item] | None = None,
           lit: Mapping[tuple[int, int, dt.date], Any] | None = None) -> Scope:
    """The period's scope with the closed and paused lead assignments counted rather than loaded.

    ``by``: group the counts by unit, source or not at all; ``lead_only``: leave out the rows of
    the 配合单位 too; ``since``: the date of Counted.closed_since; ``items``: items the caller has
    loaded already (as stored), so that they are not loaded again to light their assignments;
    ``lit``: the lights of their open assignments, where the caller has them (see :func:`scoped`).
    """
    changed = _changed(led, period)
    params = _scope_params(period, changed, since)
    group, join = {"unit": ("a.unit_id", ""), "source": ("i.source", "JOIN items i ON i.id = a.item_id"),
                   None: ("NULL", "")}[by]
    closed = "a.status != 'paused'"  # each row counted is closed or paused, never both
    on_time = "(a.due IS NULL OR a.closed_on <= a.due)"
    since_ = "a.closed_on >= :since"
    # NOT INDEXED: through an index on assignments SQLite would fetch the rows one by one, out of order;
    # and no GROUP BY when not grouped, or SQLite sorts every row to make the one group.
    counts = led.db.execute(
        f"""SELECT {group}, count(*), sum({closed}), sum({closed} AND {on_time}), sum({_PAUSED}),
                   sum({closed} AND {since_}), sum({closed} AND {since_} AND {on_time})
            FROM assignments a NOT INDEXED {join}
            WHERE {_IN_SCOPE} AND a.role = 'lead' AND ({_CLOSED} OR {_PAUSED})
            {"GROUP BY 1" if by else ""}""",
        params,
    ).fetchall()
    if by == "unit":
        names = dict(led.db.execute("SELECT id, name FROM units").fetchall())
        counts = [(names[unit_id], *rest) for unit_id, *rest in counts]
    counted = [Counted(*row) for row in counts if row[1]]  # no group: one row, of nothing when nothing is in scope
    lead = " AND a.role = 'lead'" if lead_only else ""
    at_work = _rows(led, f"{_IN_SCOPE}{lead} AND {_AT_WORK}", params)
    _light_open(led, at_work, period.end, items, lit)
    return Scope(by, counted, at_work + _replayed(led, changed, period))


def _scope_params(period: Period, changed: list[int], since: dt.date | None = None) -> dict[str, str]:
    return {"end": period.end.isoformat(), "start": period.start.isoformat() if period.start else "",
            "changed": json.dumps(changed), "since": since.isoformat() if since else ""}


def _changed(led: "Ledger", period: Period) -> list[int]:
    """The items with records after the period: what is stored of them is not what they were at its end."""
    rows = led.db.execute(
        f"SELECT DISTINCT e.item_id FROM events e WHERE {_ANY_UNIT} AND e.kind IN ({_ITEM_EVENT_KINDS})"
        " AND e.at > ? AND e.item_id IS NOT NULL",
        [period.end.isoformat()],
    ).fetchall()
    return sorted(r[0] for r in rows)


def _rows(led: "Ledger", where: str, params: Mapping[str, str]) -> list[Scoped]:
    """The stored assignments ``where`` says, as Scoped rows (not yet lit)."""
    dates: dict[str | None, dt.date | None] = {None: None, "": None}

    def date(text: str | None) -> dt.date | None:
        found = dates.get(text, False)
        if found is False:
            found = dates[text] = dt.date.fromisoformat(text)
        return found

    return [_scoped_row(item_id, unit_id, unit, _SOURCES[source], role == "lead", _STATUSES[status], date(due),
                        date(assigned_on), date(closed_on))
            for item_id, unit_id, unit, source, role, status, due, assigned_on, closed_on
            in led.db.execute(_ROWS_SQL.format(where=where), params).fetchall()]


def _scoped_row(item_id: int, unit_id: int, unit: str, source: Source, lead: bool, status: Status,
                due: dt.date | None, assigned_on: dt.date | None, closed_on: dt.date | None) -> Scoped:
    closed = status in (Status.DONE, Status.CLOSED) and closed_on is not None
    return Scoped(item_id, unit_id, unit, source, lead, due, assigned_on, closed_on if closed else None,
                  paused=status is Status.PAUSED)


def _replayed(led: "Ledger", changed: list[int], period: Period) -> list[Scoped]:
    found = []
    for item_id in changed:
        found.extend(_replayed_scope(led, item_id, period))
    return found


def _replayed_scope(led: "Ledger", item_id: int, period: Period) -> list[Scoped]:
    try:
        item = led.replayed(item_id, period.end)
    except NotFound:  # not yet registered at the end of the period
        return []
    found = []
    for a in item.assignments:
        if a.status in (Status.CANCELLED, Status.MERGED) or a.assigned_on is None or a.assigned_on > period.end:
            continue
        if period.start is not None and a.closed_on is not None and a.closed_on < period.start \
                and a.status in (Status.DONE, Status.CLOSED):
            continue
        s = _scoped_row(item_id, a.unit_id, a.unit, item.source, a.role is Role.LEAD, a.status, a.due,
                        a.assigned_on, a.closed_on)
        if a.status is Status.OPEN:
            _set_light(s, rules.assignment_light(a, item, period.end, led.calendar, led.settings))
        found.append(s)
    return found


def _set_light(s: Scoped, result: Any) -> None:
    _set_read(s, (result.light, result.kinds_found(), result.feedback_late_workdays,
                  result.late_workdays, result.workdays_left))


def _set_read(s: Scoped, read: tuple) -> None:
    """The light as (Light, the kinds of its findings, feedback late, late and left working days)."""
    s.light, kinds, feedback_late, s.late_workdays, s.workdays_left = read
    s.behind = "behind" in kinds
    s.feedback_late = feedback_late > 0
    s.unsigned = "unsigned" in kinds
    s.milestone_late = "milestone" in kinds and "overdue" not in kinds


def _light_open(led: "Ledger", rows: Iterable[Scoped], day: dt.date, items: Mapping[int, Item] | None = None,
                lit: Mapping[tuple[int, int, dt.date], Any] | None = None) -> None:
    """Light, as on ``day``, the assignments still at work then.

    Their items are taken from ``items`` (as stored) where given, and loaded otherwise. An
    assignment open as stored whose light on ``day`` is in ``lit`` (by item id, unit id, day: as
    :func:`duban.rules.item_light` keeps them) is not lit again. Without ``lit``, today's lights are
    read from the schedules where usable (issue #16): an item all of whose rows have one is not loaded.
    """
    still_open: dict[int, list[Scoped]] = defaultdict(list)
    for s in rows:
        still_open[s.item_id].append(s)
    read: dict[tuple[int, int], tuple] = {}
    if not lit and day == led.today and still_open and led.schedules_usable():  # today's: from the schedules
        read = led.assignment_lights(still_open)
        for item_id in [i for i, group in still_open.items() if all((i, s.unit_id) in read for s in group)]:
            for s in still_open.pop(item_id):
                _set_read(s, read[item_id, s.unit_id])
    lit = lit or {}
    found = {i: items[i] for i in still_open if i in items} if items else {}
    missing = [i for i in still_open if i not in found]
    for n in range(0, len(missing), 900):
        chunk = missing[n:n + 900]
        found.update((item.id, item) for item in led._items_where(f"i.id IN ({','.join('?' * len(chunk))})", chunk))
    cal, settings = led.calendar, led.settings
    for item_id, group in still_open.items():
        item = found[item_id]
        by_unit = {a.unit_id: a for a in item.assignments}
        for s in group:
            a = by_unit[s.unit_id]
            if (item_id, s.unit_id) in read:
                _set_read(s, read[item_id, s.unit_id])
                continue
            if a.status is not Status.OPEN:  # finished after the period: judge it as it stood then
                a = dataclasses.replace(a, status=Status.OPEN, closed_on=None)
            elif (item_id, s.unit_id, day) in lit:
                _set_light(s, lit[item_id, s.unit_id, day])
                continue
            _set_light(s, rules.assignment_light(a, item, day, cal, settings))


# -- statistics ------------------------------------------------------------------------------------------


@dataclass
class GroupStats:
    group: str
    total: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue: int = 0
    on_track: int = 0
    open: int = 0
    events: Counter = field(default_factory=Counter)

    @property
    def completion_rate(self) -> float | None:
        return rules.completion_rate(self.closed, self.total)

    @property
    def on_time_rate(self) -> float | None:
        return rules.on_time_rate(self.closed_on_time, self.closed)

    @property
    def progress_rate(self) -> float | None:
        return rules.progress_rate(self.on_track, self.closed, self.total)

    @property
    def satisfaction_rate(self) -> float | None:
        e = self.events
        return rules.satisfaction_rate(e["satisfied"], e["basically_satisfied"], e["revisits"])

    def record(self) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "group": self.group, "total": self.total, "closed": self.closed, "closed_on_time": self.closed_on_time,
            "closed_late": self.closed - self.closed_on_time, "open": self.open, "overdue": self.overdue,
            "on_track": self.on_track, "completion_rate": _round(self.completion_rate),
            "on_time_rate": _round(self.on_time_rate), "progress_rate": _round(self.progress_rate),
            "satisfaction_rate": _round(self.satisfaction_rate),
        }
        rec.update({name: self.events[name] for name in EVENT_COUNTS})
        return rec


def _unit_count(led: "Ledger") -> int:
    return led.db.execute("SELECT count(*) FROM units").fetchone()[0]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _add(g: GroupStats, s: Scoped) -> None:
    g.total += 1
    g.closed += s.closed
    g.closed_on_time += s.closed_on_time
    g.overdue += s.overdue
    g.on_track += s.on_track
    g.open += not s.closed


def _add_counted(g: GroupStats, c: Counted) -> None:
    """Closed or paused assignments: neither overdue nor on track (Scoped.overdue, Scoped.on_track)."""
    g.total += c.n
    g.closed += c.closed
    g.closed_on_time += c.closed_on_time
    g.open += c.n - c.closed


def stats(led: "Ledger", period: Period, by: str | None = None, scope: Scope | None = None,
          events: bool = True) -> list[GroupStats]:
    """Statistics per group (``by`` = unit | source | None), best completion first, then 全部.

    ``scope`` is the period's (from :func:`_scope`) when the caller has it already. ``events=False``:
    the caller does not show the counts of records (催办, 延期, 回访…), so they are left empty — and
    counted only when some unit not in scope might have records, which by unit gives it its row.
    """
    if scope is None:
        scope = _scope(led, period, by, lead_only=True)
    elif by is not None and scope.by != by:
        raise ValueError(f"statistics by {by} need the scope counted by {by}, not by {scope.by}")
    groups: dict[str, GroupStats] = {}
    whole = GroupStats(ALL)
    for c in scope.counted:
        _add_counted(whole, c)
        if by is not None:
            _add_counted(groups.setdefault(c.group, GroupStats(c.group)), c)
    for s in scope.rows:
        if not s.lead:
            continue
        _add(whole, s)
        if by is not None:
            key = s.unit if by == "unit" else s.source.code
            _add(groups.setdefault(key, GroupStats(key)), s)
    if not events and (by != "unit" or len(groups) == _unit_count(led)):
        counts: dict[str, Counter] = {}  # not shown, and no unit can come in by its records alone
    else:
        counts = event_counts(led, period, by)
    whole.events = counts.get(ALL, Counter())
    for key, g in groups.items():
        g.events = counts.get(key, Counter())
    if by == "unit":  # units chased but not leading anything in scope still appear
        for key in counts:
            if key != ALL and key not in groups:
                groups[key] = GroupStats(key, events=counts[key])
    ordered = sorted(groups.values(), key=lambda g: (-(g.completion_rate or 0), -(g.progress_rate or 0), g.group))
    if by == "source":
        for g in ordered:
            g.group = Source(g.group).label
    return [*ordered, whole]
