"""督查专报与统计考核 (issue #6): the metric functions, periods, stats, 计公分 and the weekly 专报.

Most tests share one hand-built ledger (:func:`build`), whose numbers are counted by hand in
the comments: the same seven lead assignments are behind the stats, the ranking and the 专报.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from duban import reports, rules, scoring, weekly
from duban.errors import InvalidInput, UsageError
from duban.ledger import Ledger
from duban.models import Channel, EscalationKind, Light, Satisfaction, Source

D = dt.date.fromisoformat
TODAY = D("2026-11-16")  # Monday of 2026-W47, the DUBAN_TODAY of conftest
OFFICE = "某市人民政府督查室"

EVENT_KEYS = ("reminders", "notices", "listed", "interviews", "criticisms", "praises", "accountability",
              "extensions", "reopened", "revisits", "satisfied", "basically_satisfied", "unsatisfied")
REVISIT_KEYS = ("satisfaction_rate", "revisits", "satisfied", "basically_satisfied", "unsatisfied")


def on(led: Ledger, day: str) -> Ledger:
    led.today = D(day)
    return led


def chased(found) -> list[tuple[int, str, int]]:
    return [(r.standing.item.id, r.standing.unit.name, r.level) for r in found]


# -- the shared scenario -------------------------------------------------------------------------------
#
# All items are 常规 (monthly progress reports, so no report falls late before 2026-11-30).
# Working days around it (2026): 10-01..10-07 National Day, 10-10 (Sat) a 调休 working day,
# then plain Monday–Friday weeks.
#
#   #1 道路修复      领导批示  交通局 lead          due 10-30  closed 10-28 on time; 回访 满意 11-02; 通报表扬 11-02
#   #2 资金拨付      会议议定  财政局 lead, 交通局 co due 10-23  both closed 10-29 late (4 working days: 10-26..29)
#                                                            回访 不满意 11-03
#   #3 老旧小区改造  领导批示  住建局 lead          due 11-06  open; 催办 11-09 (level 1), 督办单 11-13 (level 2),
#                                                            约谈 11-13, 问责 11-16 → on 11-16 overdue 6 working days
#   #4 噪音治理      群众诉求  交通局 lead          due 10-23  closed 10-22 on time, 重启 11-10 due 11-17 → 临期
#                                                            (提醒 level 0 on 11-13, not a 催办)
#   #5 临时任务      其他      住建局 lead          due 10-30  撤销 10-14 → left out everywhere
#   #6 排水改造      会议议定  住建局 lead          due 11-10, 签收 10-20, 延期 11-09 to 11-27 → green
#   #7 债务化解      文件部署  财政局 lead          due 11-20, 暂缓 11-05 → paused
#   #8 停车场建设    文件部署  交通局 lead          created 11-02, 签收 11-03, due 12-31 → green


def build(led: Ledger) -> Ledger:
    on(led, "2026-10-12")
    assert led.create("道路修复", Source.LEADER_INSTRUCTION, lead="交通局", due=D("2026-10-30")).item.id == 1
    assert led.create("资金拨付", Source.MEETING_DECISION, lead="财政局", co=["交通局"], due=D("2026-10-23")).item.id == 2
    assert led.create("老旧小区改造", Source.LEADER_INSTRUCTION, lead="住建局", due=D("2026-11-06")).item.id == 3
    assert led.create("噪音治理", Source.PUBLIC_REQUEST, lead="交通局", due=D("2026-10-23")).item.id == 4
    assert led.create("临时任务", Source.OTHER, lead="住建局", due=D("2026-10-30")).item.id == 5
    on(led, "2026-10-14").cancel(5, "任务取消")
    on(led, "2026-10-19")
    assert led.create("排水改造", Source.MEETING_DECISION, lead="住建局", due=D("2026-11-10")).item.id == 6
    assert led.create("债务化解", Source.DOCUMENT, lead="财政局", due=D("2026-11-20")).item.id == 7
    on(led, "2026-10-20").sign(6, "住建局")  # signed: not lit yellow for 未签收 (issue 13)
    on(led, "2026-10-22").close(4, "已整改")
    on(led, "2026-10-28").close(1, "已修复")
    on(led, "2026-10-29").close(2, "已拨付")
    on(led, "2026-11-02")
    assert led.create("停车场建设", Source.DOCUMENT, lead="交通局", due=D("2026-12-31")).item.id == 8
    led.revisit(1, Satisfaction.SATISFIED, "群众满意")
    led.escalate(1, EscalationKind.PRAISE, "交通局", "按期高质量完成")
    on(led, "2026-11-03").revisit(2, Satisfaction.UNSATISFIED, "资金到位慢")
    led.sign(8, "交通局")
    on(led, "2026-11-05").pause(7, "等待上级政策")
    on(led, "2026-11-09").extend(6, D("2026-11-27"), "雨季施工受阻")
    # only #3 is late: due 11-06, 1 working day over → 催办
    assert chased(led.remind(Channel.SYSTEM)) == [(3, "市住房和城乡建设局", 1)]
    on(led, "2026-11-10").reopen(4, "回头看发现问题反弹", due=D("2026-11-17"))
    on(led, "2026-11-13")
    # #3 now 5 working days over → 督办单; #4 has 2 working days left → 提醒 (level 0, not counted as 催办)
    assert chased(led.remind(Channel.SYSTEM)) == [(3, "市住房和城乡建设局", 2), (4, "市交通运输局", 0)]
    led.escalate(3, EscalationKind.INTERVIEW, "住建局", "约谈主要负责同志")
    on(led, "2026-11-16").escalate(3, EscalationKind.ACCOUNTABILITY, "住建局", "问责")
    assert led.remind(Channel.SYSTEM, dry_run=True) == []  # nobody else is due a reminder today
    return led


@pytest.fixture
def scenario(ledger) -> Ledger:
    return build(ledger)


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory) -> Path:
    """The scenario in a ledger file, built once per module and copied for each CLI test."""
    path = tmp_path_factory.mktemp("scenario") / "scenario.db"
    led = Ledger.open(path, today=D("2026-10-12"), create=True)
    for name, aliases in (("市交通运输局", ["市交通局", "交通局"]), ("市财政局", ["财政局"]),
                          ("市住房和城乡建设局", ["市住建局", "住建局"])):
        led.add_unit(name, aliases=aliases)
    led.set_setting("office_name", OFFICE)
    build(led)
    led.db.conn.close()
    assert not Path(f"{path}-wal").exists()
    return path


@pytest.fixture
def cli(scenario_file, duban):
    """The CLI over a fresh copy of the scenario ledger (DUBAN_DB of conftest)."""
    shutil.copyfile(scenario_file, os.environ["DUBAN_DB"])
    return duban


def record(group: str, total: int, closed: int, on_time: int, overdue: int, on_track: int, open_: int,
           rates: tuple, **events: int) -> dict:
    for name in events:
        assert name in EVENT_KEYS, name
    completion, on_time_rate, progress, satisfaction = rates
    return {"group": group, "total": total, "closed": closed, "closed_on_time": on_time,
            "closed_late": closed - on_time, "open": open_, "overdue": overdue, "on_track": on_track,
            "completion_rate": completion, "on_time_rate": on_time_rate, "progress_rate": progress,
            "satisfaction_rate": satisfaction, **{k: events.get(k, 0) for k in EVENT_KEYS}}


# 全部 on 2026-11-16: lead assignments #1 #2 #3 #4 #6 #7 #8 (not the cancelled #5) = 7
#   closed #1 (on time), #2 (late) = 2; open 5; overdue #3 = 1; on track #4 (yellow), #6, #8 = 3 (#7 paused)
#   办结率 2/7 = .2857, 按期办结率 1/2 = .5, 序时推进率 (3 + 2)/7 = .7143, 满意率 (1 + 0)/2 = .5
#   events: 催办 1 (11-09), 督办单 1 (11-13), 约谈 1, 问责 1, 表扬 1, 延期 1, 重启 1, 回访 2 (满意 1, 不满意 1)
ALL_NOW = record("全部", 7, 2, 1, 1, 3, 5, (0.2857, 0.5, 0.7143, 0.5), reminders=1, notices=1, interviews=1,
                 accountability=1, praises=1, extensions=1, reopened=1, revisits=2, satisfied=1, unsatisfied=1)

# --by unit, best 办结率 first (then 序时推进率, then name):
#   市财政局        #2 late, #7 paused           → 2, closed 1 (0 on time); 1/2 = .5; 按期 0/1; 推进 (0 + 1)/2 = .5
#   市交通运输局    #1 on time, #4 yellow, #8 green → 3, closed 1; 1/3 = .3333; 按期 1.0; 推进 (2 + 1)/3 = 1.0
#                   表扬 1 and 重启 1 are its events (the co assignment on #2 is not counted in rates)
#   市住房和城乡建设局 #3 overdue, #6 green     → 2, closed 0; 0.0; 按期 —; 推进 1/2 = .5
#                   催办 1, 督办单 1, 约谈 1, 问责 1, 延期 1
BY_UNIT_NOW = [
    record("市财政局", 2, 1, 0, 0, 0, 1, (0.5, 0.0, 0.5, None)),
    record("市交通运输局", 3, 1, 1, 0, 2, 2, (0.3333, 1.0, 1.0, None), praises=1, reopened=1),
    record("市住房和城乡建设局", 2, 0, 0, 1, 1, 2, (0.0, None, 0.5, None), reminders=1, notices=1, interviews=1,
           accountability=1, extensions=1),
]

# --by source:
#   会议议定 #2 late, #6 green        → 2, closed 1; .5; 按期 0.0; 推进 (1 + 1)/2 = 1.0; 回访 不满意 → 满意率 0.0; 延期 1
#   领导批示 #1 on time, #3 overdue   → 2, closed 1; .5; 按期 1.0; 推进 (0 + 1)/2 = .5; 回访 满意 → 1.0; 表扬 1;
#                                        催办 1, 督办单 1, 约谈 1, 问责 1 (all on #3)
#   群众诉求 #4 yellow                → 1, closed 0; 0.0; 推进 1.0; 重启 1
#   文件部署 #7 paused, #8 green      → 2, closed 0; 0.0; 推进 .5
BY_SOURCE_NOW = [
    record("会议议定", 2, 1, 0, 0, 1, 1, (0.5, 0.0, 1.0, 0.0), extensions=1, revisits=1, unsatisfied=1),
    record("领导批示", 2, 1, 1, 1, 0, 1, (0.5, 1.0, 0.5, 1.0), reminders=1, notices=1, interviews=1, accountability=1,
           praises=1, revisits=1, satisfied=1),
    record("群众诉求", 1, 0, 0, 0, 1, 1, (0.0, None, 1.0, None), reopened=1),
    record("文件部署", 2, 0, 0, 0, 1, 2, (0.0, None, 0.5, None)),
]


def without_revisits(rec: dict) -> dict:
    return {k: v for k, v in rec.items() if k not in REVISIT_KEYS}


# -- 1. metric functions -------------------------------------------------------------------------------


@pytest.mark.parametrize(("fn", "args", "expected"), [
    (rules.rate, (1, 4), 0.25),
    (rules.rate, (0, 5), 0.0),
    (rules.rate, (3, 0), None),
    (rules.rate, (0, 0), None),
    (rules.completion_rate, (47, 127), 47 / 127),
    (rules.completion_rate, (0, 0), None),
    (rules.on_time_rate, (9, 10), 0.9),
    (rules.on_time_rate, (0, 0), None),
    (rules.progress_rate, (72, 47, 127), 119 / 127),       # 陆良, seeds/003:L573
    (rules.progress_rate, (0, 0, 0), None),
    (rules.progress_rate, (3, 2, 5), 1.0),
    (rules.satisfaction_rate, (8, 1, 10), 0.9),             # 满意 + 基本满意 over 回访
    (rules.satisfaction_rate, (0, 0, 4), 0.0),
    (rules.satisfaction_rate, (0, 0, 0), None),
])
def test_metric_functions(fn, args, expected):
    assert fn(*args) == (None if expected is None else pytest.approx(expected))


def test_luliang_progress_rate_is_93_7_percent():
    value = rules.progress_rate(72, 47, 127)
    assert value == pytest.approx(0.937, abs=5e-4)
    assert rules.percent_text(value) == "93.7%"


@pytest.mark.parametrize(("value", "digits", "text"), [
    (0.937, 1, "93.7%"), (2 / 7, 1, "28.6%"), (1.0, 1, "100.0%"), (0.0, 1, "0.0%"), (None, 1, "—"),
    (0.5, 0, "50%"), (1 / 3, 2, "33.33%"),
])
def test_percent_text(value, digits, text):
    assert rules.percent_text(value, digits) == text


@pytest.mark.parametrize(("units", "honoured"), [(0, 0), (1, 1), (4, 1), (5, 1), (7, 1), (10, 2), (13, 3), (20, 4)])
def test_honour_count_is_a_fifth_rounded_and_at_least_one(units, honoured):
    assert rules.honour_count(units) == honoured


# -- 2. periods ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "today", "label", "start", "end"), [
    ("2026-W47", "2026-11-25", "2026-W47", "2026-11-16", "2026-11-22"),
    ("2026-W47", "2026-11-18", "2026-W47", "2026-11-16", "2026-11-18"),   # capped at today
    ("2026W47", "2026-11-18", "2026-W47", "2026-11-16", "2026-11-18"),
    (" 2026-w47 ", "2026-11-25", "2026-W47", "2026-11-16", "2026-11-22"),
    ("2026W1", "2026-11-16", "2026-W01", "2025-12-29", "2026-01-04"),     # ISO week 1 starts in 2025
    ("2026-W01", "2026-11-16", "2026-W01", "2025-12-29", "2026-01-04"),
    ("2026-W53", "2027-01-20", "2026-W53", "2026-12-28", "2027-01-03"),   # 2026 has 53 ISO weeks
    (None, "2026-11-16", "2026-W47", "2026-11-16", "2026-11-16"),
    (None, "2026-11-22", "2026-W47", "2026-11-16", "2026-11-22"),
])
def test_week(text, today, label, start, end):
    assert reports.week(text, D(today)) == reports.Period(label, D(start), D(end))


@pytest.mark.parametrize(("text", "message"), [
    ("2026-W48", "尚未开始"),        # Monday 11-23 is after today
    ("2027-W01", "尚未开始"),
    ("2025-W53", "没有第53周"),
    ("2026-W00", "没有第0周"),
    ("2026-47", "ISO 周"),
    ("W47", "ISO 周"),
    ("第47周", "ISO 周"),
    ("", "ISO 周"),
])
def test_week_errors_are_usage_errors(text, message):
    with pytest.raises(UsageError, match=message):
        reports.week(text, TODAY)


@pytest.mark.parametrize(("text", "label", "start", "end"), [
    ("2026Q4", "2026Q4", "2026-10-01", "2026-11-16"),      # capped at today
    ("2026-q4", "2026Q4", "2026-10-01", "2026-11-16"),
    ("2026年第四季度", "2026Q4", "2026-10-01", "2026-11-16"),
    ("2026年第4季度", "2026Q4", "2026-10-01", "2026-11-16"),
    ("2026Q3", "2026Q3", "2026-07-01", "2026-09-30"),
    ("2026年第一季度", "2026Q1", "2026-01-01", "2026-03-31"),
    ("2025Q4", "2025Q4", "2025-10-01", "2025-12-31"),
    (None, "2026Q4", "2026-10-01", "2026-11-16"),
])
def test_quarter(text, label, start, end):
    assert reports.quarter(text, TODAY) == reports.Period(label, D(start), D(end))


@pytest.mark.parametrize(("text", "message"), [
    ("2027Q1", "尚未开始"), ("2026Q5", "季度"), ("2026-4", "季度"), ("Q4", "季度"), ("2026年第五季度", "季度"),
])
def test_quarter_errors_are_usage_errors(text, message):
    with pytest.raises(UsageError, match=message):
        reports.quarter(text, TODAY)


def test_span():
    assert reports.span(None, None, TODAY) == reports.Period("建账至2026-11-16", None, TODAY)
    assert reports.span(D("2026-10-01"), D("2026-12-31"), TODAY).end == TODAY   # never after today
    assert reports.span(D("2026-11-16"), D("2026-11-16"), TODAY).start == TODAY
    with pytest.raises(UsageError, match="--from 2026-11-10 晚于 --to 2026-11-01"):
        reports.span(D("2026-11-10"), D("2026-11-01"), TODAY)


# -- 3. stats on the hand-counted scenario ---------------------------------------------------------------------


def stats_of(led: Ledger, by: str | None = None, start: str | None = None, end: str | None = None) -> list[dict]:
    period = reports.span(D(start) if start else None, D(end) if end else None, led.today)
    return [g.record() for g in reports.stats(led, period, by)]


def test_stats_whole_scope(scenario):
    assert stats_of(scenario) == [ALL_NOW]


def test_stats_by_unit(scenario):
    found = stats_of(scenario, "unit")
    assert found[-1] == ALL_NOW
    assert [without_revisits(r) for r in found[:-1]] == [without_revisits(r) for r in BY_UNIT_NOW]


def test_stats_by_unit_counts_revisits_for_the_lead_unit(scenario):
    # #1 (交通局 lead) was revisited 满意, #2 (财政局 lead) 不满意
    found = {r["group"]: r for r in stats_of(scenario, "unit")}
    assert (found["市交通运输局"]["revisits"], found["市交通运输局"]["satisfaction_rate"]) == (1, 1.0)
    assert (found["市财政局"]["revisits"], found["市财政局"]["satisfaction_rate"]) == (1, 0.0)


def test_stats_by_source(scenario):
    assert stats_of(scenario, "source") == [*BY_SOURCE_NOW, ALL_NOW]


def test_stats_window_leaves_out_what_was_closed_before_it(scenario):
    # --from 10-29: #1 (closed 10-28) is out; #2 (closed 10-29, on the first day) stays in.
    # 6 lead: closed #2 only (late); overdue #3; on track #4 #6 #8 → 1/6, 0/1, (3 + 1)/6
    # events from 10-29: the two 回访 (11-02, 11-03) and the 表扬 (11-02) are in, so is everything later
    expected = record("全部", 6, 1, 0, 1, 3, 5, (0.1667, 0.0, 0.6667, 0.5), reminders=1, notices=1, interviews=1,
                      accountability=1, praises=1, extensions=1, reopened=1, revisits=2, satisfied=1, unsatisfied=1)
    assert stats_of(scenario, start="2026-10-29") == [expected]
    # --from 11-03: #2 (closed 10-29) is out too; the 满意 visit and the 表扬 of 11-02 fall out of the counts
    later = stats_of(scenario, start="2026-11-03")[0]
    assert (later["total"], later["closed"], later["praises"], later["revisits"], later["satisfied"],
            later["unsatisfied"], later["satisfaction_rate"]) == (5, 0, 0, 1, 0, 1, 0.0)


def test_stats_window_counts_only_its_events(scenario):
    # 11-09 .. 11-13: 催办 11-09, 延期 11-09, 重启 11-10, 督办单 and 约谈 11-13; not the 问责 of 11-16
    found = stats_of(scenario, start="2026-11-09", end="2026-11-13")[0]
    assert {k: found[k] for k in EVENT_KEYS} == {**dict.fromkeys(EVENT_KEYS, 0), "reminders": 1, "extensions": 1,
                                                 "reopened": 1, "notices": 1, "interviews": 1}


def test_stats_satisfaction_counts_basically_satisfied(ledger):
    on(ledger, "2026-11-02").create("回访事项", Source.PUBLIC_REQUEST, lead="交通局", due=D("2026-11-06"))
    on(ledger, "2026-11-03").close(1, "已解决")
    for answer in (Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.UNSATISFIED, Satisfaction.SATISFIED):
        ledger.revisit(1, answer)
    found = stats_of(on(ledger, "2026-11-16"), "source")
    # (满意 2 + 基本满意 1) / 回访 4 = .75, for 群众诉求 and for 全部
    assert [(r["group"], r["revisits"], r["satisfied"], r["basically_satisfied"], r["unsatisfied"],
             r["satisfaction_rate"]) for r in found] == [("群众诉求", 4, 2, 1, 1, 0.75), ("全部", 4, 2, 1, 1, 0.75)]


def test_stats_by_unit_lists_a_co_unit_that_was_chased(ledger):
    on(ledger, "2026-10-12").create("联合整治", Source.DOCUMENT, lead="财政局", co=["住建局"], due=D("2026-11-06"))
    # both are 1 working day late on 11-09: each is chased
    assert sorted(chased(on(ledger, "2026-11-09").remind(Channel.PHONE))) == [(1, "市住房和城乡建设局", 1),
                                                                           (1, "市财政局", 1)]
    found = {r["group"]: r for r in stats_of(on(ledger, "2026-11-16"), "unit")}
    assert found.keys() == {"市财政局", "市住房和城乡建设局", "全部"}
    assert found["市住房和城乡建设局"] == record("市住房和城乡建设局", 0, 0, 0, 0, 0, 0, (None, None, None, None),
                                                reminders=1)
    assert found["市财政局"] == record("市财政局", 1, 0, 0, 1, 0, 1, (0.0, None, 0.0, None), reminders=1)
    # rates count lead assignments only; events count every 催办 of the period
    assert found["全部"] == record("全部", 1, 0, 0, 1, 0, 1, (0.0, None, 0.0, None), reminders=2)


def test_stats_to_is_capped_at_today_and_an_empty_scope_has_no_rates(scenario):
    assert stats_of(scenario, end="2027-06-30") == [ALL_NOW]
    before = stats_of(scenario, end="2026-10-11")     # nothing was assigned yet
    assert before == [record("全部", 0, 0, 0, 0, 0, 0, (None, None, None, None))]


def test_stats_for_a_past_window_use_the_state_at_its_end(scenario):
    # As it stood on 10-31: #1 on time, #2 late, #4 closed on time on 10-22; #3, #6, #7 open and green.
    found = stats_of(scenario, end="2026-10-31")[0]
    assert (found["total"], found["closed"], found["closed_on_time"], found["overdue"], found["on_track"]) == \
        (6, 3, 2, 0, 3)



def tally(rows) -> tuple[int, int, int, int, int, int]:
    """Total, closed, closed on time, overdue, on track and open of scoped rows, counted one by one."""
    rows = list(rows)
    return (len(rows), sum(s.closed for s in rows), sum(s.closed_on_time for s in rows), sum(s.overdue for s in rows),
            sum(s.on_track for s in rows), sum(not s.closed for s in rows))


@pytest.mark.parametrize(("start", "end"), [(None, None), ("2026-10-01", "2026-10-31"), ("2026-10-20", "2026-11-05"),
                                            ("2026-11-09", None), (None, "2026-10-25"), ("2026-10-29", "2026-10-29")])
@pytest.mark.parametrize("by", [None, "unit", "source"])
def test_stats_count_what_the_scoped_rows_count(scenario, start, end, by):
    # stats() counts the closed and paused assignments in SQL and lights only the open ones; it must agree
    # with counting scoped(), the scope one row per assignment, whatever the window (items changed after
    # its end are rebuilt from their log)
    period = reports.span(D(start) if start else None, D(end) if end else None, scenario.today)
    lead = [s for s in reports.scoped(scenario, period) if s.lead]
    expected = {reports.ALL: tally(lead)}
    if by is not None:
        for key in {s.unit if by == "unit" else s.source.label for s in lead}:
            expected[key] = tally(s for s in lead if (s.unit if by == "unit" else s.source.label) == key)
    found = {g.group: (g.total, g.closed, g.closed_on_time, g.overdue, g.on_track, g.open)
             for g in reports.stats(scenario, period, by) if g.total}
    assert found == expected


def test_stats_count_an_item_awaiting_review_as_closed(scenario):
    scenario.set_setting("review_required", "true")
    scenario.close(6, "排水改造完成")  # 待审核 (done): closed on 11-16, on time
    for start, end in ((None, None), ("2026-11-16", None), (None, "2026-11-13")):
        period = reports.span(D(start) if start else None, D(end) if end else None, scenario.today)
        lead = [s for s in reports.scoped(scenario, period) if s.lead]
        whole = reports.stats(scenario, period)[-1]
        assert (whole.total, whole.closed, whole.closed_on_time, whole.overdue, whole.on_track, whole.open) == \
            tally(lead)
    assert reports.stats(scenario, reports.span(None, None, scenario.today))[-1].closed == 3

# -- 4. stats through the CLI ----------------------------------------------------------------------------


def test_cli_stats_json(cli):
    result = cli("report", "stats", "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found == [ALL_NOW]
    for key in ("group", "total", "closed", "closed_on_time", "overdue", "completion_rate", "on_time_rate"):
        assert key in found[0]


def test_cli_stats_by_unit_json(cli):
    found = json.loads(cli("report", "stats", "--by", "unit", "--format", "json").stdout)
    assert [r["group"] for r in found] == ["市财政局", "市交通运输局", "市住房和城乡建设局", "全部"]
    assert found[-1] == ALL_NOW
    for rec in found:
        for key in ("completion_rate", "on_time_rate", "progress_rate", "satisfaction_rate"):
            assert rec[key] is None or (isinstance(rec[key], float) and 0 <= rec[key] <= 1)
    assert found[2]["on_time_rate"] is None          # 住建局 closed nothing: undefined, not 0


def test_cli_stats_csv(cli):
    result = cli("report", "stats", "--by", "source", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["group", "total", "closed", "closed_on_time", "closed_late", "open", "overdue", "on_track",
                       "completion_rate", "on_time_rate", "progress_rate", "satisfaction_rate", *EVENT_KEYS]
    assert [r[0] for r in rows[1:]] == ["会议议定", "领导批示", "群众诉求", "文件部署", "全部"]
    assert rows[-1][:9] == ["全部", "7", "2", "1", "1", "5", "1", "3", "0.2857"]


def test_cli_stats_table(cli):
    result = cli("report", "stats", "--from", "2026-10-29")
    assert result.exit_code == 0, result.output
    assert "2026-10-29 至 2026-11-16" in result.stdout
    assert "16.7%" in result.stdout and "66.7%" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--by", "bad"], "--by 应为 unit 或 source"),
    (["--from", "2026-11-10", "--to", "2026-11-01"], "晚于"),
    (["--from", "2026-13-01"], "--from"),
    (["--format", "xml"], ""),
])
def test_cli_stats_usage_errors_exit_2(cli, args, message):
    result = cli("report", "stats", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


# -- 5. ranking (计公分) ------------------------------------------------------------------------------------
#
# 2026Q4 = 10-01 .. 11-16, default scheme. Lead and co assignments are ranked in two tables (issue #12).
# Lead:
#   市交通运输局  #1 on time +2; #4 closed on time 10-22 +2 (its later reopen takes nothing back: there was
#                 no 不满意 回访 before it, so it is no 反弹); 表扬 +5 (#8 open, not late)              → 109
#   市财政局      #2 closed late −2, 4 days × −0.5 = −2 (#7 paused)                              →  96
#   市住房和城乡建设局 #3 6 days over (11-09..13, 11-16) × −0.5 = −3; 催办 −1; 督办单 −3; 约谈 −5; 问责 −10 → 78
#   3 units: 红榜 the top 1 (109 > 100), 黑榜 the bottom 1 (78 < 100).
# Co:
#   市交通运输局  #2 closed late −2, 4 working days over (10-26..29) × −0.5 = −2                 →  96
#   1 unit: no 红榜 (96 is not above the base); the bottom 1 lost points → 黑榜.
RANKING_NOW = [
    {"rank": 1, "unit": "市交通运输局", "role": "lead", "score": 109, "board": "红榜",
     "gained": [{"reason": "按期办结", "count": 2, "points": 4}, {"reason": "通报表扬", "count": 1, "points": 5}],
     "lost": [], "details": []},
    {"rank": 2, "unit": "市财政局", "role": "lead", "score": 96, "board": None, "gained": [],
     "lost": [{"reason": "逾期办结", "count": 1, "points": -2}, {"reason": "逾期工作日", "count": 4, "points": -2}],
     "details": ["#2 逾期办结（时限 2026-10-23，2026-10-29 办结）", "#2 本期逾期4个工作日"]},
    {"rank": 3, "unit": "市住房和城乡建设局", "role": "lead", "score": 78, "board": "黑榜", "gained": [],
     "lost": [{"reason": "逾期工作日", "count": 6, "points": -3}, {"reason": "被催办", "count": 1, "points": -1},
              {"reason": "督办单", "count": 1, "points": -3}, {"reason": "约谈", "count": 1, "points": -5},
              {"reason": "问责", "count": 1, "points": -10}],
     "details": ["#3 本期逾期6个工作日"]},
    {"rank": 1, "unit": "市交通运输局", "role": "co", "score": 96, "board": "黑榜", "gained": [],
     "lost": [{"reason": "逾期办结", "count": 1, "points": -2}, {"reason": "逾期工作日", "count": 4, "points": -2}],
     "details": ["#2 逾期办结（时限 2026-10-23，2026-10-29 办结）", "#2 本期逾期4个工作日"]},
]


def test_ranking_scenario(scenario):
    found = [u.record() for u in scoring.ranking(scenario, reports.quarter("2026Q4", TODAY))]
    assert found == RANKING_NOW


def test_ranking_of_a_quarter_before_anything_happened_is_empty(scenario):
    assert scoring.ranking(scenario, reports.quarter("2026Q3", TODAY)) == []


def test_ranking_ties_share_a_rank_and_the_boards(ledger):
    five_units(on(ledger, "2026-10-12"))
    for unit in ("交通局", "财政局"):
        ledger.create(f"{unit}按期事项", Source.DOCUMENT, lead=unit, due=D("2026-10-30"))
    ledger.create("住建局在办事项", Source.DOCUMENT, lead="住建局", due=D("2026-12-31"))
    ledger.create("教育局逾期办结", Source.DOCUMENT, lead="教育局", due=D("2026-10-23"))
    ledger.create("卫健委逾期在办", Source.DOCUMENT, lead="卫健委", due=D("2026-11-12"))
    on(ledger, "2026-10-20").close(1, "完成")
    on(ledger, "2026-10-21").close(2, "完成")
    on(ledger, "2026-10-26").close(4, "完成")        # 1 working day late (10-26)
    found = [(u.rank, u.unit, u.score, u.board) for u in scoring.ranking(ledger, reports.quarter(None, TODAY))]
    assert found == [
        (1, "市交通运输局", 102, "红榜"),               # on time +2
        (1, "市财政局", 102, "红榜"),                   # tie: same rank, both in the top fifth
        (3, "市住房和城乡建设局", 100, None),          # nothing gained or lost
        (4, "市卫生健康委员会", 99, None),             # 2 working days over (11-13, 11-16) × −0.5; not bottom 20%
        (5, "市教育局", 97.5, "黑榜"),                 # late −2, 1 day × −0.5
    ]


def five_units(led: Ledger) -> Ledger:
    led.add_unit("市教育局", aliases=["教育局"])
    led.add_unit("市卫生健康委员会", aliases=["卫健委"])
    return led


def test_ranking_ties_at_the_bottom_share_the_black_board(ledger):
    five_units(on(ledger, "2026-10-12"))
    ledger.create("交通局按期事项", Source.DOCUMENT, lead="交通局", due=D("2026-10-30"))
    ledger.create("财政局在办事项", Source.DOCUMENT, lead="财政局", due=D("2026-12-31"))
    ledger.create("住建局在办事项", Source.DOCUMENT, lead="住建局", due=D("2026-12-31"))
    ledger.create("教育局逾期办结", Source.DOCUMENT, lead="教育局", due=D("2026-10-23"))
    ledger.create("卫健委逾期办结", Source.DOCUMENT, lead="卫健委", due=D("2026-10-23"))
    on(ledger, "2026-10-20").close(1, "完成")
    on(ledger, "2026-10-26")
    ledger.close(4, "完成")
    ledger.close(5, "完成")                            # both 1 working day late: 100 − 2 − 0.5 = 97.5
    found = [(u.rank, u.unit, u.score, u.board) for u in scoring.ranking(on(ledger, "2026-11-16"),
                                                                          reports.quarter(None, TODAY))]
    assert found == [
        (1, "市交通运输局", 102, "红榜"),
        (2, "市住房和城乡建设局", 100, None),          # ties are listed by name (code point order)
        (2, "市财政局", 100, None),
        (4, "市卫生健康委员会", 97.5, "黑榜"),
        (4, "市教育局", 97.5, "黑榜"),
    ]


def test_ranking_follows_the_scheme_in_the_settings(scenario):
    scenario.set_setting("score_reminder", "-2")
    scenario.set_setting("score_praise", "0")
    found = {u.unit: u for u in scoring.ranking(scenario, reports.quarter(None, TODAY)) if u.role == "lead"}
    assert found["市住房和城乡建设局"].score == 77
    assert {"reason": "被催办", "count": 1, "points": -2} in found["市住房和城乡建设局"].lost
    # without the 表扬 交通局 has 104 as lead: still first and above the base
    assert (found["市交通运输局"].rank, found["市交通运输局"].score, found["市交通运输局"].board) == (1, 104, "红榜")
    scenario.set_setting("score_on_time", "0")
    found = {u.unit: u for u in scoring.ranking(scenario, reports.quarter(None, TODAY)) if u.role == "lead"}
    # without 按期办结 either, 100: first, but not above the base, so no 红榜
    assert (found["市交通运输局"].rank, found["市交通运输局"].score, found["市交通运输局"].board) == (1, 100, None)


def test_cli_ranking_json(cli):
    result = cli("report", "ranking", "--quarter", "2026Q4", "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found == RANKING_NOW
    for rec in found:
        assert {"rank", "unit", "score", "lost"} <= rec.keys()
        for lost in rec["lost"]:
            assert {"reason", "points"} <= lost.keys() and lost["points"] < 0


def test_cli_ranking_table(cli):
    result = cli("report", "ranking")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "2026Q4 计公分排名" in out and "红榜" in out and "黑榜" in out
    assert "市住房和城乡建设局（牵头单位）失分明细：#3 本期逾期6个工作日" in out
    assert "2026Q4 计公分排名·配合单位" in out and "市交通运输局（配合单位）失分明细：#2 逾期办结" in out


def test_cli_rules_set_changes_the_ranking(cli):
    assert cli("rules", "set", "score_reminder", "--", "-2").exit_code == 0
    found = json.loads(cli("report", "ranking", "--format", "json").stdout)
    assert [(r["unit"], r["score"]) for r in found] == [("市交通运输局", 109), ("市财政局", 96), ("市住房和城乡建设局", 77),
                                                     ("市交通运输局", 96)]


def test_cli_rules_set_accepts_a_negative_score(cli):
    result = cli("rules", "set", "score_reminder", "-2")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("quarter", "message"), [("2027Q1", "尚未开始"), ("2026Q5", "2026Q4 这样的季度")])
def test_cli_ranking_bad_quarter_exits_2(cli, quarter, message):
    result = cli("report", "ranking", "--quarter", quarter)
    assert result.exit_code == 2
    assert message in result.output


def test_cli_ranking_empty_quarter(cli):
    result = cli("report", "ranking", "--quarter", "2026Q3")
    assert result.exit_code == 0
    assert "没有可排名的单位" in result.stdout
    assert json.loads(cli("report", "ranking", "--quarter", "2026Q3", "--format", "json").stdout) == []


# -- 6. the weekly 专报 -----------------------------------------------------------------------------------


def test_weekly_numbers(scenario):
    w = weekly.weekly(scenario, reports.week(None, TODAY), 1)
    assert w.overall.record() == ALL_NOW                          # the year so far = the whole scenario
    assert (w.new_items, w.closed_this_week) == (0, 0)            # W47 up to Monday 11-16
    # open at the end of the week, paused #7 aside: #3 red, #4 yellow (1 working day left), #6 #8 green
    assert {k: v for k, v in w.lights.items() if v} == {"red": 1, "yellow": 1, "green": 2}
    assert [(x.item_id, x.light, x.units, x.due, x.late_workdays, x.level, x.state) for x in w.lit] == [
        (3, Light.RED, ["市住房和城乡建设局"], D("2026-11-06"), 6, "督办单", "逾期6个工作日"),
        (4, Light.YELLOW, ["市交通运输局"], D("2026-11-17"), 0, None, "剩余1个工作日"),
    ]
    # ordered as report ranking orders the lead units for 2026Q4 so far (RANKING_NOW)
    assert [g.group for g in w.units] == ["市交通运输局", "市财政局", "市住房和城乡建设局"]
    assert w.scores == {"市交通运输局": 109, "市财政局": 96, "市住房和城乡建设局": 78}
    # #3 is 常规, not 重点: no “重点事项推进缓慢”
    assert w.problems == [
        "部分事项办理滞后。逾期事项1件，逾期较多的单位有市住房和城乡建设局（1项）。",
        "交办后未及时签收。市住房和城乡建设局（1项）的交办事项超过规定时限仍未签收。",
        "按期办结率偏低。今年以来按期办结率为50.0%，逾期办结1件。",
    ]
    assert w.next_steps[0].startswith("紧盯1件逾期事项")
    assert w.next_steps[1].startswith("对1件临期或进展滞后的事项")


def test_weekly_new_and_closed_in_an_earlier_week(scenario):
    w44 = weekly.weekly(scenario, reports.week("2026-W44", TODAY), 1)    # 10-26 .. 11-01: #1 and #2 closed
    assert (w44.period.start, w44.period.end, w44.new_items, w44.closed_this_week) == (
        D("2026-10-26"), D("2026-11-01"), 0, 2)
    w45 = weekly.weekly(scenario, reports.week("2026-W45", TODAY), 2)    # 11-02 .. 11-08: #8 created
    assert (w45.new_items, w45.closed_this_week) == (1, 0)
    # 催办 in W46 (11-09 .. 11-15): the 11-09 催办 and the 11-13 督办单 for 住建局 → “被催办2次”
    w46 = weekly.weekly(scenario, reports.week("2026-W46", TODAY), 3)
    assert (w46.week_stats.events["reminders"], w46.week_stats.events["notices"]) == (1, 1)
    assert any("市住房和城乡建设局被催办2次" in p for p in w46.problems)


@pytest.mark.parametrize("week", ["2026-W42", "2026-W43", "2026-W44", "2026-W45", "2026-W46", "2026-W47"])
def test_weekly_counts_what_the_scoped_rows_count(scenario, week):
    period = reports.week(week, TODAY)
    w = weekly.weekly(scenario, period, 1)
    lead = [s for s in reports.scoped(scenario, w.year_scope) if s.lead]
    o, ws = w.overall, w.week_stats
    assert (o.total, o.closed, o.closed_on_time, o.overdue, o.on_track, o.open) == tally(lead)
    # the week's scope: the year's, less what was finished before the week began
    assert (ws.total, ws.closed, ws.closed_on_time, ws.overdue, ws.on_track, ws.open) == \
        tally(s for s in lead if not (s.closed and s.closed_on < period.start))
    assert w.closed_this_week == sum(1 for s in lead if s.closed and s.closed_on >= period.start)
    assert w.paused == sum(1 for s in lead if s.paused)


def test_weekly_with_the_items_loaded_already_is_the_same(scenario):
    from duban.ledger import ListFilter

    items = {v.item.id: v.item for v in scenario.list_items(ListFilter())}
    for week in ("2026-W44", "2026-W46", "2026-W47"):
        period = reports.week(week, TODAY)
        assert weekly.weekly(scenario, period, 1, items=items) == weekly.weekly(scenario, period, 1)


def test_docx_table_rows_after_the_first_are_as_python_docx_makes_them():
    # docx_util.table makes its first body row through python-docx and copies it for the others (slow at
    # a few milliseconds a row); the copies are what python-docx would have made, cell for cell
    from docx.oxml.ns import qn
    from docx.shared import Mm

    from duban import docx_util as d

    headers = ["序号", "编号", "督办事项", "亮灯", "责任单位", "办理时限", "情况", "督办级别"]
    rows = [["1", "#3", "老旧小区改造", "红灯", "市住房和城乡建设局、市财政局", "2026-11-06", "逾期6个工作日", "督办单"],
            ["2", "#4", "噪音\t治理", "黄灯", "", "长期", "剩余1个工作日", "—"],
            ["3", "#10", " 前后空格 ", "绿灯", "市交通运输局", "2026-12-31", "一\n二", "—"],
            ["4", "短行"], ["5", "#12", "停车场建设", "绿灯", "市交通运输局", "2026-12-31", "剩余29个工作日", "—"]]
    widths = [11, 12, 39, 12, 30, 20, 19, 13]
    fast = d.new_document()
    d.table(fast, headers, rows, widths_mm=widths, size=10.5)

    slow = d.new_document()  # python-docx all the way: what table() did before it copied rows
    t = slow.add_table(rows=1, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = fast.tables[0].alignment
    trpr = t.rows[0]._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))
    for cell, text in zip(t.rows[0].cells, headers):
        d._cell_text(cell, text, d.HEADING_FONT, 10.5, center=True)
    for row in rows:
        for n, (cell, text) in enumerate(zip(t.add_row().cells, row)):
            d._cell_text(cell, text, d.BODY_FONT, 10.5, center=n != 2 and len(str(text)) <= 12)
    t.autofit = False
    for column, width in zip(t.columns, widths):
        column.width = Mm(width)
    for row in t.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Mm(width)
    assert fast.tables[0]._tbl.xml == t._tbl.xml


def test_issue_plan_keeps_and_continues(ledger):
    from duban import report_issues

    w47, w46 = reports.week("2026-W47", TODAY), reports.week("2026-W46", TODAY)
    first = report_issues.plan(ledger, "weekly", w46)
    assert (first.number, first.year, first.record, first.notes) == (1, 2026, True, [])
    assert report_issues.plan(ledger, "weekly", w46).number == 1   # planning records nothing
    report_issues.record(ledger, first)
    second = report_issues.plan(ledger, "weekly", w47)
    assert second.number == 2
    report_issues.record(ledger, second)
    again = report_issues.plan(ledger, "weekly", w46)               # re-run keeps its number, stores nothing
    assert (again.number, again.record) == (1, False)
    with pytest.raises(InvalidInput, match="2026-W46 已印发为2026年第1期；如确需改为第2期，请加 --renumber"):
        report_issues.plan(ledger, "weekly", w46, wanted=2)
    with pytest.raises(InvalidInput, match="2026年第2期已用于 2026-W47"):
        report_issues.plan(ledger, "weekly", w46, wanted=2, renumber=True)
    assert report_issues.plan(ledger, "weekly", w46).number == 1   # the refused renumbering changed nothing


def read_docx(path: Path):
    from docx import Document

    doc = Document(str(path))
    return doc, [p.text for p in doc.paragraphs], [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def weekly_files(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir())


def test_cli_weekly_writes_the_report(cli, tmp_path):
    out = tmp_path / "专报"
    result = cli("report", "weekly", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert weekly_files(out) == ["督查专报2026年第1期（2026-W47）.docx", "督查专报2026年第1期（2026-W47）台账.xlsx"]
    assert "已生成督查专报 2026年第1期" in result.stdout
    assert "2026年以来督办7件，办结2件（办结率28.6%，按期办结率50.0%，序时推进率71.4%）" in result.stdout

    doc, paras, tables = read_docx(out / "督查专报2026年第1期（2026-W47）.docx")
    assert paras[:3] == ["督查专报", "2026年第1期", f"{OFFICE}\t2026年11月16日"]
    headings = [p for p in paras if re.fullmatch(r"[一二三四五]、\S+", p)]
    assert headings == ["一、总体情况", "二、亮灯情况", "三、各单位办理情况", "四、存在问题", "五、下步工作"]
    overview = paras[paras.index("一、总体情况") + 1]
    assert overview == (f"2026年以来，{OFFICE}共督办事项7件，已办结2件，办结率28.6%；按期办结1件，按期办结率50.0%；"
                        "序时推进率71.4%。本周（2026年11月16日）新增督办事项0件，办结0件。截至2026年11月16日，"
                        "在办事项5件，其中红灯1件、黄灯1件、绿灯2件、暂缓1件。")
    assert paras[paras.index("一、总体情况") + 2] == "本周催办0次，下达督办单0份，挂牌督办0件。"
    assert "亮红灯（逾期）事项1件，亮黄灯（临期或进展滞后）事项1件，具体如下：" in paras
    assert tables[0] == [
        ["序号", "编号", "督办事项", "亮灯", "责任单位", "办理\n时限", "情况", "督办\n级别"],
        ["1", "#3", "老旧小区改造", "红灯", "市住房和城乡建设局", "2026-11-06", "逾期6个\n工作日", "督办单"],
        ["2", "#4", "噪音治理", "黄灯", "市交通运输局", "2026-11-17", "剩余1个\n工作日", "—"],
    ]
    assert "按本季度计公分排序（2026年10月1日至2026年11月16日，与季度计公分排名一致；各项数字的统计口径：" \
           "2026年以来牵头办理的事项）：" in paras
    assert tables[1] == [
        ["排名", "单位", "计公分", "牵头\n事项", "已办结", "办结率", "按期\n办结率", "逾期", "序时\n推进率"],
        ["1", "市交通运输局", "109", "3", "1", "33.3%", "100.0%", "0", "100.0%"],
        ["2", "市财政局", "96", "2", "1", "50.0%", "0.0%", "0", "50.0%"],
        ["3", "市住房和城乡建设局", "78", "2", "0", "0.0%", "—", "1", "50.0%"],
    ]
    problems = paras[paras.index("四、存在问题") + 1:paras.index("五、下步工作")]
    assert problems == ["（一）部分事项办理滞后。逾期事项1件，逾期较多的单位有市住房和城乡建设局（1项）。",
                        "（二）交办后未及时签收。市住房和城乡建设局（1项）的交办事项超过规定时限仍未签收。",
                        "（三）按期办结率偏低。今年以来按期办结率为50.0%，逾期办结1件。"]
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)   # A4
    footer_xml = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer_xml                                                          # page numbers

    from openpyxl import load_workbook

    wb = load_workbook(out / "督查专报2026年第1期（2026-W47）台账.xlsx", read_only=True)
    cells = [str(c) for row in wb.worksheets[0].iter_rows(values_only=True) for c in row if c is not None]
    wb.close()
    assert any("2026年第1期专报附件" in c for c in cells)
    for title in ("老旧小区改造", "噪音治理", "债务化解", "停车场建设", "排水改造"):   # the open items
        assert title in cells

    db = sqlite3.connect(os.environ["DUBAN_DB"])
    events = db.execute("SELECT at, detail, json_extract(data, '$.issue_no') FROM events WHERE kind = 'report_issued'"
                        ).fetchall()
    db.close()
    assert events == [("2026-11-16", "督查专报 2026年第1期（2026-W47）", 1)]


def test_cli_weekly_out_is_a_file_exits_1_and_takes_no_number(cli, tmp_path):
    out = tmp_path / "专报"
    out.write_text("不是目录")
    result = cli("report", "weekly", "--out", str(out))
    assert result.exit_code == 1
    assert result.output.startswith("错误：")
    assert issued(os.environ["DUBAN_DB"]) == []


def issued(db_path: str) -> list[tuple]:
    db = sqlite3.connect(db_path)
    try:
        return db.execute("SELECT period, issue_no FROM reports WHERE kind = 'weekly' ORDER BY issue_no").fetchall()
    finally:
        db.close()


def test_cli_weekly_issue_numbers(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("report", "weekly", "--out", str(out)).exit_code == 0
    assert cli("report", "weekly", "--out", str(out), today="2026-11-18").exit_code == 0   # same week again
    assert weekly_files(out) == ["督查专报2026年第1期（2026-W47）.docx", "督查专报2026年第1期（2026-W47）台账.xlsx"]
    result = cli("report", "weekly", "--out", str(out), today="2026-11-23")                 # next week
    assert result.exit_code == 0, result.output
    assert "督查专报2026年第2期（2026-W48）.docx" in weekly_files(out)
    _, paras, _ = read_docx(out / "督查专报2026年第2期（2026-W48）.docx")
    assert paras[1] == "2026年第2期"
    assert issued(os.environ["DUBAN_DB"]) == [("2026-W47", 1), ("2026-W48", 2)]


def test_cli_weekly_issue_option(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("report", "weekly", "--week", "2026-W46", "--issue", "47", "--out", str(out)).exit_code == 0
    assert cli("report", "weekly", "--out", str(out)).exit_code == 0                        # W47 → 48
    assert issued(os.environ["DUBAN_DB"]) == [("2026-W46", 47), ("2026-W47", 48)]
    before = weekly_files(out)
    result = cli("report", "weekly", "--week", "2026-W45", "--issue", "48", "--out", str(out))
    assert result.exit_code == 1
    assert "2026年第48期已用于 2026-W47" in result.output
    assert weekly_files(out) == before                                                      # nothing written
    assert issued(os.environ["DUBAN_DB"]) == [("2026-W46", 47), ("2026-W47", 48)]


@pytest.mark.parametrize(("args", "message"), [
    (["--week", "2026-W48"], "尚未开始"),
    (["--week", "47"], "ISO 周"),
    (["--issue", "0"], "--issue 应在 1 到 9999 之间"),
])
def test_cli_weekly_usage_errors_exit_2_and_write_nothing(cli, tmp_path, args, message):
    out = tmp_path / "out"
    result = cli("report", "weekly", "--out", str(out), *args)
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists() or weekly_files(out) == []
    assert issued(os.environ["DUBAN_DB"]) == []


def test_cli_weekly_numbers_do_not_repeat_across_new_year(duban, tmp_path):
    assert duban("init").exit_code == 0
    out = tmp_path / "out"
    assert duban("report", "weekly", "--week", "2026-W53", "--out", str(out), today="2027-01-04").exit_code == 0
    assert duban("report", "weekly", "--out", str(out), today="2027-01-11").exit_code == 0   # 2027-W02
    assert duban("report", "weekly", "--week", "2027-W01", "--out", str(out), today="2027-01-11").exit_code == 0
    issues = [re.match(r"督查专报(\d{4}年第\d+期)", name)[1] for name in weekly_files(out) if name.endswith(".docx")]
    assert len(issues) == 3 and len(set(issues)) == 3, issues


# -- 7. LibreOffice opens what duban writes ----------------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_the_weekly_report(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("report", "weekly", "--out", str(out)).exit_code == 0
    stem = "督查专报2026年第1期（2026-W47）"
    converted = tmp_path / "converted"
    profile = (tmp_path / "profile").as_uri()
    # CSV filter options: comma, double quote, UTF-8 (76)
    for source, target in ((out / f"{stem}.docx", "pdf"),
                           (out / f"{stem}台账.xlsx", "csv:Text - txt - csv (StarCalc):44,34,76")):
        subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
                        "--outdir", str(converted), str(source)],
                       check=True, timeout=180, capture_output=True)
    pdf = converted / f"{stem}.pdf"
    assert pdf.stat().st_size > 0
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
        for words in ("督查专报", "一、总体情况", "五、下步工作", "老旧小区改造"):
            assert words in text
    sheet = (converted / f"{stem}台账.csv").read_text(encoding="utf-8")
    assert "老旧小区改造" in sheet and "停车场建设" in sheet


def test_weekly_lists_at_most_thirty_lit_items_and_points_to_the_ledger(ledger, tmp_path):
    from docx import Document

    from duban import weekly_doc
    from duban.models import ItemClass, Source

    ledger.today = dt.date(2026, 11, 2)
    for n in range(33):
        ledger.create(f"逾期事项{n:02d}", Source.LEADER_INSTRUCTION, klass=ItemClass.ROUTINE, lead="市财政局",
                      due=dt.date(2026, 11, 4) + dt.timedelta(days=n % 3))
    ledger.today = dt.date(2026, 11, 20)
    data = weekly.weekly(ledger, reports.week("2026-W47", ledger.today), 1)
    assert len(data.lit) == 33
    path = weekly_doc.write(data, tmp_path / "专报.docx")
    doc = Document(str(path))
    assert len(doc.tables[0].rows) == 1 + weekly_doc.LIT_LIMIT
    assert any("亮红灯（逾期）事项33件，亮黄灯（临期或进展滞后）事项0件，以下列出其中30件" in p.text
               for p in doc.paragraphs)
    assert doc.tables[0].rows[1].cells[2].text == "逾期事项00"   # the longest overdue first (due 11-04)


STATS_BY_UNIT = {
    80: """\
                     督办统计（建账 至 2026-11-16，按单位）
┏━━━━━━━━━━━━━┳━━━━━━┳━━━━━━━━┳━━━━━━┳━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━┓
┃ 分组        ┃ 事项 ┃ 已办结 ┃ 按期 ┃ 逾期 ┃ 办结率 ┃ 按期办结率 ┃ 序时推进率 ┃
┡━━━━━━━━━━━━━╇━━━━━━╇━━━━━━━━╇━━━━━━╇━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━┩
│ 市财政局    │    2 │      1 │    0 │    0 │  50.0% │       0.0% │      50.0% │
│ 市交通运输  │    3 │      1 │    1 │    0 │  33.3% │     100.0% │     100.0% │
│ 局          │      │        │      │      │        │            │            │
│ 市住房和城  │    2 │      0 │    0 │    1 │   0.0% │          — │      50.0% │
│ 乡建设局    │      │        │      │      │        │            │            │
│ 全部        │    7 │      2 │    1 │    1 │  28.6% │      50.0% │      71.4% │
└─────────────┴──────┴────────┴──────┴──────┴────────┴────────────┴────────────┘
另有8列（满意率、催办、督办单、挂牌、约谈、问责、延期、重启）未显示，加宽终端或
用 --format json
""",
    120: """\
                                         督办统计（建账 至 2026-11-16，按单位）
┏━━━━━━━━━━━━━━┳━━━━━━┳━━━━━━━━┳━━━━━━┳━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━┳━━━━━━┳━━━━━━━━┳━━━━━━┳━━━━━━┓
┃ 分组         ┃ 事项 ┃ 已办结 ┃ 按期 ┃ 逾期 ┃ 办结率 ┃ 按期办结率 ┃ 序时推进率 ┃ 满意率 ┃ 催办 ┃ 督办单 ┃ 挂牌 ┃ 约谈 ┃
┡━━━━━━━━━━━━━━╇━━━━━━╇━━━━━━━━╇━━━━━━╇━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━╇━━━━━━━━╇━━━━━━╇━━━━━━┩
│ 市财政局     │    2 │      1 │    0 │    0 │  50.0% │       0.0% │      50.0% │   0.0% │    0 │      0 │    0 │    0 │
│ 市交通运输局 │    3 │      1 │    1 │    0 │  33.3% │     100.0% │     100.0% │ 100.0% │    0 │      0 │    0 │    0 │
│ 市住房和城乡 │    2 │      0 │    0 │    1 │   0.0% │          — │      50.0% │      — │    1 │      1 │    0 │    1 │
│ 建设局       │      │        │      │      │        │            │            │        │      │        │      │      │
│ 全部         │    7 │      2 │    1 │    1 │  28.6% │      50.0% │      71.4% │  50.0% │    1 │      1 │    0 │    1 │
└──────────────┴──────┴────────┴──────┴──────┴────────┴────────────┴────────────┴────────┴──────┴────────┴──────┴──────┘
另有3列（问责、延期、重启）未显示，加宽终端或用 --format json
""",
}


@pytest.mark.parametrize("width", [80, 120])
def test_cli_stats_by_unit_fits_the_terminal(cli, monkeypatch, width):
    """Every column shown has room (单位 wraps, nothing squeezed to nothing or cut to …); what does
    not fit is named in the note, the measures taken going first (render_fit, as duban list)."""
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", str(width))
    result = cli("report", "stats", "--by", "unit")
    assert result.exit_code == 0, result.output
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines == STATS_BY_UNIT[width].splitlines()
    assert max(cell_len(line) for line in lines) <= width
