"""一块屏幕: what the office's wall display shows (seeds/002 L18 句容 触摸展示屏按序时给各单位打分;
seeds/003 L549 督办显示大屏晾晒), gathered from the same reports the CLI prints.

* the light totals and the figures of ``report stats`` (建账 to today) — 全部;
* per unit: the items it leads by light, its 序时推进率 and this quarter's 计公分 score and rank;
* the red, yellow (and, with the four-colour preset, blue) items: 编号, 事项, 单位, 逾期/剩余工作日, 督办级别;
* the quarter's 红榜 and 黑榜;
* the 12-week trend of new, closed and overdue items (:mod:`duban.trend`).

:func:`gather` reads one ledger, :func:`combine` puts several together (``duban rollup … screen``);
:mod:`duban.screen_html` draws the page.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import chase, reports, scoring, trend
from .models import Light

if TYPE_CHECKING:
    from .ledger import Ledger

LIGHT_CODES = ("red", "yellow", "blue", "green")
# The order of the lit list: red first, then the nearer deadlines.
_LIT_ORDER = {"red": 0, "yellow": 1, "blue": 2}


@dataclass
class UnitRow:
    unit: str
    ledger: str | None
    lights: Counter                  # the open items it leads, by light code ("none": no light)
    total: int = 0                   # report stats: lead assignments in scope
    closed: int = 0
    progress_rate: float | None = None
    completion_rate: float | None = None
    score: float | None = None       # this quarter's 计公分
    rank: int | None = None
    board: str | None = None


@dataclass
class LitRow:
    item_id: int
    title: str
    unit: str
    light: str                       # red | yellow | blue
    late_workdays: int
    workdays_left: int | None
    state: str                       # 逾期5个工作日 / 剩余2个工作日 / 今日到期 / 进展反馈逾期 …
    level: str | None                # 督办级别 (the highest reached among its open units)
    ledger: str | None = None


@dataclass
class Board:
    unit: str
    score: float
    rank: int
    ledger: str | None = None


@dataclass
class Screen:
    office: str
    today: dt.date
    quarter: str
    lights: Counter                  # the items open today by light code, "none" for no light
    overall: reports.GroupStats      # report stats, 全部
    units: list[UnitRow]
    lit: list[LitRow]
    red_board: list[Board]
    black_board: list[Board]
    trend: list[trend.Week]
    ledgers: list[str] = field(default_factory=list)   # rollup: the ledgers shown, by office name
    by_ledger: bool = False          # rollup --by ledger: ``units`` holds one row per ledger


def gather(led: "Ledger", label: str | None = None) -> Screen:
    """The screen of one ledger as of ``led.today``; ``label`` names the ledger (rollup)."""
    from .ledger import ListFilter

    today = led.today
    # each open assignment's light today: lit once, for the list, the 督办级别, the statistics and the ranking
    lit_today: dict = {}
    views = led.list_items(ListFilter(), lit_today)
    items = {v.item.id: v.item for v in views}
    # 督办级别: the escalation level each open assignment has reached, as the daily job sees it
    units_by_id = {u.id: u for u in led.units()}
    standings = chase.standings([v.item for v in views if v.light.light in (Light.RED, Light.YELLOW, Light.BLUE)],
                                units_by_id, led._chase_history(), today, led.calendar, led.settings, lit_today)
    levels: dict[int, tuple[int, str]] = {}
    for s in standings:
        if s.escalation.level is not None and s.escalation.level > levels.get(s.item.id, (-1, ""))[0]:
            levels[s.item.id] = (s.escalation.level, s.escalation.label)
    lights: Counter = Counter()
    unit_lights: dict[str, Counter] = {}
    lit = []
    for v in views:
        code = v.light.light.code if v.light.light else "none"
        lights[code] += 1
        lead = v.item.lead
        if lead is not None:
            unit_lights.setdefault(lead.unit, Counter())[code] += 1
        if code in _LIT_ORDER:
            unit = lead.unit if lead is not None else "—"
            lit.append(LitRow(v.item.id, v.item.title, unit, code, v.light.late_workdays, v.light.workdays_left,
                              _state(v.light), levels.get(v.item.id, (None, None))[1], label))
    lit.sort(key=lambda r: (_LIT_ORDER[r.light], -r.late_workdays, r.workdays_left or 0, r.item_id))
    period = reports.span(None, None, today)
    scope = reports._scope(led, period, "unit", lead_only=True, items=items, lit=lit_today)
    groups = reports.stats(led, period, "unit", scope, events=False)  # the page shows no counts of records
    overall = groups.pop()
    quarter = reports.quarter(None, today)
    scores = [s for s in scoring.ranking(led, quarter, items, lit_today) if s.role == scoring.LEAD]  # the units' own items
    rows: dict[str, UnitRow] = {}
    for g in groups:
        rows[g.group] = UnitRow(g.group, label, unit_lights.get(g.group, Counter()), g.total, g.closed,
                                g.progress_rate, g.completion_rate)
    for name, counted in unit_lights.items():
        rows.setdefault(name, UnitRow(name, label, counted))
    for s in scores:
        row = rows.setdefault(s.unit, UnitRow(s.unit, label, unit_lights.get(s.unit, Counter())))
        row.score, row.rank, row.board = s.score, s.rank, s.board
    ordered = sorted(rows.values(), key=lambda r: (r.rank is None, r.rank or 0, -(r.progress_rate or 0), r.unit))
    red = [Board(s.unit, s.score, s.rank, label) for s in scores if s.board == "红榜"]
    black = [Board(s.unit, s.score, s.rank, label) for s in reversed(scores) if s.board == "黑榜"]
    return Screen(led.settings["office_name"], today, quarter.label, lights, overall, ordered, lit, red, black,
                  trend.trend(led), [led.settings["office_name"]])


def _state(light) -> str:
    if light.light is Light.RED:
        return f"逾期{light.late_workdays}个工作日" if light.late_workdays else "已过期限"
    if light.feedback_late_workdays:
        return f"反馈逾期{light.feedback_late_workdays}个工作日"
    if light.workdays_left == 0:
        return "今日到期"
    if light.workdays_left is not None:
        return f"剩余{light.workdays_left}个工作日"
    return light.reason


def combine(screens: list[Screen], office: str) -> Screen:
    """Several ledgers' screens as one (``duban rollup … screen``): each unit and item keeps its ledger."""
    overall = reports.GroupStats(reports.ALL)
    lights: Counter = Counter()
    units, lit, red, black = [], [], [], []
    weeks = None
    for s in screens:
        merge_into(overall, s.overall)
        lights.update(s.lights)
        units.extend(s.units)
        lit.extend(s.lit)
        red.extend(s.red_board)
        black.extend(s.black_board)
        if weeks is None:
            weeks = list(s.trend)
        else:
            weeks = [trend.Week(w.label, w.monday, w.end, w.new + o.new, w.closed + o.closed, w.red + o.red)
                     for w, o in zip(weeks, s.trend)]
    lit.sort(key=lambda r: (_LIT_ORDER[r.light], -r.late_workdays, r.workdays_left or 0, r.ledger or "", r.item_id))
    # ranks of different ledgers do not compare: by 序时推进率, and a unit with nothing at work (no rate) last
    units.sort(key=lambda r: (r.progress_rate is None, -(r.progress_rate or 0), r.rank or 0, r.ledger or "", r.unit))
    first = screens[0]
    return Screen(office, first.today, first.quarter, lights, overall, units, lit, red, black, weeks or [],
                  [s.office for s in screens])


def merge_into(total: reports.GroupStats, part: reports.GroupStats) -> None:
    """Add one group's counts to another's (rates are computed from the sums)."""
    total.total += part.total
    total.closed += part.closed
    total.closed_on_time += part.closed_on_time
    total.overdue += part.overdue
    total.on_track += part.on_track
    total.open += part.open
    total.events.update(part.events)
