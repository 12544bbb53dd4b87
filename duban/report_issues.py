"""期号: the issues of the weekly 督查专报, kept in the ledger (tables ``reports`` and ``report_issues``).

An issued 期 is reproducible (issue #12): its number, the year it is numbered in, its first day
and its as-of date are stored when it is first issued, and generating that week again covers the
same days as of the same date, so it gives the same figures (``--refresh`` recomputes it as of
today and stores the new as-of date). **One year rules an issue**: the year of its as-of date when
first issued numbers it and bounds its 今年以来 figures (2026-W53 issued on 2027-01-01 is 2027年第1期,
its 今年以来 from 2027-01-01). The number is recorded only after the files are written
(:func:`record`), so a failed run uses none up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import InvalidInput, UsageError
from .reports import Period

if TYPE_CHECKING:
    from .ledger import Ledger


@dataclass(frozen=True)
class Issue:
    period: str
    number: int
    year: int
    start: dt.date
    as_of: dt.date
    first_issued: dt.date


@dataclass
class Plan:
    """What a run is to write: the days it covers, its number and year, and what to tell the user."""

    kind: str
    period: Period                 # the week as the report covers it (to its as-of date)
    number: int
    year: int
    before: Issue | None           # the week as issued before, if it was
    record: bool                   # a new issue, a renumbering or a refresh: stored once the files are written
    notes: list[str] = field(default_factory=list)   # for stderr


def issued(led: "Ledger", kind: str, label: str) -> Issue | None:
    row = led.db.execute(
        "SELECT r.period, r.issue_no, i.year, i.start, i.as_of, r.first_issued FROM reports r"
        " JOIN report_issues i ON i.kind = r.kind AND i.period = r.period WHERE r.kind = ? AND r.period = ?",
        [kind, label]).fetchone()
    if row is None:
        return None
    return Issue(row[0], row[1], row[2], dt.date.fromisoformat(row[3]), dt.date.fromisoformat(row[4]),
                 dt.date.fromisoformat(row[5]))


def _holder(led: "Ledger", kind: str, year: int, number: int, label: str) -> str | None:
    """The other period already issued as ``year``年第``number``期, if any."""
    row = led.db.execute(
        "SELECT r.period FROM reports r JOIN report_issues i ON i.kind = r.kind AND i.period = r.period"
        " WHERE r.kind = ? AND r.issue_no = ? AND i.year = ? AND r.period != ?", [kind, number, year, label]).fetchone()
    return row[0] if row else None


def _issues_of(led: "Ledger", kind: str, year: int) -> list[tuple[str, int]]:
    return led.db.execute(
        "SELECT r.period, r.issue_no FROM reports r JOIN report_issues i ON i.kind = r.kind AND i.period = r.period"
        " WHERE r.kind = ? AND i.year = ? ORDER BY r.period", [kind, year]).fetchall()


def plan(led: "Ledger", kind: str, period: Period, wanted: int | None = None, *, renumber: bool = False,
         refresh: bool = False) -> Plan:
    """The issue a run generates for ``period`` (the week up to today); nothing is written here."""
    if renumber and wanted is None:
        raise UsageError("--renumber 须与 --issue 一起使用，指定新的期号")
    label = period.label
    before = issued(led, kind, label)
    if before is not None:
        number = before.number
        if wanted is not None and wanted != before.number:
            if not renumber:
                raise InvalidInput(f"{label} 已印发为{before.year}年第{before.number}期；"
                                   f"如确需改为第{wanted}期，请加 --renumber")
            number = wanted
        result = Plan(kind, Period(label, before.start, before.as_of), number, before.year, before,
                      record=number != before.number)
        if refresh:
            result.period, result.record = period, True
            result.notes.append(f"已按今天（{led.today.isoformat()}）的台账重算{before.year}年第{before.number}期"
                                f"（{label}），统计截至 {period.end.isoformat()}（原截至 {before.as_of.isoformat()}）")
        else:
            result.notes.append(f"{label} 已于 {before.first_issued.isoformat()} 印发为{before.year}年第{before.number}期，"
                                f"按原统计截止日 {before.as_of.isoformat()} 重新生成，日期和数字与原期相同；"
                                "如需按今天的台账重算，请加 --refresh")
        if number != before.number:
            result.notes.append(f"{label} 由{before.year}年第{before.number}期改为第{number}期")
    else:
        year = period.end.year
        issues = _issues_of(led, kind, year)
        number = wanted if wanted is not None else max((n for _, n in issues), default=0) + 1
        result = Plan(kind, period, number, year, None, record=True)
        later = [(p, n) for p, n in issues if p > label]
        if later:
            earlier = [(p, n) for p, n in issues if p < label]
            around = (f"第{earlier[-1][1]}期（{earlier[-1][0]}）与第{later[0][1]}期（{later[0][0]}）之间" if earlier
                      else f"第{later[0][1]}期（{later[0][0]}）之前")
            result.notes.append(f"提示：{label} 在已印发的 {later[0][0]}（第{later[0][1]}期）之后才生成，编为第{number}期；"
                                f"按周次它排在{around}")
    holder = _holder(led, kind, result.year, result.number, label)
    if holder is not None:
        raise InvalidInput(f"{result.year}年第{result.number}期已用于 {holder}，请换一个期号")
    return result


def record(led: "Ledger", plan: Plan) -> None:
    """Store the issue once its files are written; a plain regeneration stores nothing."""
    if not plan.record:
        return
    label, today = plan.period.label, led.today.isoformat()
    with led._write():
        holder = _holder(led, plan.kind, plan.year, plan.number, label)  # another run may have taken it since
        if holder is not None:
            raise InvalidInput(f"{plan.year}年第{plan.number}期已用于 {holder}，请换一个期号")
        led.db.execute(
            "INSERT INTO reports (kind, period, issue_no, first_issued, last_issued) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(kind, period) DO UPDATE SET issue_no = excluded.issue_no, last_issued = excluded.last_issued",
            [plan.kind, label, plan.number, today, today])
        led.db.execute(
            "INSERT INTO report_issues (kind, period, year, start, as_of) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(kind, period) DO UPDATE SET year = excluded.year, start = excluded.start, as_of = excluded.as_of",
            [plan.kind, label, plan.year, plan.period.start.isoformat(), plan.period.end.isoformat()])
        what = "重算" if plan.before is not None and plan.number == plan.before.number else \
            "改号" if plan.before is not None else "印发"
        detail = f"督查专报 {plan.year}年第{plan.number}期（{label}）"
        if what != "印发":
            detail += f"{what}，统计截至 {plan.period.end.isoformat()}"
        led._log("report_issued", detail, data={"kind": plan.kind, "period": label, "issue_no": plan.number,
                                                 "year": plan.year, "as_of": plan.period.end.isoformat()})
