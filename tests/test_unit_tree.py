"""``report stats --by unit --rollup`` (issue #18): each parent's totals over all its descendants.

    城东区 (no items of its own)
    ├── 东街道          #1 open, green
    │   ├── 幸福社区    #2 closed on time, #3 open, overdue
    │   └── 和平社区    #4 open, green
    └── 西街道          #5 closed late
    财政局 (no parent)  #6 open, green
"""

from __future__ import annotations

import json

import pytest


def ok(result):
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def tree(duban):
    ok(duban("init"))
    for name, parent in (("城东区", None), ("东街道", "城东区"), ("幸福社区", "东街道"), ("和平社区", "东街道"),
                         ("西街道", "城东区"), ("财政局", None)):
        ok(duban("unit", "add", name, *(["--parent", parent] if parent else [])))
    day = "2026-11-02"
    for title, unit, due in (("一", "东街道", "2026-12-31"), ("二", "幸福社区", "2026-11-30"), ("三", "幸福社区", "2026-11-06"),
                             ("四", "和平社区", "2026-12-31"), ("五", "西街道", "2026-11-05"), ("六", "财政局", "2026-12-31")):
        ok(duban("create", title, "--source", "其他", "--lead", unit, "--due", due, today=day))
    ok(duban("close", "2", "--result", "完成", today="2026-11-04"))
    ok(duban("close", "5", "--result", "完成", today="2026-11-10"))
    return duban


def test_parents_get_their_descendants_totals_and_children_keep_their_rows(tree):
    rows = json.loads(ok(tree("report", "stats", "--by", "unit", "--rollup", "--format", "json")).stdout)
    got = [(r["group"], r["unit"], r["rollup"], r["total"], r["closed"], r["closed_on_time"], r["overdue"], r["open"])
           for r in rows]
    assert got == [
        ("西街道", "西街道", False, 1, 1, 0, 0, 0),            # best 办结率 first, as report stats orders them
        ("幸福社区", "幸福社区", False, 2, 1, 1, 1, 1),
        ("东街道", "东街道", False, 1, 0, 0, 0, 1),
        ("和平社区", "和平社区", False, 1, 0, 0, 0, 1),
        ("财政局", "财政局", False, 1, 0, 0, 0, 1),
        ("城东区（含下级）", "城东区", True, 5, 2, 1, 1, 3),   # 东街道 1 + 幸福社区 2 + 和平社区 1 + 西街道 1
        ("东街道（含下级）", "东街道", True, 4, 1, 1, 1, 3),   # itself 1 + 幸福社区 2 + 和平社区 1
        ("全部", "全部", False, 6, 2, 1, 1, 4),                # each item once
    ]
    city = rows[5]
    assert (city["completion_rate"], city["on_time_rate"], city["progress_rate"]) == (0.4, 0.5, 0.8)
    # without --rollup the rows are the plain ones
    plain = json.loads(ok(tree("report", "stats", "--by", "unit", "--format", "json")).stdout)
    assert [r["group"] for r in plain] == [g for g, _, rolled, *_ in got if not rolled or g == "全部"]
    assert "rollup" not in plain[0]


def test_rollup_needs_by_unit(tree):
    result = tree("report", "stats", "--rollup")
    assert (result.exit_code, result.stderr) == (2, "错误：--rollup 须与 --by unit 合用\n")
