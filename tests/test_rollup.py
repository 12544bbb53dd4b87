"""汇总 (issue #18): ``duban rollup LEDGER… REPORT`` reads several ledgers, read-only.

The example ledger split into three (items by id modulo 3, each copy with its own office name)
must give the single ledger's figures; every file keeps its bytes; a clerk may be writing.
"""

from __future__ import annotations

import hashlib
import re
import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from example_ledger import TODAY, copy_example
from duban.ledger import SCHEMA

NAMES = ["甲县督查室", "乙县督查室", "丙县督查室"]
COUNTS = ("total", "closed", "closed_on_time", "closed_late", "open", "overdue", "on_track", "reminders", "notices",
          "listed", "interviews", "criticisms", "praises", "accountability", "extensions", "reopened", "revisits",
          "satisfied", "basically_satisfied", "unsatisfied")


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    """The example ledger and its three parts."""
    base = tmp_path_factory.mktemp("rollup")
    whole = copy_example(base / "全市.db")
    parts = []
    for k, name in enumerate(NAMES):
        part = copy_example(base / f"part{k}.db")
        conn = sqlite3.connect(part)
        keep = "id % 3 = ?"
        for table in ("event_log", "assignments", "milestones"):
            conn.execute(f"DELETE FROM {table} WHERE item_id IS NOT NULL AND item_id NOT IN"
                         f" (SELECT id FROM items WHERE {keep})", [k])
        conn.execute(f"DELETE FROM items WHERE NOT ({keep})", [k])
        conn.execute("UPDATE settings SET value = ? WHERE key = 'office_name'", [name])
        conn.commit()
        conn.close()
        parts.append(part)
    return whole, parts


def as_json(duban, *args):
    return json.loads(ok(duban(*args, "--format", "json")).stdout)


def test_three_parts_give_the_single_ledgers_figures(duban, split, monkeypatch, tmp_path):
    whole, parts = split
    monkeypatch.setenv("DUBAN_DB", str(tmp_path / "没有这个台账.db"))  # rollup reads no default ledger
    before = {p: sha(p) for p in parts}
    args = ["rollup", *map(str, parts), "--as-of", TODAY]
    single = as_json(duban, "--db", str(whole), "--today", TODAY, "report", "stats", "--by", "unit")
    # 全部 over the three equals the single ledger's 全部, key by key
    merged = as_json(duban, *args, "stats")
    assert len(merged) == 1 and merged[0]["ledger"] == "全部"
    assert {k: v for k, v in merged[0].items() if k != "ledger"} == single[-1]
    # --by ledger: one row per ledger, then 全部
    by_ledger = as_json(duban, *args, "stats", "--by", "ledger")
    assert [r["ledger"] for r in by_ledger] == [*NAMES, "全部"]
    assert [r["group"] for r in by_ledger] == [*NAMES, "全部"]
    assert sum(r["total"] for r in by_ledger[:-1]) == by_ledger[-1]["total"] == single[-1]["total"] == 17
    # --by unit: units kept apart by ledger; summed over the ledgers they are the single ledger's units
    by_unit = as_json(duban, *args, "stats", "--by", "unit")
    assert by_unit[-1] == {"ledger": "全部", **single[-1]}
    assert {r["ledger"] for r in by_unit[:-1]} == set(NAMES)
    assert len({(r["ledger"], r["group"]) for r in by_unit[:-1]}) == len(by_unit) - 1
    summed: dict[str, Counter] = {}
    for r in by_unit[:-1]:
        summed.setdefault(r["group"], Counter()).update({k: r[k] for k in COUNTS})
    assert {u: {k: c[k] for k in COUNTS} for u, c in summed.items()} == \
        {r["group"]: {k: r[k] for k in COUNTS} for r in single[:-1]}
    # overdue: the same assignments, each labelled with its ledger
    one = as_json(duban, "--db", str(whole), "--today", TODAY, "overdue")
    three = as_json(duban, *args, "overdue")
    assert sorted((r["id"], r["unit"], r["overdue_workdays"], r["level"]) for r in three) == \
        sorted((r["id"], r["unit"], r["overdue_workdays"], r["level"]) for r in one)
    assert {r["ledger"] for r in three} <= set(NAMES) and all(NAMES[r["id"] % 3] == r["ledger"] for r in three)
    # ranking: each ledger ranks its own units; the points gained and lost add up to the single ledger's
    ranked = as_json(duban, *args, "ranking")
    single_rank = as_json(duban, "--db", str(whole), "--today", TODAY, "report", "ranking")
    points: Counter = Counter()
    for r in ranked:
        points[r["unit"], r["role"]] += r["score"] - 100
        assert r["quarter"] == "2026Q4" and r["ledger"] in NAMES
    assert {u: round(p, 2) for u, p in points.items() if p} == \
        {(r["unit"], r["role"]): round(r["score"] - 100, 2) for r in single_rank if r["score"] != 100}
    # the screen over the three shows the single ledger's lights
    out = tmp_path / "汇总.html"
    result = ok(duban(*args, "screen", "--out", str(out), "--by", "ledger"))
    assert result.stdout == f"大屏页面已写入 {out}：红灯4项、黄灯3项，3本台账（{TODAY}）\n"
    page = out.read_text(encoding="utf-8")
    assert '<span class="n" data-k="total">17</span>' in page and "汇总3本台账：甲县督查室、乙县督查室、丙县督查室" in page
    assert {p: sha(p) for p in parts} == before
    assert not (tmp_path / "没有这个台账.db").exists()


def test_rollup_reads_while_a_clerk_is_writing_and_changes_no_byte(duban, split, tmp_path):
    _, parts = split
    before = {p: sha(p) for p in parts}
    clerk = sqlite3.connect(parts[0], isolation_level=None)
    clerk.execute("BEGIN IMMEDIATE")
    clerk.execute("UPDATE settings SET value = '写到一半' WHERE key = 'office_name'")
    try:
        rows = as_json(duban, "rollup", *map(str, parts), "--as-of", TODAY, "stats", "--by", "ledger")
    finally:
        clerk.execute("ROLLBACK")
        clerk.close()
    assert [r["ledger"] for r in rows] == [*NAMES, "全部"]  # the committed state, not the clerk's half-write
    assert {p: sha(p) for p in parts} == before


def test_an_older_ledger_is_read_through_its_own_version_or_refused_by_name(duban, tmp_path):
    readable = copy_example(tmp_path / "旧版.db")
    conn = sqlite3.connect(readable)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name IN ('m005_import_keys', 'm006_reports', 'm007_reminder_index')")
    conn.execute("DROP INDEX IF EXISTS idx_events_reminded")
    conn.commit()
    conn.close()
    digest = sha(readable)
    rows = as_json(duban, "rollup", str(readable), "--as-of", TODAY, "stats")
    assert rows[-1]["total"] == 17 and sha(readable) == digest  # read as it is: nothing migrated
    too_old = copy_example(tmp_path / "太旧.db")
    conn = sqlite3.connect(too_old)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name NOT IN ('m001_core', 'm002_indexes', 'm003_milestones')")
    conn.commit()
    conn.close()
    digest = sha(too_old)
    result = duban("rollup", str(readable), str(too_old), "stats")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (f"错误：台账 {too_old} 的结构版本为 m003_milestones，缺少 m004_restarted_on、m011_calendar_clock、m014_clerk，汇总只读不升级；"
                             f"请先在该台账所在处用新版 duban 打开一次（自动升级到 {SCHEMA}）\n")
    assert sha(too_old) == digest


@pytest.mark.parametrize("args, code, message", [
    (["a.db"], 2, "错误：请在台账文件之后给出报表：stats、ranking、overdue、screen，收到“a.db”\n"),
    (["stats"], 2, "错误：请至少给出一个台账文件\n"),
    (["{db}", "ranking", "--by", "ledger"], 2, "错误：--by 不适用于 rollup ranking\n"),
    (["{db}", "stats", "--by", "leader"], 2, "错误：--by 应为 unit、source 或 ledger，收到“leader”\n"),
    (["{db}", "screen"], 2, "错误：rollup screen 须用 --out 指定输出的 HTML 文件\n"),
    (["{db}", "screen", "--format", "json"], 2, "错误：--format 不适用于 rollup screen（大屏是 HTML 页面，用 --out 指定文件）\n"),
    (["{db}", "{db}", "stats"], 2, "错误：台账 {db} 重复给出\n"),
    (["{missing}", "stats"], 1, "错误：台账文件不存在：{missing}\n"),
])
def test_rollup_usage_errors(duban, tmp_path, args, code, message):
    db = copy_example(tmp_path / "a.db")
    names = {"db": str(db), "missing": str(tmp_path / "无.db")}
    result = duban("rollup", *[a.format(**names) for a in args])
    assert (result.exit_code, result.stderr) == (code, message.format(**names))


def test_many_ledgers_are_read_in_parallel_and_same_names_get_their_file_names(units, tmp_path):
    import os

    from duban import rollup

    ok(units("create", "道路修复", "--source", "领导批示", "--lead", "交通局", "--due", "2026-11-06", today="2026-11-02"))
    ok(units("create", "资金拨付", "--source", "会议议定", "--lead", "财政局", "--due", "2026-12-06", today="2026-11-02"))
    copies = []
    source = sqlite3.connect(os.environ["DUBAN_DB"])
    for n in range(rollup.PARALLEL_FROM):
        copies.append(tmp_path / f"c{n}.db")
        target = sqlite3.connect(copies[-1])
        source.backup(target)
        target.close()
    source.close()
    before = {p: sha(p) for p in copies}
    rows = as_json(units, "rollup", *map(str, copies), "--as-of", "2026-11-16", "stats", "--by", "ledger")
    assert [r["ledger"] for r in rows] == [f"督查室（c{n}.db）" for n in range(len(copies))] + ["全部"]
    assert [(r["total"], r["overdue"]) for r in rows] == [(2, 1)] * len(copies) + [(2 * len(copies), len(copies))]
    assert {p: sha(p) for p in copies} == before


def test_the_rollup_screen_keeps_each_units_ledger(duban, split, tmp_path):
    _, parts = split
    out = tmp_path / "各县.html"
    ok(duban("rollup", *map(str, parts), "--as-of", TODAY, "screen", "--out", str(out), "--refresh", "600"))
    page = out.read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="600">' in page
    assert '<h1>3本台账汇总督办亮灯大屏</h1>' in page
    # item #1 lives in the second part (1 % 3): its row names the unit and, beneath, the ledger
    row = re.search(r'<tr data-id="1" data-light="red">.*?</tr>', page).group(0)
    assert '市住房和城乡建设局<div class="ledger">乙县督查室</div>' in row and "逾期11个工作日" in row
    assert page.count('data-unit="甲县督查室·市住房和城乡建设局"') == 1
    assert page.count('data-unit="丙县督查室·市住房和城乡建设局"') == 1  # the same unit, another county


def test_the_ranking_table_says_whether_a_row_is_the_units_lead_or_co_work(duban, split):
    """A unit ranked as lead and as co in one ledger gives two rows: the 角色 column tells them apart."""
    _, parts = split
    args = ["rollup", *map(str, parts), "--as-of", TODAY]
    ranked = as_json(duban, *args, "ranking")
    assert set(ranked[0]) == {"ledger", "quarter", "rank", "unit", "role", "score", "board", "gained", "lost", "details"}
    roles: dict[tuple[str, str], set[str]] = {}
    for r in ranked:
        roles.setdefault((r["ledger"], r["unit"]), set()).add(r["role"])
    ledger, unit = next(key for key, found in roles.items() if found == {"lead", "co"})
    table = ok(duban(*args, "ranking")).stdout
    header = next(line for line in table.splitlines() if "单位" in line and "得分" in line)
    assert re.search(r"单位\s*┃\s*角色\s*┃\s*得分", header), header
    rows = [line for line in table.splitlines() if ledger in line and f" {unit} " in line]
    assert len(rows) == 2 and [bool(re.search(r"│\s*牵头\s*│", rows[i])) for i in (0, 1)].count(True) == 1
    assert [bool(re.search(r"│\s*配合\s*│", rows[i])) for i in (0, 1)].count(True) == 1
