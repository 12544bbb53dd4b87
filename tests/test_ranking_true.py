"""报告如实 (issue #12), ranking and statistics: lateness stays incurred, 反弹, paused days, lead and co
ranked apart, the same step counted once, decisions on items counted once.

Working days (2026): plain Monday–Friday weeks from 10-12 on.
"""

from __future__ import annotations

import datetime as dt
import json

from duban import reports, scoring
from duban.ledger import Ledger
from duban.models import Channel, EscalationKind, ItemClass, Satisfaction, Source

D = dt.date.fromisoformat


def on(led: Ledger, day: str) -> Ledger:
    led.today = D(day)
    return led


def ranked(led: Ledger, role: str = "lead") -> list[tuple]:
    return [(u.rank, u.unit, u.score, u.board) for u in scoring.ranking(led, reports.quarter(None, led.today))
            if u.role == role]


def by_unit(led: Ledger, role: str = "lead") -> dict[str, scoring.UnitScore]:
    return {u.unit: u for u in scoring.ranking(led, reports.quarter(None, led.today)) if u.role == role}


def stats(led: Ledger, by: str | None = None) -> dict[str, dict]:
    return {g.group: g.record() for g in reports.stats(led, reports.span(None, None, led.today), by)}


# -- lateness once incurred stays incurred; a reopen after a 不满意 回访 is a 反弹 -------------------------------


def late_then_reopened(led: Ledger, satisfaction: Satisfaction) -> Ledger:
    on(led, "2026-10-12")
    led.create("信访积案化解", Source.PUBLIC_REQUEST, lead="交通局", due=D("2026-10-16"))
    led.create("道路养护", Source.DOCUMENT, lead="财政局", due=D("2026-12-31"))
    on(led, "2026-10-29").close(1, "已化解")          # 9 working days late: 10-19..23, 10-26..29
    on(led, "2026-11-02").revisit(1, satisfaction, "群众回访")
    on(led, "2026-11-03").reopen(1, "群众反映问题反弹", due=D("2026-11-30"))
    return on(led, "2026-11-16")


def test_a_late_closure_stays_late_after_a_reopen_and_the_reopen_is_a_rebound(ledger):
    on(ledger, "2026-10-12")
    ledger.create("信访积案化解", Source.PUBLIC_REQUEST, lead="交通局", due=D("2026-10-16"))
    ledger.create("道路养护", Source.DOCUMENT, lead="财政局", due=D("2026-12-31"))
    on(ledger, "2026-10-29").close(1, "已化解")
    # closed 9 working days late: 100 − 2 − 9 × 0.5
    assert ranked(ledger) == [(1, "市财政局", 100, None), (2, "市交通运输局", 93.5, "黑榜")]
    late_then_reopened_rest(ledger)
    # still late (−2, −4.5), and the reopen after the 不满意 回访 costs score_rebound (−3) more; the item's new
    # deadline 11-30 is not past, so nothing else
    assert ranked(ledger) == [(1, "市财政局", 100, None), (2, "市交通运输局", 90.5, "黑榜")]
    u = by_unit(ledger)["市交通运输局"]
    assert u.lost == [{"reason": "逾期办结", "count": 1, "points": -2},
                      {"reason": "逾期工作日", "count": 9, "points": -4.5},
                      {"reason": "反弹（回访不满意后重启）", "count": 1, "points": -3}]
    assert u.details == ["#1 逾期办结（时限 2026-10-16，2026-10-29 办结）", "#1 本期逾期9个工作日",
                         "#1 回访不满意后于2026-11-03重启（反弹）"]


def late_then_reopened_rest(led: Ledger) -> None:
    on(led, "2026-11-02").revisit(1, Satisfaction.UNSATISFIED, "群众回访")
    on(led, "2026-11-03").reopen(1, "群众反映问题反弹", due=D("2026-11-30"))
    on(led, "2026-11-16")


def test_a_reopen_after_a_satisfied_revisit_is_no_rebound(ledger):
    late_then_reopened(ledger, Satisfaction.SATISFIED)
    assert ranked(ledger) == [(1, "市财政局", 100, None), (2, "市交通运输局", 93.5, "黑榜")]


def test_the_rebound_is_charged_to_the_unit_whose_work_was_reopened(ledger):
    on(ledger, "2026-10-12").create("供水管网改造", Source.MEETING_DECISION, lead="交通局", co=["住建局"],
                                    due=D("2026-10-30"))
    on(ledger, "2026-10-28").close(1, "已完工")                     # both on time
    on(ledger, "2026-11-02").revisit(1, Satisfaction.UNSATISFIED)
    on(ledger, "2026-11-03").reopen(1, "管网漏水", unit="交通局", due=D("2026-11-30"))
    on(ledger, "2026-11-16")
    assert ranked(ledger, "lead") == [(1, "市交通运输局", 99, "黑榜")]          # +2 − 3
    assert ranked(ledger, "co") == [(1, "市住房和城乡建设局", 102, "红榜")]      # +2, not reopened


def test_cli_ranking_keeps_the_late_closure_and_charges_the_rebound(units):
    units("create", "信访积案化解", "--source", "群众诉求", "--lead", "交通局", "--due", "2026-10-16", today="2026-10-12")
    units("close", "1", "--result", "已化解", today="2026-10-29")
    units("revisit", "1", "--satisfaction", "不满意", today="2026-11-02")
    result = units("reopen", "1", "--reason", "问题反弹", "--due", "2026-11-30", today="2026-11-03")
    assert result.exit_code == 0, result.output
    found = json.loads(units("report", "ranking", "--format", "json").stdout)
    assert [(r["unit"], r["role"], r["score"]) for r in found] == [("市交通运输局", "lead", 90.5)]


def test_an_item_closed_again_after_a_reopen_is_credited_once(ledger):
    on(ledger, "2026-10-12").create("路灯维修", Source.DOCUMENT, lead="交通局", due=D("2026-12-31"))
    on(ledger, "2026-10-20").close(1, "已修复")
    on(ledger, "2026-10-22").reopen(1, "又有路灯不亮")
    on(ledger, "2026-11-02").close(1, "已全部修复")
    on(ledger, "2026-11-16")
    u = by_unit(ledger)["市交通运输局"]
    # one item, one closure credited (as report stats counts one closed item): 100 + 2
    assert (u.score, u.gained, u.lost) == (102, [{"reason": "按期办结", "count": 1, "points": 2}], [])
    assert stats(ledger)["全部"]["closed"] == 1


def test_a_late_closure_stays_charged_when_the_item_is_closed_again_on_time(ledger):
    on(ledger, "2026-10-12").create("信访积案化解", Source.PUBLIC_REQUEST, lead="交通局", due=D("2026-10-16"))
    on(ledger, "2026-10-20").close(1, "已化解")          # late: 10-19, 10-20
    on(ledger, "2026-10-22").reopen(1, "群众反映未化解", due=D("2026-11-30"))
    on(ledger, "2026-11-02").close(1, "已化解")          # on time against 11-30
    on(ledger, "2026-11-16")
    u = by_unit(ledger)["市交通运输局"]
    # the late closure stays charged, the later on-time one earns nothing: 100 − 2 − 2 × 0.5
    assert (u.score, u.gained) == (97, [])
    assert u.lost == [{"reason": "逾期办结", "count": 1, "points": -2},
                      {"reason": "逾期工作日", "count": 2, "points": -1}]
    assert u.details == ["#1 逾期办结（时限 2026-10-16，2026-10-20 办结）", "#1 本期逾期2个工作日"]


# -- a missed 节点 costs overdue days as a missed deadline does --------------------------------------------


def milestone_missed(led: Ledger) -> Ledger:
    on(led, "2026-11-02").create("节点测试", Source.OTHER, klass=ItemClass.KEY, lead="交通局", co=["财政局"],
                                 due=D("2026-12-31"), milestones=[(D("2026-11-20"), "完成招标")])
    return on(led, "2026-11-27").feedback(1, "交通局", "进行中", percent=50)


def test_a_missed_milestone_costs_its_overdue_days(ledger):
    milestone_missed(ledger)
    u = by_unit(ledger)["市交通运输局"]
    # 11-23..27 past the 节点 of 11-20, the deadline 12-31 not yet: 100 − 5 × 0.5
    assert (u.score, u.lost) == (97.5, [{"reason": "逾期工作日", "count": 5, "points": -2.5}])
    assert u.details == ["#1 本期节点逾期5个工作日"]
    assert by_unit(ledger, "co")["市财政局"].lost == []      # a 节点 binds the lead unit (as the lights)


def test_a_milestone_done_late_keeps_its_days(ledger):
    milestone_missed(ledger)
    on(ledger, "2026-12-02").complete_milestone(1, 1)         # late 11-23..27, 11-30..12-02: 8 working days
    on(ledger, "2026-12-09")
    assert by_unit(ledger)["市交通运输局"].lost == [{"reason": "逾期工作日", "count": 8, "points": -4}]


def test_a_day_past_both_the_deadline_and_a_milestone_counts_once(ledger):
    on(ledger, "2026-11-02").create("双重逾期", Source.OTHER, lead="交通局", due=D("2026-11-25"),
                                    milestones=[(D("2026-11-20"), "完成招标")])
    on(ledger, "2026-11-27")
    # 11-23..27 past the 节点, 11-26..27 past the deadline as well: 5 days, 3 of them past the 节点 only
    assert by_unit(ledger)["市交通运输局"].details == ["#1 本期逾期5个工作日（其中节点逾期3个）"]


# -- paused working days are never overdue days ----------------------------------------------------------


def paused_item(led: Ledger) -> Ledger:
    on(led, "2026-10-12").create("债务化解", Source.DOCUMENT, lead="财政局", co=["住建局"], due=D("2026-10-14"))
    on(led, "2026-10-16").pause(1, "等待上级政策")     # overdue 10-15 and 10-16 (the day it was paused)
    return led


def test_paused_days_are_not_overdue_days(ledger):
    paused_item(ledger)
    on(ledger, "2026-11-06")
    # 2 working days over, for the lead and the co unit alike: 100 − 2 × 0.5
    assert ranked(ledger, "lead") == [(1, "市财政局", 99, "黑榜")]
    assert ranked(ledger, "co") == [(1, "市住房和城乡建设局", 99, "黑榜")]
    assert by_unit(ledger)["市财政局"].details == ["#1 本期逾期2个工作日"]


def test_the_days_after_a_resume_count_again(ledger):
    paused_item(ledger)
    on(ledger, "2026-11-09").resume(1)
    on(ledger, "2026-11-16")
    # 10-15, 10-16, then 11-10..13 and 11-16 (not the day of the resume): 7 working days, −3.5
    assert ranked(ledger, "lead") == [(1, "市财政局", 96.5, "黑榜")]
    assert ranked(ledger, "co") == [(1, "市住房和城乡建设局", 96.5, "黑榜")]


def test_an_extension_moves_the_deadline_from_its_day_on(ledger):
    on(ledger, "2026-10-12").create("排水改造", Source.DOCUMENT, lead="住建局", due=D("2026-10-14"))
    on(ledger, "2026-10-19").extend(1, D("2026-11-30"), "雨季施工")
    on(ledger, "2026-11-16")
    # 10-15 and 10-16 were past the deadline then in force; from 10-19, the day of the extension, 11-30 rules
    assert by_unit(ledger)["市住房和城乡建设局"].details == ["#1 本期逾期2个工作日"]


def test_the_day_an_extension_is_approved_is_not_overdue(ledger):
    # the QA case: due 11-10, extended on 11-13 to 11-20, closed 11-19 — overdue 11-11 and 11-12 only
    on(ledger, "2026-11-02").create("延期测试", Source.DOCUMENT, lead="交通局", due=D("2026-11-10"))
    on(ledger, "2026-11-13").extend(1, D("2026-11-20"), "测试")
    on(ledger, "2026-11-19").close(1, "完成")
    on(ledger, "2026-12-31")
    u = by_unit(ledger)["市交通运输局"]
    assert u.lost == [{"reason": "逾期工作日", "count": 2, "points": -1}]
    assert u.gained == [{"reason": "按期办结", "count": 1, "points": 2}]
    assert u.score == 101


# -- the same step on the same item, unit and day counts once ----------------------------------------------


def chased_twice(led: Ledger) -> Ledger:
    on(led, "2026-10-12").create("老旧小区改造", Source.LEADER_INSTRUCTION, lead="住建局", due=D("2026-11-06"))
    assert [r.level for r in on(led, "2026-11-09").remind(Channel.SYSTEM)] == [1]          # 催办
    assert [r.level for r in on(led, "2026-11-13").remind(Channel.SYSTEM)] == [2]          # 督办单
    led.escalate(1, EscalationKind.SUPERVISION_NOTICE, "住建局", "下达督办单")                           # the same 督办单
    on(led, "2026-11-16")
    led.escalate(1, EscalationKind.LISTED, "住建局", "挂牌督办")
    led.escalate(1, EscalationKind.LISTED, None, "挂牌督办")                                 # the item: its lead
    return led


def test_the_same_step_on_the_same_day_counts_once(ledger):
    chased_twice(ledger)
    u = by_unit(ledger)["市住房和城乡建设局"]
    # 6 working days over (11-09..13, 11-16) −3; 催办 −1; 督办单 −3 once; 挂牌督办 −5 once
    assert u.lost == [{"reason": "逾期工作日", "count": 6, "points": -3}, {"reason": "被催办", "count": 1, "points": -1},
                      {"reason": "督办单", "count": 1, "points": -3}, {"reason": "挂牌督办", "count": 1, "points": -5}]
    assert u.score == 88
    found = stats(ledger, "unit")
    for group in ("全部", "市住房和城乡建设局"):
        assert (found[group]["reminders"], found[group]["notices"], found[group]["listed"]) == (1, 1, 1)


def test_the_same_step_on_another_day_counts_again(ledger):
    chased_twice(ledger)
    on(ledger, "2026-11-17").escalate(1, EscalationKind.LISTED, "住建局", "再次挂牌")
    assert stats(ledger)["全部"]["listed"] == 2


# -- 全部 counts decisions on items; a unit's row the units concerned -----------------------------------------


def test_stats_count_one_reopen_and_one_extend_as_one_decision_each(ledger):
    on(ledger, "2026-10-12")
    ledger.create("供水管网改造", Source.MEETING_DECISION, lead="交通局", co=["财政局", "住建局"], due=D("2026-10-30"))
    ledger.create("公交线路优化", Source.MEETING_DECISION, lead="交通局", co=["财政局"], due=D("2026-11-30"))
    ledger.create("农贸市场整治", Source.MEETING_DECISION, lead="住建局", due=D("2026-11-30"))
    on(ledger, "2026-10-28").close(1, "已完工")
    on(ledger, "2026-11-02").reopen(1, "回头看发现问题", due=D("2026-11-27"))    # 3 units, one decision
    on(ledger, "2026-11-09").extend(2, D("2026-12-15"), "需协调资金")            # 2 units, one decision
    ledger.extend(3, D("2026-12-15"), "需协调资金")                              # 1 unit, one decision
    on(ledger, "2026-11-16")
    whole = stats(ledger)["全部"]
    assert (whole["reopened"], whole["extensions"]) == (1, 2)
    source = stats(ledger, "source")
    assert (source["会议议定"]["reopened"], source["会议议定"]["extensions"]) == (1, 2)
    units = stats(ledger, "unit")
    assert [(g, units[g]["reopened"], units[g]["extensions"]) for g in ("市交通运输局", "市财政局", "市住房和城乡建设局")] == [
        ("市交通运输局", 1, 1), ("市财政局", 1, 1), ("市住房和城乡建设局", 1, 1)]
    assert (units["全部"]["reopened"], units["全部"]["extensions"]) == (1, 2)


def test_cli_stats_counts_decisions(units):
    units("create", "供水管网改造", "--source", "会议议定", "--lead", "交通局", "--co", "财政局", "--co", "住建局",
          "--due", "2026-10-30", today="2026-10-12")
    units("close", "1", "--result", "已完工", today="2026-10-28")
    assert units("reopen", "1", "--reason", "回头看发现问题", today="2026-11-02").exit_code == 0
    found = json.loads(units("report", "stats", "--format", "json").stdout)
    assert [(r["group"], r["reopened"]) for r in found] == [("全部", 1)]
