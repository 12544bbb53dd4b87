"""统计与考核: the numbers leaders read and units are judged by (DOMAIN.md §7).

* :func:`stats` — 办结率, 按期办结率, 序时推进率, 满意率 and the counts of 催办, 督办单,
  挂牌督办, 约谈, 问责, 延期, 重启 per unit or per source, plus 全部.
* :func:`ranking` — 计公分: a score per unit from the period's events under the scheme in
  the ledger's settings (``score_*``), ranked, with 红榜 and 黑榜 and where points were lost.

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
from .errors import NotFound, UsageError
from .models import EventKind, Item, Light, Role, Source, Status

if TYPE_CHECKING:
    from .ledger import Ledger

ALL = "全部"


# -- periods -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    label: str        # 2026-W47, 2026Q4, or “2026-01-01至2026-11-20”
    start: dt.date | None
    end: dt.date      # inclusive; never after today

    def text(self) -> str:
        start = self.start.isoformat() if self.start else "建账"
        return f"{start} 至 {self.end.isoformat()}"


def week(text: str | None, today: dt.date) -> Period:
    """ISO week “2026-W47” (Monday to Sunday); default the week of ``today``."""
    if text is None:
        year, number, _ = today.isocalendar()
    else:
        match = re.fullmatch(r"\s*(\d{4})-?[Ww](\d{1,2})\s*", text)
        if not match:
            raise UsageError(f"--week 应为 2026-W47 这样的 ISO 周，收到“{text}”")
        year, number = int(match[1]), int(match[2])
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
    late_workdays: int = 0
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
_IN_SCOPE = ("a.status != 'cancelled' AND a.assigned_on <= :end AND (a.closed_on IS NULL OR a.closed_on >= :start)"
             " AND a.item_id NOT IN (SELECT value FROM json_each(:changed))")
# Scoped.closed and Scoped.paused; an assignment neither of them is still at work at the end of the period.
_CLOSED = "(a.status IN ('done', 'closed') AND a.closed_on IS NOT NULL)"
_PAUSED = "(a.status = 'paused')"
_AT_WORK = f"NOT {_CLOSED} AND NOT {_PAUSED}"
_ROWS_SQL = """SELECT a.item_id, a.unit_id, u.name, i.source, a.role, a.status, a.due, a.assigned_on, a.closed_on
               FROM assignments a JOIN items i ON i.id = a.item_id JOIN units u ON u.id = a.unit_id
               WHERE {where} ORDER BY a.item_id, a.id"""
# Every event's unit_id is a unit or NULL (a foreign key), so this selects every event; written so,
# a filter on kind and date is served by idx_events_unit (unit_id, kind, at), not a read of the table.
_ANY_UNIT = "(e.unit_id IN (SELECT id FROM units) OR e.unit_id IS NULL)"
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


def scoped(led: "Ledger", period: Period, items: Mapping[int, Item] | None = None) -> list[Scoped]:
    """The assignments in scope as they stood at the end of the period, one row each.

    Most rows are read as stored. An item with records after the period (reopened, paused,
    extended, cancelled since) is rebuilt from its log up to the end of the period instead.
    ``items``: items the caller has loaded already (as stored), not loaded again.
    """
    changed = _changed(led, period)
    found = _rows(led, _IN_SCOPE, _scope_params(period, changed))
    _light_open(led, [s for s in found if not s.closed and not s.paused], period.end, items)
    return found + _replayed(led, changed, period)


def _scope(led: "Ledger", period: Period, by: str | None = None, *, lead_only: bool = False,
           since: dt.date | None = None, items: Mapping[int, Item] | None = None) -> Scope:
    """The period's scope with the closed and paused lead assignments counted rather than loaded.

    ``by``: group the counts by unit, source or not at all; ``lead_only``: leave out the rows of
    the 配合单位 too; ``since``: the date of Counted.closed_since; ``items``: items the caller has
    loaded already (as stored), so that they are not loaded again to light their assignments.
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
    _light_open(led, at_work, period.end, items)
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
        if a.status is Status.CANCELLED or a.assigned_on is None or a.assigned_on > period.end:
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
    s.light = result.light
    s.behind = any(f.kind == "behind" for f in result.findings)
    s.feedback_late = result.feedback_late_workdays > 0
    s.late_workdays = result.late_workdays
    s.workdays_left = result.workdays_left


def _light_open(led: "Ledger", rows: Iterable[Scoped], day: dt.date, items: Mapping[int, Item] | None = None) -> None:
    """Light, as on ``day``, the assignments still at work then.

    Their items are taken from ``items`` (as stored) where given, and loaded otherwise.
    """
    still_open: dict[int, list[Scoped]] = defaultdict(list)
    for s in rows:
        still_open[s.item_id].append(s)
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
            if a.status is not Status.OPEN:  # finished after the period: judge it as it stood then
                a = dataclasses.replace(a, status=Status.OPEN, closed_on=None)
            _set_light(s, rules.assignment_light(a, item, day, cal, settings))


# -- events in the period ------------------------------------------------------------------------------

# counter name → (event kind, the data field that refines it, its values)
EVENT_COUNTS = {
    "reminders": "催办",
    "notices": "督办单",
    "listed": "挂牌督办",
    "interviews": "约谈",
    "criticisms": "通报批评",
    "praises": "通报表扬",
    "accountability": "问责",
    "extensions": "延期",
    "reopened": "重启（反弹）",
    "revisits": "回访",
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "unsatisfied": "不满意",
}
_ESCALATION_COUNTER = {"notice": "notices", "listed": "listed", "interview": "interviews", "criticism": "criticisms",
                       "praise": "praises", "accountability": "accountability"}
_LEVEL_COUNTER = {1: "reminders", 2: "notices", 3: "listed"}
_SATISFACTION_COUNTER = {"satisfied": "satisfied", "basically": "basically_satisfied", "unsatisfied": "unsatisfied"}


def event_counts(led: "Ledger", period: Period, by: str | None) -> dict[str, Counter]:
    """Counts of the period's events per group (unit name or source code) and for 全部.

    An event recorded for the item as a whole (a 回访, an escalation without --unit) counts
    for the item's lead unit.
    """
    start = period.start.isoformat() if period.start else ""
    unit, source, joins = "NULL", "NULL", ""
    if by == "unit":
        unit = "u.name"
        joins = """LEFT JOIN units u ON u.id = COALESCE(e.unit_id, (SELECT a.unit_id FROM assignments a
                                                                WHERE a.item_id = e.item_id AND a.role = 'lead'))"""
    elif by == "source":
        source, joins = "i.source", "JOIN items i ON i.id = e.item_id"
    # e.item_id IS NOT NULL: an item's events (its item exists: a foreign key); counted per group in SQL
    rows = led.db.execute(
        f"""SELECT e.kind, {unit}, {source}, json_extract(e.data, '$.level'), json_extract(e.data, '$.kind'),
                   json_extract(e.data, '$.satisfaction'), count(*)
            FROM events e {joins}
            WHERE {_ANY_UNIT} AND e.kind IN ('reminded', 'escalated', 'extended', 'reopened', 'revisited')
              AND e.at >= ? AND e.at <= ? AND e.item_id IS NOT NULL
            GROUP BY 1, 2, 3, 4, 5, 6""",
        [start, period.end.isoformat()],
    ).fetchall()
    counts: dict[str, Counter] = defaultdict(Counter)
    for kind, unit, source, level, esc_kind, satisfaction, n in rows:
        names: list[str] = []
        if kind == "reminded":
            names = [_LEVEL_COUNTER.get(1 if level is None else level)]
        elif kind == "escalated":
            names = [_ESCALATION_COUNTER.get(esc_kind)]
        elif kind == "extended":
            names = ["extensions"]
        elif kind == "reopened":
            names = ["reopened"]
        elif kind == "revisited":
            names = ["revisits", _SATISFACTION_COUNTER.get(satisfaction)]
        names = [name for name in names if name]
        groups = [ALL]
        if by == "unit" and unit:
            groups.append(unit)
        elif by == "source":
            groups.append(source)
        for g in groups:
            for name in names:
                counts[g][name] += n
    return counts


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


def stats(led: "Ledger", period: Period, by: str | None = None, scope: Scope | None = None) -> list[GroupStats]:
    """Statistics per group (``by`` = unit | source | None), best completion first, then 全部.

    ``scope`` is the period's (from :func:`_scope`) when the caller has it already.
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


# -- 计公分 ranking ----------------------------------------------------------------------------------------

# (score setting, counter or fact, Chinese reason)
SCHEME = [
    ("score_on_time", "on_time", "按期办结"),
    ("score_praise", "praises", "通报表扬"),
    ("score_late_close", "late", "逾期办结"),
    ("score_overdue_day", "overdue_days", "逾期工作日"),
    ("score_feedback_late", "feedback_late", "进展反馈逾期"),
    ("score_reminder", "reminders", "被催办"),
    ("score_notice", "notices", "督办单"),
    ("score_listed", "listed", "挂牌督办"),
    ("score_interview", "interviews", "约谈"),
    ("score_criticism", "criticisms", "通报批评"),
    ("score_accountability", "accountability", "问责"),
]


@dataclass
class UnitScore:
    unit: str
    score: float
    lines: list[dict[str, Any]]          # every rule that applied: reason, count, points
    rank: int = 0
    board: str | None = None             # 红榜 | 黑榜 | None
    details: list[str] = field(default_factory=list)  # the items behind the deductions

    @property
    def lost(self) -> list[dict[str, Any]]:
        return [{"reason": line["reason"], "count": line["count"], "points": line["points"]}
                for line in self.lines if line["points"] < 0]

    @property
    def gained(self) -> list[dict[str, Any]]:
        return [{"reason": line["reason"], "count": line["count"], "points": line["points"]}
                for line in self.lines if line["points"] > 0]

    def record(self) -> dict[str, Any]:
        return {"rank": self.rank, "unit": self.unit, "score": self.score, "board": self.board,
                "gained": self.gained, "lost": self.lost, "details": self.details}


def _overdue_days_in(s: Scoped, period: Period, led: "Ledger") -> int:
    """Working days in the period this assignment spent past its deadline."""
    if s.due is None:
        return 0
    last = s.closed_on or period.end
    first = max(s.due, (period.start - dt.timedelta(days=1)) if period.start else s.due)
    if last <= first:
        return 0
    return led.calendar.workdays_between(first, last).value


def ranking(led: "Ledger", period: Period, items: Mapping[int, Item] | None = None) -> list[UnitScore]:
    """``items``: items the caller has loaded already (as stored), not loaded again (the wall screen)."""
    settings = led.settings
    facts: dict[str, Counter] = defaultdict(Counter)
    details: dict[str, list[str]] = defaultdict(list)
    for s in scoped(led, period, items):
        f = facts[s.unit]
        if s.closed:
            f["on_time" if s.closed_on_time else "late"] += 1
            if not s.closed_on_time:
                details[s.unit].append(f"#{s.item_id} 逾期办结（时限 {s.due}，{s.closed_on} 办结）")
        elif s.feedback_late:
            f["feedback_late"] += 1
            details[s.unit].append(f"#{s.item_id} 期末进展反馈逾期")
        days = _overdue_days_in(s, period, led)
        if days:
            f["overdue_days"] += days
            details[s.unit].append(f"#{s.item_id} 本期逾期{days}个工作日")
    for unit, counter in event_counts(led, period, "unit").items():
        if unit != ALL:
            facts[unit].update(counter)
    scores = []
    for unit, f in facts.items():
        lines = []
        for key, fact, reason in SCHEME:
            count = f[fact]
            if count and settings[key]:
                lines.append({"reason": reason, "count": count, "per": settings[key],
                              "points": _number(count * settings[key])})
        total = _number(settings["score_base"] + sum(line["points"] for line in lines))
        scores.append(UnitScore(unit, total, lines, details=details.get(unit, [])))
    scores.sort(key=lambda u: (-u.score, u.unit))
    rank, previous = 0, None
    for n, u in enumerate(scores, 1):
        if u.score != previous:
            rank, previous = n, u.score
        u.rank = rank
    # 红榜: the top 20% by rank (ties share it) who earned more than the base; 黑榜: the bottom 20% who lost points
    top = rules.honour_count(len(scores))
    base = settings["score_base"]
    for u in scores:
        if u.rank <= top and u.score > base:
            u.board = "红榜"
    if scores:
        floor = scores[len(scores) - top].score  # ties at the bottom share the 黑榜
        for u in scores:
            if u.board is None and u.score <= floor and u.score < base:
                u.board = "黑榜"
    return scores


def _number(value: float) -> float | int:
    value = round(value, 2)
    return int(value) if value == int(value) else value


# -- the weekly 督查专报 --------------------------------------------------------------------------------


@dataclass
class LitItem:
    """A red or yellow item of the week, for 二、亮灯情况."""

    item_id: int
    title: str
    light: Light
    lead: str
    units: list[str]
    due: dt.date | None
    late_workdays: int
    level: str | None = None
    state: str = ""


@dataclass
class Weekly:
    period: Period                 # the week
    year_scope: Period             # 1 January of the week's year to the end of the week
    issue_no: int
    office: str
    issued: dt.date
    overall: GroupStats
    week_stats: GroupStats
    new_items: int
    closed_this_week: int
    lights: Counter                # red/yellow/blue/green/none over the items open at the end of the week
    paused: int
    lit: list[LitItem]
    units: list[GroupStats]
    problems: list[str]
    next_steps: list[str]

    @property
    def year(self) -> int:
        return int(self.period.label[:4])


_LIGHT_ORDER = {Light.RED: 0, Light.YELLOW: 1, Light.BLUE: 2, Light.GREEN: 3}


def weekly(led: "Ledger", period: Period, issue_no: int, items: Mapping[int, Item] | None = None) -> Weekly:
    """The week's 专报. ``items``: items the caller has loaded already (as stored), not loaded again."""
    year_scope = Period(str(period.end.year), dt.date(period.end.year, 1, 1), period.end)
    scope = _scope(led, year_scope, "unit", since=period.start, items=items)
    rows = scope.rows  # the assignments still at work, and those of the items rebuilt from their log
    by_unit = stats(led, year_scope, "unit", scope)
    overall = by_unit.pop()
    # the week's scope is the part of the year's not finished before the week began
    week_scope = Scope(scope.by, [c.since() for c in scope.counted],
                       [s for s in rows if not (s.closed and s.closed_on < period.start)])
    week_stats = stats(led, period, None, week_scope)[-1]
    start, end = period.start.isoformat(), period.end.isoformat()
    new_items = led.db.execute("SELECT count(*) FROM items WHERE created >= ? AND created <= ? AND status != 'cancelled'",
                               [start, end]).fetchone()[0]
    closed_week = (sum(c.closed_since for c in scope.counted)
                   + sum(1 for s in rows if s.lead and s.closed and s.closed_on >= period.start))
    # items open at the end of the week: the worst light among their open assignments
    worst: dict[int, list[Scoped]] = defaultdict(list)
    for s in rows:
        if not s.closed and not s.paused:
            worst[s.item_id].append(s)
    lights: Counter = Counter()
    lit = []
    levels = _levels(led, period)
    titles = _titles(led, [i for i, group in worst.items()
                           if any(s.light in (Light.RED, Light.YELLOW, Light.BLUE) for s in group)])
    for item_id, group in worst.items():
        top = min(group, key=lambda s: (_LIGHT_ORDER.get(s.light, 9), not s.lead))
        lights[top.light.code if top.light else "none"] += 1
        if top.light in (Light.RED, Light.YELLOW, Light.BLUE):
            lead = next((s.unit for s in group if s.lead), top.unit)
            title = titles[item_id]
            late = max(s.late_workdays for s in group)
            lit.append(LitItem(item_id, title, top.light, lead, [s.unit for s in group], top.due, late,
                               levels.get(item_id), _state(top, late)))
    lit.sort(key=lambda x: (_LIGHT_ORDER[x.light], -x.late_workdays, x.item_id))
    weekly_counts = event_counts(led, period, "unit")
    problems = _problems(overall, by_unit, lit, rows, weekly_counts)
    paused = sum(c.paused for c in scope.counted) + sum(1 for s in rows if s.lead and s.paused)
    return Weekly(period, year_scope, issue_no, led.settings["office_name"], period.end, overall, week_stats,
                  new_items, closed_week, lights, paused, lit, by_unit, problems, _next_steps(lit, lights))


def _titles(led: "Ledger", ids: list[int]) -> dict[int, str]:
    titles: dict[int, str] = {}
    for n in range(0, len(ids), 900):
        chunk = ids[n:n + 900]
        titles.update(led.db.execute(f"SELECT id, title FROM items WHERE id IN ({','.join('?' * len(chunk))})",
                                     chunk).fetchall())
    return titles


def _state(s: Scoped, late: int) -> str:
    if s.light is Light.RED:
        return f"逾期{late}个工作日" if late else "已过期限"
    if s.feedback_late:
        return "进展反馈逾期"
    if s.behind:
        return "落后序时进度"
    return "今日到期" if s.workdays_left == 0 else f"剩余{s.workdays_left}个工作日"


def _levels(led: "Ledger", period: Period) -> dict[int, str]:
    """The highest 催办 level each item reached up to the end of the week."""
    rows = led.db.execute(
        "SELECT e.item_id, max(COALESCE(json_extract(e.data, '$.level'), 1)) FROM events e"
        f" WHERE {_ANY_UNIT} AND e.kind = 'reminded' AND e.at <= ? GROUP BY e.item_id",
        [period.end.isoformat()]).fetchall()
    from .models import LEVEL_LABELS

    return {item_id: LEVEL_LABELS.get(level) for item_id, level in rows if level}


DONE_LEVEL = {"提醒": "已提醒", "催办": "已催办", "督办单": "已下达督办单", "挂牌督办": "已挂牌督办"}


def _problems(overall: GroupStats, units: list[GroupStats], lit: list[LitItem], rows: list[Scoped],
              weekly_counts: Mapping[str, Counter]) -> list[str]:
    problems = []
    red = [x for x in lit if x.light is Light.RED]
    if red:
        long_late = [x for x in red if x.late_workdays >= 10]
        text = f"逾期事项{len(red)}件"
        if long_late:
            text += f"，其中逾期10个工作日以上{len(long_late)}件"
        behind_units = Counter(s.unit for s in rows if s.overdue)
        named = "、".join(f"{u}（{n}项）" for u, n in behind_units.most_common(3))
        problems.append(f"部分事项办理滞后。{text}，逾期较多的单位有{named}。")
        worst = sorted(red, key=lambda x: -x.late_workdays)[:3]
        problems.append("重点事项推进缓慢。" + "；".join(
            f"“{x.title}”（{x.lead}牵头）逾期{x.late_workdays}个工作日" + (f"，{DONE_LEVEL[x.level]}" if x.level else "")
            for x in worst) + "。")
    late_reports = sum(1 for s in rows if s.lead and s.feedback_late)
    if late_reports:
        problems.append(f"进展报送不及时。{late_reports}件事项未按规定频次报送办理进展。")
    chased = sorted(((u, c["reminders"] + c["notices"] + c["listed"]) for u, c in weekly_counts.items() if u != ALL),
                    key=lambda x: (-x[1], x[0]))
    repeated = [(u, n) for u, n in chased if n >= 2]
    if repeated:
        problems.append("催办后落实不力。本周" + "、".join(f"{u}被催办{n}次" for u, n in repeated[:5])
                        + "，仍未按要求办结或反馈。")
    if overall.on_time_rate is not None and overall.on_time_rate < 0.9:
        problems.append(f"按期办结率偏低。今年以来按期办结率为{rules.percent_text(overall.on_time_rate)}，"
                        f"逾期办结{overall.closed - overall.closed_on_time}件。")
    if not problems:
        problems.append("本周督办事项总体推进正常，未发现突出问题。")
    return problems


def _next_steps(lit: list[LitItem], lights: Counter) -> list[str]:
    steps = []
    red = [x for x in lit if x.light is Light.RED]
    if red:
        steps.append(f"紧盯{len(red)}件逾期事项，按照“提醒—催办—督办单—挂牌督办”梯次加压，逐件明确整改时限，"
                     "对逾期10个工作日以上的事项提请约谈相关单位负责同志。")
    near = [x for x in lit if x.light is not Light.RED]
    if near:
        steps.append(f"对{len(near)}件临期或进展滞后的事项提前提醒，督促责任单位按序时进度推进、按时报送进展。")
    steps.append("对已办结事项开展“回头看”，逐件回访核实办理成效，防止问题反弹。")
    steps.append("将督办事项办理情况纳入季度计公分考核，定期通报各单位办理情况。")
    return steps


def issue_number(led: "Ledger", kind: str, period: Period, wanted: int | None = None) -> int:
    """期号: the number this period's report carries, kept in the ledger.

    A period seen before keeps its number (unless ``wanted`` renumbers it); a new one takes
    the next number of its year, or ``wanted`` (an office starting mid-year at 第47期).
    """
    from .errors import InvalidInput

    year = int(period.label[:4])  # the week's own (ISO) year: 2026-W53 is 2026年's last issue
    with led._write():
        row = led.db.execute("SELECT issue_no FROM reports WHERE kind = ? AND period = ?",
                             [kind, period.label]).fetchone()
        if row is not None and (wanted is None or wanted == row[0]):
            return row[0]
        if wanted is not None:
            clash = led.db.execute(
                "SELECT period FROM reports WHERE kind = ? AND issue_no = ? AND substr(period, 1, 4) = ?"
                " AND period != ?", [kind, wanted, str(year), period.label]).fetchone()
            if clash:
                raise InvalidInput(f"{year}年第{wanted}期已用于 {clash[0]}，请换一个期号")
            number = wanted
        else:
            last = led.db.execute("SELECT max(issue_no) FROM reports WHERE kind = ? AND substr(period, 1, 4) = ?",
                                  [kind, str(year)]).fetchone()[0]
            number = (last or 0) + 1
        led.db.execute(
            "INSERT INTO reports (kind, period, issue_no, first_issued, last_issued) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(kind, period) DO UPDATE SET issue_no = excluded.issue_no, last_issued = excluded.last_issued",
            [kind, period.label, number, led.today.isoformat(), led.today.isoformat()])
        led._log("report_issued", f"督查专报 {year}年第{number}期（{period.label}）",
                 data={"kind": kind, "period": period.label, "issue_no": number})
    return number
