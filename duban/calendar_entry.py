"""What entering a year's holiday schedule does to the deadlines already set (DOMAIN.md §4).

A deadline counted as N working days on an estimated year (``due_basis`` estimated) is recounted
from its 交办 date once the year is entered; a deadline given as a date keeps its date and is only
checked — it may now fall on a holiday. Pure: items and the new calendar in, a plan out; the
ledger writes the plan's `due_recomputed` events in the same transaction as the calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from .models import Assignment, Item, Status
from .workdays import WorkCalendar

ESTIMATED = ("estimated", "weekends")  # "weekends": ledgers written before the statutory estimate
LIVE = (Status.OPEN, Status.PAUSED)


@dataclass(frozen=True)
class Recompute:
    item: Item
    assignment: Assignment
    old: dt.date
    new: dt.date
    basis: str
    why: str

    @property
    def text(self) -> str:
        return f"#{self.item.id}“{self.assignment.unit}”{self.old.isoformat()} → {self.new.isoformat()}"

    @property
    def detail(self) -> str:
        return f"“{self.assignment.unit}”办理时限重算：{self.old.isoformat()} → {self.new.isoformat()}（{self.why}）"

    @property
    def data(self) -> dict:
        return {"from": self.old.isoformat(), "to": self.new.isoformat(), "within": self.assignment.within,
                "due_basis": self.basis, "why": self.why}


@dataclass
class Plan:
    recomputed: list[Recompute] = field(default_factory=list)
    confirmed: int = 0  # recounted to the same date: the flag goes, nothing is written
    warnings: list[str] = field(default_factory=list)
    skipped: list[Recompute] = field(default_factory=list)  # the item has a later record (--today in the past)

    @property
    def written(self) -> list[Recompute]:
        return [r for r in self.recomputed if r not in self.skipped]


@dataclass(frozen=True)
class CalendarEntry:
    count: int  # days entered
    plan: Plan


def _years(a: Assignment) -> range:
    start = a.assigned_on or a.due
    return range(start.year, a.due.year + 1)


def plan(items: Iterable[Item], years: Sequence[int], cal: WorkCalendar, before: Collection[int] = ()) -> Plan:
    """The deadlines entering ``years`` settles: recounted ones, confirmed ones, and warnings.

    ``before``: the years entered already; a deadline recounted to the same date is “confirmed” (its
    “时限待核” flag goes) only when this entry is the first for one of its years — on a second entry
    into the same year there is no flag left to take away."""
    entered = set(years)
    first = entered - set(before)
    result = Plan()
    listed = "、".join(f"{y}年" for y in sorted(entered))
    for item in items:
        for a in item.assignments:
            if a.status not in LIVE or a.due is None:
                continue
            counted = a.due_basis in ESTIMATED and a.within is not None and a.assigned_on is not None
            if counted and entered.intersection(_years(a)):
                span = cal.add_workdays(a.assigned_on, a.within)
                if span.value == a.due:
                    result.confirmed += bool(first.intersection(_years(a)))
                    continue
                why = f"录入{listed}节假日安排后，按交办日 {a.assigned_on.isoformat()} 起{a.within}个工作日重算"
                result.recomputed.append(Recompute(item, a, a.due, span.value,
                                                   "estimated" if span.uncovered else "calendar", why))
            elif a.due.year in entered and not cal.is_workday(a.due):
                result.warnings.append(f"注意：事项 #{item.id} 在“{a.unit}”处的办理时限 {a.due.isoformat()} "
                                       f"是{cal.describe(a.due)}，不是工作日（时限按原日期保留）")
    return result
