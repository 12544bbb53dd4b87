"""The weekly 督查专报's content (DOMAIN.md §7): figures, lit items, units, problems, next steps."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import rules
from .models import Item, Light
from .report_events import ALL, ANY_UNIT as _ANY_UNIT, event_counts
from .reports import GroupStats, Period, Scope, Scoped, _scope, stats

if TYPE_CHECKING:
    from .ledger import Ledger


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
