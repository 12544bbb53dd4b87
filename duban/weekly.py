"""The weekly 督查专报's content (DOMAIN.md §7): figures, lit items, units, problems, next steps.

Every sentence is generated from what the ledger says at the end of the report's period (its
as-of date) and is true on that day (issue #12): a unit is said to be chased without result only
when an item it was chased for that week is still at work and unanswered; 重点事项推进缓慢 lists
only items of the 重点 class; items are named by 事项编号 and short title; paused working days are
not overdue days. The unit table is ordered by the 计公分 score of ``report ranking`` for the
quarter so far (lead units). One year rules an issue: 今年以来 runs from 1 January of the year the
issue is numbered in (:mod:`duban.report_issues`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import rules, scoring
from .errors import NotFound
from .models import LEVEL_LABELS, Item, ItemClass, Light
from .report_events import ANY_UNIT, chases
from .reports import GroupStats, Period, Scope, Scoped, _scope, quarter, stats

if TYPE_CHECKING:
    from .ledger import Ledger

SHORT_TITLE = 12  # characters of a title named in running text


def short_title(title: str) -> str:
    """At most 12 characters: a long title loses its bracketed numbers, what precedes its colon (工单号,
    建议号, “督查发现”), a leading 关于 and a trailing 的批示/的建议/的提案, and is then cut with “…”."""
    if len(title) <= SHORT_TITLE:
        return title
    text = re.sub(r"（[^）]*）|\([^)]*\)", "", title).strip()
    head, colon, tail = text.rpartition("：")
    if colon and len(tail) >= 4:
        text = tail
    text = re.sub(r"^关于", "", text)
    text = re.sub(r"的(批示|建议|提案|通知)$", "", text)
    return text if len(text) <= SHORT_TITLE else text[:SHORT_TITLE - 1] + "…"


def named(item_id: int, title: str) -> str:
    """An item as running text names it: #3“老旧小区改造”."""
    return f"#{item_id}“{short_title(title)}”"


def cn_date(day: dt.date) -> str:
    """Dates in running text: 2026年12月15日 (GB/T 9704-2012 7.3.5.1)."""
    return f"{day.year}年{day.month}月{day.day}日"


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
    key: bool = False              # a 重点 item
    milestone: bool = False        # the lateness is a missed 节点's, the deadline not yet past

    @property
    def late_text(self) -> str:
        """逾期N个工作日, or 节点逾期N个工作日 when the lateness is a missed 节点's (as ``duban overdue`` says)."""
        return _late(self.late_workdays, self.milestone)


@dataclass
class Weekly:
    period: Period                 # the week, up to its as-of date
    year_scope: Period             # 1 January of the issue's year to the as-of date
    issue_no: int
    office: str
    issued: dt.date                # the as-of date: the date the issue bears
    overall: GroupStats
    week_stats: GroupStats
    new_items: int
    closed_this_week: int
    lights: Counter                # red/yellow/blue/green/none over the items open at the end of the week
    paused: int
    lit: list[LitItem]
    units: list[GroupStats]        # lead units, in the order of ``scores``
    problems: list[str]
    next_steps: list[str]
    year: int = 0                  # the year the issue is numbered in
    quarter: Period | None = None  # the quarter so far, whose ranking orders ``units``
    scores: dict[str, float] = field(default_factory=dict)  # lead unit → 计公分 for ``quarter``
    base_score: float = 100        # the score of a unit with nothing gained or lost
    burden: str = ""               # 减负: what the office demanded of the units this week (duban.burden)


_LIGHT_ORDER = {Light.RED: 0, Light.YELLOW: 1, Light.BLUE: 2, Light.GREEN: 3}


def weekly(led: "Ledger", period: Period, issue_no: int, items: Mapping[int, Item] | None = None,
           year: int | None = None) -> Weekly:
    """The week's 专报 as of ``period.end``. ``items``: items the caller has loaded already (as they
    stood on that day), not loaded again; ``year``: the issue's year (default: that of ``period.end``)."""
    year = year or period.end.year
    year_scope = Period(str(year), dt.date(year, 1, 1), period.end)
    scope = _scope(led, year_scope, "unit", since=period.start, items=items)
    rows = scope.rows  # the assignments still at work, and those of the items rebuilt from their log
    by_unit = stats(led, year_scope, "unit", scope)
    overall = by_unit.pop()
    # the week's scope is the part of the year's not finished before the week began; a week that
    # began last year (2026-12-28 至 2027-01-01) has its own, or what it closed in December is lost
    of_week = scope if period.start >= year_scope.start else _scope(
        led, Period(period.label, period.start, period.end), "unit", since=period.start, items=items)
    week_scope = Scope(of_week.by, [c.since() for c in of_week.counted],
                       [s for s in of_week.rows if not (s.closed and s.closed_on < period.start)])
    week_stats = stats(led, period, None, week_scope)[-1]
    start, end = period.start.isoformat(), period.end.isoformat()
    new_items = led.db.execute("SELECT count(*) FROM items WHERE created >= ? AND created <= ? AND status NOT IN ('cancelled', 'merged')",
                               [start, end]).fetchone()[0]
    closed_week = (sum(c.closed_since for c in of_week.counted)
                   + sum(1 for s in of_week.rows if s.lead and s.closed and s.closed_on >= period.start))
    # items open at the end of the week: the worst light among their open assignments
    worst: dict[int, list[Scoped]] = defaultdict(list)
    for s in rows:
        if not s.closed and not s.paused:
            worst[s.item_id].append(s)
    lights: Counter = Counter()
    lit = []
    levels = _levels(led, period)
    shown = [i for i, group in worst.items() if any(s.light in (Light.RED, Light.YELLOW, Light.BLUE) for s in group)]
    chased = chases(led, period)
    about = _about(led, shown + [c[0] for c in chased])
    paused_days = _paused_past_due(led, [s for i in shown for s in worst[i] if s.light is Light.RED], period.end)
    for item_id, group in worst.items():
        top = min(group, key=lambda s: (_LIGHT_ORDER.get(s.light, 9), not s.lead))
        lights[top.light.code if top.light else "none"] += 1
        if top.light in (Light.RED, Light.YELLOW, Light.BLUE):
            lead = next((s.unit for s in group if s.lead), top.unit)
            title, klass = about[item_id]
            late, latest = max(((max(0, s.late_workdays - paused_days.get((s.item_id, s.unit_id), 0)), s)
                                for s in group), key=lambda x: x[0])
            milestone = top.light is Light.RED and latest.milestone_late
            lit.append(LitItem(item_id, title, top.light, lead, [s.unit for s in group], top.due, late,
                               levels.get(item_id), _state(top, late, milestone), klass is ItemClass.KEY, milestone))
    lit.sort(key=lambda x: (_LIGHT_ORDER[x.light], -x.late_workdays, x.item_id))
    quarter_so_far = quarter(None, period.end)
    scores = {u.unit: u.score for u in scoring.ranking(led, quarter_so_far, items) if u.role == scoring.LEAD}
    base = led.settings["score_base"]
    by_unit.sort(key=lambda g: (-scores.get(g.group, base), g.group))
    at_work = {(s.item_id, s.unit) for s in rows if not s.closed and not s.paused}
    problems = _problems(overall, lit, rows, _unanswered(chased, at_work, about))
    paused = sum(c.paused for c in scope.counted) + sum(1 for s in rows if s.lead and s.paused)
    from . import burden

    load = burden.sentence(burden.burden(led, period), "本周")
    return Weekly(period, year_scope, issue_no, led.settings["office_name"], period.end, overall, week_stats,
                  new_items, closed_week, lights, paused, lit, by_unit, problems, _next_steps(lit), year,
                  quarter_so_far, scores, base, load)


def _about(led: "Ledger", ids: list[int]) -> dict[int, tuple[str, ItemClass]]:
    """Title and class of each item."""
    found: dict[int, tuple[str, ItemClass]] = {}
    ids = sorted(set(ids))
    for n in range(0, len(ids), 900):
        chunk = ids[n:n + 900]
        for item_id, title, klass in led.db.execute(
                f"SELECT id, title, class FROM items WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            found[item_id] = (title, ItemClass.of(klass))
    return found


def _paused_past_due(led: "Ledger", rows: list[Scoped], day: dt.date) -> dict[tuple[int, int], int]:
    """Working days each of ``rows`` spent paused past its deadline up to ``day``: the light counts
    them as overdue, a report must not (paused from the day after the pause to the day of the resume)."""
    found: dict[tuple[int, int], int] = {}
    wanted = {(s.item_id, s.unit_id): s.due for s in rows if s.due is not None}
    ids = sorted({item_id for item_id, _ in wanted})
    for n in range(0, len(ids), 900):
        chunk = ids[n:n + 900]
        since: dict[tuple[int, int], dt.date] = {}
        for item_id, unit_id, at, kind, moved in led.db.execute(
                f"SELECT e.item_id, e.unit_id, e.at, e.kind,"
                f" json_extract(e.data, '$.to') IS NOT json_extract(e.data, '$.from') FROM events e WHERE {ANY_UNIT}"
                f" AND e.kind IN ('paused', 'resumed') AND e.at <= ?"
                f" AND e.item_id IN ({','.join('?' * len(chunk))}) ORDER BY e.id", [day.isoformat(), *chunk]):
            key = (item_id, unit_id)
            if key not in wanted:
                continue
            if kind == "paused":
                since[key] = dt.date.fromisoformat(at)
            elif kind == "resumed" and moved:
                # the resume moved the deadline by the days paused (or set a new one): counted from the
                # deadline in force, the light's days are already the days at work past it
                since.pop(key, None)
            elif key in since:
                low = max(since.pop(key), wanted[key])
                found[key] = found.get(key, 0) + led.calendar.workdays_between(low, dt.date.fromisoformat(at)).value
        for key, low in since.items():  # still paused (a replayed row) at the end of the period
            found[key] = found.get(key, 0) + led.calendar.workdays_between(max(low, wanted[key]), day).value
    return found


def _late(late: int, milestone: bool = False) -> str:
    """A red item's lateness: N working days (of a deadline or a milestone), or only past its date over days off."""
    if milestone:
        return f"节点逾期{late}个工作日" if late else "节点已过期"
    return f"逾期{late}个工作日" if late else "已过期限"


def _state(s: Scoped, late: int, milestone: bool = False) -> str:
    if s.light is Light.RED:
        return _late(late, milestone)
    if s.feedback_late:
        return "进展反馈逾期"
    if s.behind:
        return "落后序时进度"
    if s.unsigned:
        return "未按时签收"
    if s.workdays_left is None:
        return "长期事项"  # no deadline: its light comes from its feedback or milestones
    return "今日到期" if s.workdays_left == 0 else f"剩余{s.workdays_left}个工作日"


def _levels(led: "Ledger", period: Period) -> dict[int, str]:
    """The highest 催办 level each item reached up to the end of the week (by ``remind`` or ``escalate``)."""
    rows = led.db.execute(
        "SELECT e.item_id, max(CASE e.kind WHEN 'reminded' THEN COALESCE(json_extract(e.data, '$.level'), 1)"
        " ELSE CASE json_extract(e.data, '$.kind') WHEN 'notice' THEN 2 WHEN 'listed' THEN 3 END END) FROM events e"
        f" WHERE {ANY_UNIT} AND e.kind IN ('reminded', 'escalated') AND e.at <= ? AND e.item_id IS NOT NULL"
        " GROUP BY e.item_id",
        [period.end.isoformat()]).fetchall()
    return {item_id: LEVEL_LABELS.get(level) for item_id, level in rows if level}


DONE_LEVEL = {"提醒": "已提醒", "催办": "已催办", "督办单": "已下达督办单", "挂牌督办": "已挂牌督办"}


def _unanswered(chased: list[tuple], at_work: set[tuple[int, str]],
                about: Mapping[int, tuple[str, ItemClass]]) -> list[tuple[str, int, list[str]]]:
    """Units chased twice or more in the week for items still at work at its end with no progress
    report since the last chase: (unit, times chased for those items, the items named)."""
    found: dict[str, tuple[int, list[str]]] = {}
    for item_id, unit, steps, last_chased, last_feedback in chased:
        if (item_id, unit) not in at_work or (last_feedback is not None and last_feedback >= last_chased):
            continue
        times, names = found.get(unit, (0, []))
        found[unit] = (times + steps, [*names, named(item_id, about[item_id][0])])
    return sorted(((unit, n, names) for unit, (n, names) in found.items() if n >= 2), key=lambda x: (-x[1], x[0]))


def _problems(overall: GroupStats, lit: list[LitItem], rows: list[Scoped],
              unanswered: list[tuple[str, int, list[str]]]) -> list[str]:
    problems = []
    red = [x for x in lit if x.light is Light.RED]
    if red:
        long_late = [x for x in red if x.late_workdays >= 10]
        text = f"逾期事项{len(red)}件"
        if long_late:
            text += f"，其中逾期10个工作日以上{len(long_late)}件"
        behind_units = Counter(s.unit for s in rows if s.overdue)
        named_units = "、".join(f"{u}（{n}项）" for u, n in behind_units.most_common(3))
        problems.append(f"部分事项办理滞后。{text}，逾期较多的单位有{named_units}。")
    key_red = sorted((x for x in red if x.key), key=lambda x: (-x.late_workdays, x.item_id))[:3]
    if key_red:
        problems.append("重点事项推进缓慢。" + "；".join(
            f"{named(x.item_id, x.title)}（{x.lead}牵头）{x.late_text}"
            + (f"，{DONE_LEVEL[x.level]}" if x.level else "") for x in key_red) + "。")
    # every item whose lead unit's progress report is late is lit (yellow at least, red if overdue too)
    late_ids = {s.item_id for s in rows if s.lead and not s.closed and not s.paused and s.feedback_late}
    late_reports = [x for x in sorted(lit, key=lambda x: x.item_id) if x.item_id in late_ids]
    if late_reports:
        shown = "、".join(named(x.item_id, x.title) for x in late_reports[:3])
        more = "等" if len(late_reports) > 3 else ""
        problems.append(f"进展报送不及时。{shown}{more}{len(late_reports)}件事项未按规定频次报送办理进展。")
    unsigned = Counter(s.unit for s in rows if not s.closed and not s.paused and s.unsigned)
    if unsigned:
        problems.append("交办后未及时签收。" + "、".join(f"{u}（{n}项）" for u, n in sorted(unsigned.items()))
                        + "的交办事项超过规定时限仍未签收。")
    if unanswered:
        problems.append("催办后落实不力。本周" + "；".join(
            f"{unit}被催办{n}次（{'、'.join(names[:3])}{'等' if len(names) > 3 else ''}）" for unit, n, names in unanswered[:5])
            + "，截至本期统计日仍未按要求办结或反馈。")
    if overall.on_time_rate is not None and overall.on_time_rate < 0.9:
        problems.append(f"按期办结率偏低。今年以来按期办结率为{rules.percent_text(overall.on_time_rate)}，"
                        f"逾期办结{overall.closed - overall.closed_on_time}件。")
    if not problems:
        problems.append("本周督办事项总体推进正常，未发现突出问题。")
    return problems


def _next_steps(lit: list[LitItem]) -> list[str]:
    steps = []
    red = [x for x in lit if x.light is Light.RED]
    if red:
        long_late = [x for x in red if x.late_workdays >= 10]
        text = (f"紧盯{len(red)}件逾期事项，按照“提醒—催办—督办单—挂牌督办”梯次加压，逐件明确整改时限")
        if long_late:
            text += f"，对逾期10个工作日以上的{len(long_late)}件事项提请约谈相关单位负责同志"
        steps.append(text + "。")
    near = [x for x in lit if x.light is not Light.RED]
    if near:
        steps.append(f"对{len(near)}件临期或进展滞后的事项提前提醒，督促责任单位按序时进度推进、按时报送进展。")
    steps.append("对已办结事项开展“回头看”，逐件回访核实办理成效，防止问题反弹。")
    steps.append("将督办事项办理情况纳入季度计公分考核，定期通报各单位办理情况。")
    return steps


def views_as_of(led: "Ledger", day: dt.date) -> list:
    """The unfinished items as the ledger described them at the end of ``day``, lit as on that day, for
    the 专报's companion 台账: items with records after ``day`` are rebuilt from their log up to it."""
    from .ledger import ListFilter
    from .reports import _changed

    changed = set(_changed(led, Period("", None, day)))
    views = [led.view(v.item, day) if led.today != day else v for v in led.list_items(ListFilter(), scheduled=True)
             if v.item.id not in changed]
    for item_id in sorted(changed):
        try:
            view = led.item_as_of(item_id, day)
        except NotFound:  # registered after the day
            continue
        if view.item.status.is_live:
            views.append(view)
    return sorted(views, key=lambda v: v.item.id)
