"""计公分: the quarterly ranking of units (DOMAIN.md §3, §7; 003:L1061).

How each case is scored (issue #12; the README says the same):

* **Lateness once incurred stays incurred.** A closure counts in the period it happened, on
  time or late against the deadline then in force, whatever happens to the item later (a
  reopen, another closure). Overdue working days count in the period they passed.
* **One closure per assignment per period** (:func:`counted_closure`): closed again after a
  reopen, an item is credited or charged once in the period, by its latest closure there —
  unless one of its closures there was late, which stays charged.
* **反弹**: a reopen after a 不满意 回访 costs the unit that closed it ``score_rebound``
  (seeds/003 L547 公开曝光单 for 反弹问题, L573 回头看).
* **A missed 节点 (milestone) costs overdue days** as a missed deadline does, for the lead unit (as
  the lights, the 逾期清单 and the statistics call it 逾期): each working day past the deadline or
  past a 节点 not yet done then counts once, and stays counted once the 节点 is done.
* **Paused working days are never overdue days**; nor are the days a closure awaits review.
* **Lead and co units are ranked apart** (DOMAIN.md §3): each (unit, role) has its own score,
  rank and boards; a unit that leads one item and helps on another appears in both tables.
* The same 催办 step on the same item, unit and day counts once (:mod:`duban.report_events`).

Most assignments have a plain history (交办, perhaps 办结): their overdue days are worked out
from the stored dates. Those that were paused, resumed, extended, returned or reopened up to
the end of the period are followed through their log, day by day of change (:func:`tracks`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import rules
from .report_events import ANY_UNIT, REBOUNDS, rebounds, unit_role_counts
from .reports import Period, scoped

if TYPE_CHECKING:
    from .ledger import Ledger
    from .models import Item
    from .workdays import WorkCalendar

LEAD, CO = "lead", "co"
ROLE_LABELS = {LEAD: "牵头单位", CO: "配合单位"}

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
    ("score_rebound", REBOUNDS, "反弹（回访不满意后重启）"),
]


@dataclass
class UnitScore:
    unit: str
    score: float
    lines: list[dict[str, Any]]          # every rule that applied: reason, count, points
    role: str = LEAD                     # lead | co: ranked apart
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
        return {"rank": self.rank, "unit": self.unit, "role": self.role, "score": self.score, "board": self.board,
                "gained": self.gained, "lost": self.lost, "details": self.details}


# -- one assignment's record over a period ------------------------------------------------------------------


@dataclass
class Track:
    """What one assignment did in a period: its closures (day, deadline then, on time) and the
    working days it spent at work past its deadline."""

    closures: list[tuple[dt.date, dt.date | None, bool]] = field(default_factory=list)
    overdue_days: int = 0
    milestone_days: int = 0   # of overdue_days, those past a missed 节点 only, not past the deadline


def counted_closure(closures: list[tuple[dt.date, dt.date | None, bool]]) -> tuple[dt.date, dt.date | None, bool] | None:
    """The one closure of an assignment the period credits or charges: the latest late one if any
    was late (lateness once incurred stays incurred), else the latest; None when it closed none."""
    late = [c for c in closures if not c[2]]
    return (late or closures or [None])[-1]


# A missed 节点 of a lead assignment: (its date, the day it was done or None). It is late from the
# day after its date to the day it was done, as a deadline is to the day of the closure.
Missed = tuple[dt.date, dt.date | None]


def overdue_workdays(cal: "WorkCalendar", after: dt.date, last: dt.date, due: dt.date | None, period: Period,
                     missed: Iterable[Missed] = ()) -> int:
    """Working days in (``after``, ``last``] that fall in the period and are past ``due`` or past a
    missed 节点 (``missed``), each day once."""
    if not missed and (due is None or min(last, period.end) <= due):
        return 0  # never past the deadline (most assignments): no span to count
    spans = [(due, dt.date.max)] if due is not None else []
    spans += [(m_due, done or dt.date.max) for m_due, done in missed]
    reach = max(after, period.start - dt.timedelta(days=1)) if period.start else after
    top, total = min(last, period.end), 0
    for low, high in sorted(spans):
        low, high = max(low, reach), min(high, top)
        if high > low:
            total += cal.workdays_between(low, high).value
            reach = high
    return total


def _count_overdue(track: Track, cal: "WorkCalendar", after: dt.date, last: dt.date, due: dt.date | None,
                   period: Period, missed: list[Missed]) -> None:
    """Add to ``track`` the overdue working days in (``after``, ``last``], and those of them past a 节点 only."""
    days = overdue_workdays(cal, after, last, due, period, missed)
    track.overdue_days += days
    if missed and days:
        track.milestone_days += days - overdue_workdays(cal, after, last, due, period)


# The kinds that move an assignment's status or deadline.
_LIFE_KINDS = ("assigned", "imported", "extended", "paused", "resumed", "closed", "reviewed", "returned",
               "cancelled", "reopened")
# An assignment with one of these up to the end of the period is followed through its log.
_TURNS = "('paused', 'resumed', 'reopened', 'extended', 'returned')"


class _State:
    __slots__ = ("status", "due", "since", "track", "missed")

    def __init__(self, due: dt.date | None, missed: list[Missed]):
        self.status, self.due, self.since, self.track, self.missed = "open", due, dt.date.min, Track(), missed


def tracks(changes: Iterable[tuple[int | None, dt.date, str, Mapping[str, Any]]], period: Period,
           cal: "WorkCalendar", missed: Mapping[int, list[Missed]] | None = None) -> dict[int, Track]:
    """Each unit's :class:`Track` over the period, from one item's log (unit id, day, kind, data),
    oldest first, up to the end of the period.

    A working day is overdue when the assignment was at work (open) at its start and past the
    deadline then in force: the day of a closure or a pause counts, the day of a resume or a
    reopen does not, nor the day of an extension past the new deadline; days paused or awaiting
    review never do. ``missed``: the lead unit's missed 节点 (by unit id); a day past one of them is
    overdue too.
    """
    state: dict[int, _State] = {}
    missed = missed or {}

    def advance(s: _State, day: dt.date) -> None:
        if s.status == "open":
            _count_overdue(s.track, cal, s.since, day, s.due, period, s.missed)
        s.since = max(s.since, day)

    def date(text: str | None) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    for unit_id, at, kind, data in changes:
        if kind == "imported":
            for entry in data.get("units") or []:
                state[entry["unit_id"]] = _State(date(data.get("due")), missed.get(entry["unit_id"], []))
            continue
        if kind == "assigned":
            state[unit_id] = _State(date(data.get("due")), missed.get(unit_id, []))
            continue
        s = state.get(unit_id)
        if s is None:
            continue
        # from the day of an extension on, the new deadline rules: that day is judged by it
        advance(s, at - dt.timedelta(days=1) if kind == "extended" else at)
        if kind == "closed":
            s.status = "done"
            if period.start is None or at >= period.start:
                s.track.closures.append((at, s.due, s.due is None or at <= s.due))
        elif kind == "returned":
            s.status = "open"
            if s.track.closures:
                s.track.closures.pop()
        elif kind in ("reopened", "resumed"):
            s.status = "open"
            if kind == "reopened" and data.get("due"):
                s.due = date(data["due"])
            elif kind == "resumed" and data.get("to"):  # the deadline moved by the days paused (issue #13)
                s.due = date(data["to"])
        elif kind == "extended":
            s.due = date(data.get("to")) or s.due
        elif kind == "paused":
            s.status = "paused"
        elif kind == "cancelled":
            s.status = "cancelled"
        # reviewed: done → closed, nothing to count
    for s in state.values():
        advance(s, period.end)
    return {unit_id: s.track for unit_id, s in state.items()}


def missed_milestones(led: "Ledger", period: Period) -> dict[int, list[Missed]]:
    """Each item's 节点 set by the end of the period and missed by then (not done by its date), oldest first."""
    found: dict[int, list[Missed]] = defaultdict(list)
    for item_id, due, done_on in led.db.execute(
            """SELECT m.item_id, m.due, m.done_on FROM milestones m
               WHERE m.due < :end AND (m.done_on IS NULL OR m.done_on > m.due) AND COALESCE(m.done_on, :end) >= :start
                 AND (SELECT count(*) FROM events e WHERE e.item_id = m.item_id AND e.kind = 'milestone_added'
                                                      AND e.at <= :end) >= m.seq
               ORDER BY m.item_id, m.seq""",
            {"end": period.end.isoformat(), "start": period.start.isoformat() if period.start else ""}):
        found[item_id].append((dt.date.fromisoformat(due), dt.date.fromisoformat(done_on) if done_on else None))
    return found


def followed(led: "Ledger", item_ids: Iterable[int], period: Period,
             missed: Mapping[int, Mapping[int, list[Missed]]] | None = None) -> dict[tuple[int, int], Track]:
    """The tracks of the assignments of ``item_ids`` whose history up to the end of the period has a
    pause, resume, extension, return or reopen; the others have plain histories. ``missed``: by item,
    the lead unit's missed 节点 (by unit id)."""
    missed = missed or {}
    wanted = set(item_ids)
    turned = sorted(r[0] for r in led.db.execute(
        f"SELECT DISTINCT e.item_id FROM events e WHERE {ANY_UNIT} AND e.kind IN {_TURNS} AND e.at <= ?",
        [period.end.isoformat()]) if r[0] in wanted)
    found: dict[tuple[int, int], Track] = {}
    kinds = ", ".join(f"'{k}'" for k in _LIFE_KINDS)
    for n in range(0, len(turned), 900):
        chunk = turned[n:n + 900]
        rows = led.db.execute(
            f"SELECT item_id, unit_id, at, kind, data FROM events WHERE kind IN ({kinds}) AND at <= ?"
            f" AND item_id IN ({','.join('?' * len(chunk))}) ORDER BY item_id, id",
            [period.end.isoformat(), *chunk]).fetchall()
        by_item: dict[int, list] = defaultdict(list)
        for item_id, unit_id, at, kind, data in rows:
            by_item[item_id].append((unit_id, dt.date.fromisoformat(at), kind, json.loads(data)))
        for item_id, changes in by_item.items():
            for unit_id, track in tracks(changes, period, led.calendar, missed.get(item_id)).items():
                found[item_id, unit_id] = track
    return found


# -- the ranking -----------------------------------------------------------------------------------------


def ranking(led: "Ledger", period: Period, items: Mapping[int, "Item"] | None = None,
            lit: Mapping[tuple[int, int, dt.date], Any] | None = None) -> list[UnitScore]:
    """Both tables, lead units first then co units, each best first with its own ranks and boards.
    ``items``: items the caller has loaded already (as stored), not loaded again; ``lit``: the
    lights of their open assignments, where the caller has them (:func:`duban.reports.scoped`)."""
    settings, cal = led.settings, led.calendar
    facts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    details: dict[tuple[str, str], list[str]] = defaultdict(list)
    rows = scoped(led, period, items, lit)
    milestones = missed_milestones(led, period)  # a lead unit's missed 节点 costs overdue days as its deadline does
    lead_missed = {s.item_id: {s.unit_id: milestones[s.item_id]} for s in rows if s.lead and s.item_id in milestones}
    followed_ = followed(led, (s.item_id for s in rows), period, lead_missed)
    for s in rows:
        key = (s.unit, LEAD if s.lead else CO)
        f = facts[key]
        track = followed_.get((s.item_id, s.unit_id))
        if track is None:  # a plain history: 交办, perhaps 办结
            track = Track([(s.closed_on, s.due, s.closed_on_time)] if s.closed else [])
            if not s.paused:
                _count_overdue(track, cal, dt.date.min, s.closed_on or period.end, s.due, period,
                               lead_missed.get(s.item_id, {}).get(s.unit_id, []))
        counted = counted_closure(track.closures)
        if counted is not None:
            closed_on, due, on_time = counted
            f["on_time" if on_time else "late"] += 1
            if not on_time:
                details[key].append(f"#{s.item_id} 逾期办结（时限 {due}，{closed_on} 办结）")
        if not s.closed and s.feedback_late:
            f["feedback_late"] += 1
            details[key].append(f"#{s.item_id} 期末进展反馈逾期")
        if track.overdue_days:
            f["overdue_days"] += track.overdue_days
            details[key].append(_overdue_detail(s.item_id, track))
    for key, counter in unit_role_counts(led, period).items():
        facts[key].update(counter)
    for item_id, unit, role, at in rebounds(led, period):
        details[unit, role].append(f"#{item_id} 回访不满意后于{at}重启（反弹）")
    scores = []
    for (unit, role), f in facts.items():
        lines = []
        for setting, fact, reason in SCHEME:
            count = f[fact]
            if count and settings[setting]:
                lines.append({"reason": reason, "count": count, "per": settings[setting],
                              "points": _number(count * settings[setting])})
        total = _number(settings["score_base"] + sum(line["points"] for line in lines))
        scores.append(UnitScore(unit, total, lines, role, details=details.get((unit, role), [])))
    lead = _ranked([u for u in scores if u.role == LEAD], settings["score_base"])
    co = _ranked([u for u in scores if u.role == CO], settings["score_base"])
    return lead + co


def _overdue_detail(item_id: int, track: Track) -> str:
    if track.milestone_days == track.overdue_days:
        return f"#{item_id} 本期节点逾期{track.overdue_days}个工作日"
    if track.milestone_days:
        return f"#{item_id} 本期逾期{track.overdue_days}个工作日（其中节点逾期{track.milestone_days}个）"
    return f"#{item_id} 本期逾期{track.overdue_days}个工作日"


def _ranked(scores: list[UnitScore], base: float) -> list[UnitScore]:
    """Best first; ties share a rank. 红榜: the top 20% by rank (ties share it) who earned more than
    the base; 黑榜: the bottom 20% (ties share it) who lost points."""
    scores.sort(key=lambda u: (-u.score, u.unit))
    rank, previous = 0, None
    for n, u in enumerate(scores, 1):
        if u.score != previous:
            rank, previous = n, u.score
        u.rank = rank
    top = rules.honour_count(len(scores))
    for u in scores:
        if u.rank <= top and u.score > base:
            u.board = "红榜"
    if scores:
        floor = scores[len(scores) - top].score
        for u in scores:
            if u.board is None and u.score <= floor and u.score < base:
                u.board = "黑榜"
    return scores


def _number(value: float) -> float | int:
    value = round(value, 2)
    return int(value) if value == int(value) else value
