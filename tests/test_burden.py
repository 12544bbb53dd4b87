"""减负 (issue #18): ``duban report burden`` counted by hand on a small ledger.

Week 2026-W47 (Mon 11-16 … Fri 11-20, today). Cadences by default: 速办 every 3 working days,
方案 every 5, 常规 monthly (due by the end of the month after the last report); co units none.

    #1 推进城区主干道综合整治  速办 交通局  交办 11-12, 反馈 11-13 → due 11-18 (in the week), 11-23 → 1 report
    #2 城区主干道综合整治      常规 交通局  交办 11-16 → next due 12-31 → 0; its title is #1's: merge [1, 2]
    #3 落实财政资金绩效评价    常规 财政局, 交通局 co   交办 11-02 → due 12-31 → 0
    #4 老旧小区改造            方案 住建局  交办 11-09, 反馈 11-13 → due 11-20 → 1 report
    #5 排水管网改造            常规 住建局  交办 11-02, 办结 11-17 → not open at the end of the week
    #6 债务化解                常规 财政局  交办 11-02, due 11-18 → remind 11-16: 提醒 (level 0) to 财政局
    #7 农贸市场改造            常规 住建局  交办 10-12, due 11-10 → remind 11-16: 催办 (level 1) to 住建局
    escalations: 督办单 #6 财政局 11-18 (counts); 约谈 #7 without --unit 11-19 (counts for its lead, 住建局);
                 通报表扬 #3 11-19 (no burden); 问责 #6 11-10 (another week)
    forms: one 反馈表 to 财政局 on 11-17 (counts), one on 11-09 (another week)

    unit        reminders escalations feedback forms open  load
    交通局          0         0          1       0    3     4   (#1, #2, #3 co)
    财政局          1         1          0       1    2     5   (#3, #6)
    住建局          1         1          1       0    2     5   (#4, #7)
"""

from __future__ import annotations

import json
import os
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duban import burden

T, F, Z = "市交通运输局", "市财政局", "市住房和城乡建设局"


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def form_sent(unit: str, day: str) -> None:
    conn = sqlite3.connect(os.environ["DUBAN_DB"])
    with conn:
        conn.execute("INSERT INTO event_log (item_id, unit_id, at, kind, detail, data, logged_at)"
                     " VALUES (NULL, (SELECT id FROM units WHERE name = ?), ?, 'form_sent', '发出反馈表', '{}', ?)",
                     [unit, day, day + "T09:00:00Z"])
    conn.close()


@pytest.fixture
def week(units):
    d = units
    ok(d("create", "推进城区主干道综合整治", "--source", "领导批示", "--class", "速办", "--lead", "交通局", "--due", "2026-12-31",
         today="2026-11-12"))
    ok(d("feedback", "1", "--unit", "交通局", "已完成方案", today="2026-11-13"))
    ok(d("create", "城区主干道综合整治", "--source", "会议议定", "--class", "常规", "--lead", "交通局", "--due", "2026-12-31",
         today="2026-11-16"))
    ok(d("create", "落实财政资金绩效评价", "--source", "文件部署", "--class", "常规", "--lead", "财政局", "--co", "交通局",
         "--due", "2026-12-31", today="2026-11-02"))
    ok(d("create", "老旧小区改造", "--source", "领导批示", "--class", "方案", "--lead", "住建局", "--due", "2026-12-31",
         today="2026-11-09"))
    ok(d("feedback", "4", "--unit", "住建局", "方案已起草", today="2026-11-13"))
    ok(d("create", "排水管网改造", "--source", "其他", "--class", "常规", "--lead", "住建局", "--due", "2026-12-31",
         today="2026-11-02"))
    ok(d("create", "债务化解", "--source", "文件部署", "--class", "常规", "--lead", "财政局", "--due", "2026-11-18",
         today="2026-11-02"))
    ok(d("create", "农贸市场改造", "--source", "其他", "--class", "常规", "--lead", "住建局", "--due", "2026-11-10",
         today="2026-10-12"))
    ok(d("escalate", "6", "--kind", "问责", "--unit", "财政局", today="2026-11-10"))
    form_sent(F, "2026-11-09")
    ok(d("remind", today="2026-11-16"))
    ok(d("close", "5", "--result", "已完成", today="2026-11-17"))
    form_sent(F, "2026-11-17")
    ok(d("escalate", "6", "--kind", "督办单", "--unit", "财政局", today="2026-11-18"))
    ok(d("escalate", "7", "--kind", "约谈", today="2026-11-19"))
    ok(d("escalate", "3", "--kind", "通报表扬", "--unit", "财政局", today="2026-11-19"))
    ok(d("rules", "set", "burden_limit", "4"))
    return d


def test_burden_counts_what_the_office_demanded_of_each_unit_that_week(week):
    log = {(e["kind"], e["unit"]) for e in json.loads(ok(week("log", "6", "--format", "json")).stdout)}
    assert ("reminded", F) in log  # the 提醒 of 11-16
    rows = json.loads(ok(week("report", "burden", "--week", "2026-W47", "--format", "json", today="2026-11-20")).stdout)
    assert rows == [
        {"unit": Z, "reminders": 1, "escalations": 1, "feedback_required": 1, "forms": 0, "open_items": 2, "load": 5,
         "limit": 4, "over_limit": True, "merge_suggestions": []},
        {"unit": F, "reminders": 1, "escalations": 1, "feedback_required": 0, "forms": 1, "open_items": 2, "load": 5,
         "limit": 4, "over_limit": True, "merge_suggestions": []},
        {"unit": T, "reminders": 0, "escalations": 0, "feedback_required": 1, "forms": 0, "open_items": 3, "load": 4,
         "limit": 4, "over_limit": False, "merge_suggestions": [[1, 2]]},
    ]
    # the week before: only the 11-09 form, 问责 of 11-10 and the reports then due
    before = {r["unit"]: r for r in json.loads(ok(week("report", "burden", "--week", "2026-W46", "--format", "json",
                                                       today="2026-11-20")).stdout)}
    assert (before[F]["forms"], before[F]["escalations"], before[F]["reminders"]) == (1, 1, 0)


def test_the_weekly_line_names_the_units_over_the_limit(week):
    result = ok(week("report", "burden", today="2026-11-20"))
    line = ("减负情况：2026-W47（2026-11-16 至 2026-11-20）督办工作对3个责任单位提出的要求（催办、督办、进展反馈、报表和在办事项）"
            "合计14项次；市住房和城乡建设局（5项次）、市财政局（5项次）2个单位超过减负上限（每周4项次）。")
    assert line in result.stdout.replace("\n", "")
    rows = [burden.Burden(T, open_items=2, limit=15)]
    assert burden.sentence(rows, "2026-W47") == ("减负情况：2026-W47督办工作对1个责任单位提出的要求（催办、督办、进展反馈、"
                                                 "报表和在办事项）合计2项次，各单位均未超过减负上限（每周15项次）。")


def test_similar_titles_are_grouped_and_different_ones_are_not():
    titles = [(1, "推进城区主干道综合整治"), (2, "城区主干道综合整治"), (3, "加快推进老旧小区改造"), (4, "老旧小区改造提升"),
              (5, "落实财政资金绩效评价"), (9, "城区主干道综合整治工作")]
    assert burden.similar_groups(titles) == [[1, 2, 9], [3, 4]]


def test_burden_limit_is_a_setting_with_its_source(units):
    shown = ok(units("rules", "show")).stdout
    assert "burden_limit" in shown and "15" in shown
    bad = units("rules", "set", "burden_limit", "0")
    assert bad.exit_code == 1 and bad.stderr == "错误：设置项 burden_limit 应在 1 到 1000 之间，收到 0\n"


def test_a_bad_week_is_a_usage_error(units):
    result = units("report", "burden", "--week", "2026-47")
    assert (result.exit_code, result.stderr) == (2, "错误：--week 应为 2026-W47 这样的 ISO 周，收到“2026-47”\n")


def test_a_past_week_keeps_its_figures_when_an_item_is_cancelled_or_paused_later(units):
    d = units
    ok(d("create", "道路养护", "--source", "其他", "--class", "常规", "--lead", "交通局", "--due", "2026-12-31",
         today="2026-11-02"))
    ok(d("create", "道路养护专项检查", "--source", "其他", "--class", "常规", "--lead", "交通局", "--due", "2026-12-31",
         today="2026-11-02"))

    def w45() -> dict:
        rows = json.loads(ok(d("report", "burden", "--week", "2026-W45", "--format", "json", today="2026-11-30")).stdout)
        return next(r for r in rows if r["unit"] == T)

    before = w45()
    assert (before["open_items"], before["merge_suggestions"]) == (2, [[1, 2]])
    ok(d("cancel", "2", "--reason", "并入道路养护", today="2026-11-16"))
    ok(d("pause", "1", "--reason", "等待上级政策", today="2026-11-17"))
    # at the end of 2026-W45 both were at work, whatever happened to them since
    assert w45() == before


def _similar_pairwise(titles, threshold=burden.SIMILAR_TITLES):
    """The grouping as first written: every pair of titles compared."""
    grams = [(i, burden._bigrams(t)) for i, t in titles]
    groups = [{i} for i, _ in grams]
    for n, (a, ga) in enumerate(grams):
        for b, gb in grams[n + 1:]:
            if ga and gb and 2 * len(ga & gb) / (len(ga) + len(gb)) >= threshold:
                ja = next(g for g in groups if a in g)
                jb = next(g for g in groups if b in g)
                if ja is not jb:
                    ja |= jb
                    groups.remove(jb)
    return sorted(sorted(g) for g in groups if len(g) > 1)


@given(st.lists(st.text(alphabet="道路改造整治 安全", max_size=6), max_size=25))
@settings(max_examples=300, deadline=None)
def test_titles_compared_once_per_distinct_wording_group_as_every_pair_did(texts):
    titles = list(enumerate(texts, 1))
    assert burden.similar_groups(titles) == _similar_pairwise(titles)
