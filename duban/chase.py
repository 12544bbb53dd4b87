"""逾期清单与催办: what is late today and who must be chased (DOMAIN.md §6–7).

Two questions, both asked of open assignments only (closed history is never loaded):

* :func:`overdue` — every open assignment past its deadline or a missed milestone (red),
  with its escalation level, last 催办 and last feedback, grouped by unit.
* :func:`plan` — which assignments need a reminder today, at which level. The rule:

  - an assignment with no escalation level (on track, or only behind 序时进度) is not chased;
  - one never reminded before is chased at once (临期 → 提醒, overdue or a late progress
    report → 催办, …);
  - after that it is chased again every ``remind_interval_workdays`` working days while it
    stays late, so that 催办 without reply pile up and climb the ladder (2 → 督办单,
    3 → 挂牌督办) at a pace a unit can answer;
  - except that crossing a lateness threshold (overdue ≥ 1, 5, 10 working days) since the
    last reminder raises the level at once, without waiting for the interval;
  - 梯次加压 (DOMAIN.md §6): a reminder is never more than one level above the previous
    reminder of the same item to the same unit (催办 when never chased), however late the
    item already is — an item imported 130 working days late gets a 催办, then a 督办单,
    then 挂牌督办, each after the interval;
  - never twice at the same level on the same day (the cron-safe rule).

Both are pure over what they are given; :class:`duban.ledger.Ledger` supplies the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import rules
from .models import NOTICE_KINDS, Assignment, Escalation, Item, Light, LightResult, Role, Status, Unit
from .workdays import WorkCalendar


@dataclass(frozen=True)
class Chased:
    """The 催办 history of one assignment: the latest reminder and those since the last feedback."""

    last_at: dt.date | None = None
    last_level: int | None = None
    unanswered: int = 0  # reminders of level ≥ 1 after the last feedback
    levels_today: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Standing:
    """One open assignment as the daily job sees it today."""

    item: Item
    assignment: Assignment
    unit: Unit
    light: LightResult
    escalation: Escalation
    chased: Chased
    # read from the stored schedule (issue #16): the words of status_text and the date missed, as the
    # rules gave them for today; None when lit in Python (then computed from ``light``)
    stated: str | None = None
    missed_day: dt.date | None = None
    # read from the schedule too, for ``remind`` (with ``stated``): the words of reason_text and the level
    # lateness alone gives today (:func:`pressure`)
    said: str | None = None
    pressure_now: int | None = None

    @property
    def late_workdays(self) -> int:
        return self.light.late_workdays

    @property
    def is_overdue(self) -> bool:
        return self.light.light is Light.RED

    def missed(self, today: dt.date) -> dt.date | None:
        """The date actually missed: the deadline, or else the earliest missed milestone."""
        if self.stated is not None:
            return self.missed_day
        a = self.assignment
        if a.due is not None and today > a.due:
            return a.due
        missed = [m.due for m in self.item.milestones if m.done_on is None and today > m.due]
        return min(missed) if missed and a.role is Role.LEAD else None


@dataclass(frozen=True)
class Reminder:
    """A reminder the daily job sends (or, with --dry-run, would send) today."""

    standing: Standing
    level: int
    reason: str
    reply_by: dt.date
    event_id: int | None = None  # once recorded: its `reminded` event
    ref: str | None = None  # once recorded: the 文号 of its notice

    @property
    def notice(self) -> str:
        return NOTICE_KINDS[self.level]


def standings(items: Iterable[Item], units: Mapping[int, Unit], history: Mapping[tuple[int, int], Chased],
              today: dt.date, cal: WorkCalendar, settings: Mapping[str, Any],
              lit: Mapping[tuple[int, int, dt.date], LightResult] | None = None) -> list[Standing]:
    """Every open assignment of ``items`` with its light and escalation level today. ``lit``: the
    lights the caller has already, by (item id, unit id, day) (``Ledger.list_items``)."""
    found = []
    lit = lit or {}
    for item in items:
        for a in item.assignments:
            if a.status is not Status.OPEN:
                continue
            light = lit.get((item.id, a.unit_id, today))
            if light is None:
                light = rules.assignment_light(a, item, today, cal, settings)
            chased = history.get((item.id, a.unit_id), Chased())
            level = rules.escalation(light, chased.unanswered, settings)
            unit = units.get(a.unit_id) or Unit(id=a.unit_id, name=a.unit)
            found.append(Standing(item, a, unit, light, level, chased))
    return found


def _unit_order(rows: Sequence[Standing]) -> list[Standing]:
    """Grouped by unit, the unit most behind first; inside a unit, the longest overdue first."""
    worst: dict[int, int] = {}
    for s in rows:
        worst[s.unit.id] = max(worst.get(s.unit.id, 0), s.late_workdays)
    return sorted(rows, key=lambda s: (-worst[s.unit.id], s.unit.name, s.unit.id, -s.late_workdays,
                                       s.item.id))


def overdue(rows: Iterable[Standing]) -> list[Standing]:
    """The 逾期清单: red assignments (past the deadline or a milestone), in a stable order."""
    return _unit_order([s for s in rows if s.is_overdue])


def step_cap(chased: Chased) -> int:
    """The highest level the next reminder may have: one above the previous one (催办 when never chased)."""
    return 1 if chased.last_level is None else chased.last_level + 1


def plan(rows: Iterable[Standing], today: dt.date, cal: WorkCalendar, settings: Mapping[str, Any],
         then: Callable[[Standing, dt.date], int | None] | None = None) -> list[Reminder]:
    """The reminders due today (see the module docstring for the rule). ``then``: see :func:`_crossed`."""
    interval = settings["remind_interval_workdays"]
    reply_by = cal.add_workdays(today, settings["reply_workdays"]).value
    due = []
    for s in rows:
        if s.escalation.level is None:
            continue
        chased = s.chased  # (the history holds reminders up to today only)
        level = min(s.escalation.level, step_cap(chased))
        if level in chased.levels_today:
            continue
        if chased.last_at is not None:
            waited = cal.workdays_between(chased.last_at, today).value >= interval
            if not (waited or _crossed(s, level, today, cal, settings, then)):
                continue
        due.append(Reminder(s, level, reason_text(s), reply_by))
    return ordered(due)


def ordered(reminders: Sequence[Reminder]) -> list[Reminder]:
    """Reminders grouped by unit, the unit most behind first (the order of the notices)."""
    order = {id(s): n for n, s in enumerate(_unit_order([r.standing for r in reminders]))}
    return sorted(reminders, key=lambda r: order[id(r.standing)])


def pressure(light: LightResult, settings: Mapping[str, Any]) -> int | None:
    """The escalation level lateness alone gives, without 催办 counted."""
    return rules.escalation(light, 0, settings).level


def _crossed(s: Standing, level: int, today: dt.date, cal: WorkCalendar, settings: Mapping[str, Any],
             then: Callable[[Standing, dt.date], int | None] | None = None) -> bool:
    """Whether lateness alone crossed a higher threshold since the last reminder, up to ``level``.
    ``then``: the level lateness alone gave a standing read from the schedule on a past day (the
    ledger reads it from the schedule of that day where there is one), else it is lit in Python."""
    chased = s.chased
    read = s.said is not None  # read from the schedule: today's level lateness alone gives is there
    now = s.pressure_now if read else pressure(s.light, settings)
    if now is None or now <= (chased.last_level or 0) or level < min(now, step_cap(chased)):
        return False
    if chased.last_at is None or chased.last_at >= today:
        return False
    if read and then is not None:
        before = then(s, chased.last_at)
    else:
        before = pressure(rules.assignment_light(s.assignment, s.item, chased.last_at, cal, settings), settings)
    return before is None or now > before


def reason_text(s: Standing) -> str:
    """Why this unit is chased, in a clerk's words with the numbers."""
    if s.said is not None:
        return s.said
    parts = []
    for f in s.light.findings:
        if f.kind in ("overdue", "milestone", "feedback_late", "near_due"):
            parts.append(f.text)
    if s.chased.unanswered:
        parts.append(f"已催办{s.chased.unanswered}次仍无反馈")
    return "；".join(parts) or s.escalation.reason


def status_text(s: Standing) -> str:
    """The short state shown in lists and notices: 逾期N个工作日 / 距时限N个工作日 / 反馈逾期."""
    if s.stated is not None:
        return s.stated
    light = s.light
    if any(f.kind == "overdue" for f in light.findings):
        return f"逾期{light.overdue_workdays}个工作日" if light.overdue_workdays else "已过期限"
    if any(f.kind == "milestone" for f in light.findings):
        return f"节点逾期{light.late_workdays}个工作日" if light.late_workdays else "节点已过期"
    parts = []
    if light.workdays_left is not None:
        parts.append("今日到期" if light.workdays_left == 0 else f"剩余{light.workdays_left}个工作日")
    if light.feedback_late_workdays:
        parts.append(f"进展反馈逾期{light.feedback_late_workdays}个工作日")
    return "，".join(parts) or "长期事项"


def role_label(a: Assignment) -> str:
    return "牵头" if a.role is Role.LEAD else "配合"
