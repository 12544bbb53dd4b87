"""The SQL views 台账 and 逾期清单 (issue #16): today's lights for any SQLite tool, without duban.

The views light items as of ``date('now','localtime')``; so the ledger is built with ``--today`` set to
the date SQLite itself says it is, and the views are read with plain ``sqlite3`` (and Datasette,
where installed) and compared with ``duban list`` / ``duban overdue`` of the same day.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from duban.cli import app

LIGHT_WORDS = {"red": "红灯", "yellow": "黄灯", "blue": "蓝灯", "green": "绿灯", None: "不亮灯"}


def _sqlite_today() -> dt.date:
    return dt.date.fromisoformat(sqlite3.connect(":memory:").execute("SELECT date('now', 'localtime')").fetchone()[0])


@pytest.fixture
def built(tmp_path):
    """A ledger whose items were created 40 days ago and are lit today, with every kind of light."""
    db = tmp_path / "ledger.db"
    today = _sqlite_today()
    runner = CliRunner()

    def duban(*args, day=today):
        result = runner.invoke(app, ["--db", str(db), *args], env={"DUBAN_TODAY": day.isoformat()})
        assert result.exit_code == 0, result.output
        return result

    start = today - dt.timedelta(days=40)
    duban("init", day=start)
    for name in ("市财政局", "市交通运输局", "城东区人民政府"):
        duban("unit", "add", name, day=start)
    duban("create", "逾期事项", "--source", "领导批示", "--lead", "市财政局", "--co", "市交通运输局",
          "--within", "5", day=start)
    duban("create", "临期事项", "--source", "会议", "--lead", "城东区人民政府",
          "--due", (today + dt.timedelta(days=2)).isoformat(), day=start)
    duban("create", "正常事项", "--source", "文件", "--lead", "市交通运输局",
          "--due", (today + dt.timedelta(days=60)).isoformat(), day=start)
    duban("create", "长期事项", "--source", "其他", "--lead", "市财政局", "--due", "长期", day=start)
    duban("create", "待交办", "--source", "其他", day=start)
    duban("create", "已办结", "--source", "其他", "--lead", "市财政局", "--within", "3", day=start)
    duban("close", "6", "--result", "完成", day=start)
    duban("create", "子事项", "--source", "其他", "--lead", "城东区人民政府", "--within", "2", "--parent", "3",
          day=start)
    duban("milestone", "add", "3", (start + dt.timedelta(days=10)).isoformat(), "方案", day=start)
    duban("create", "今天立项", "--source", "其他", "--lead", "市交通运输局",
          "--due", (today + dt.timedelta(days=60)).isoformat())
    duban("feedback", "1", "在推进", "--unit", "市财政局", "--percent", "30", day=today - dt.timedelta(days=3))
    return db, duban


def test_the_ledger_view_is_what_list_says_today(built):
    db, duban = built
    listed = json.loads(duban("list", "--format", "json").stdout)
    conn = sqlite3.connect(db)  # plain sqlite3: no duban, no extension
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM 台账 ORDER BY 编号")]
    assert [r["编号"] for r in rows] == [r["id"] for r in listed] == [1, 2, 3, 4, 5, 7, 8]
    for row, item in zip(rows, listed):
        assert row["事项"] == item["title"]
        assert row["亮灯"] == LIGHT_WORDS[item["light"]]
        assert row["亮灯原因"] == item["light_reason"]
        assert row["剩余工作日"] == item["workdays_left"]
        assert row["逾期工作日"] == item["overdue_workdays"]
        assert row["牵头单位"] == item["lead_unit"]
        assert row["配合单位"] == ("、".join(item["co_units"]) or None)
        assert row["办理时限"] == item["due"]
        assert row["来源"] == item["source_label"] and row["状态"] == item["status_label"]
        assert row["截至日期"] == _sqlite_today().isoformat()
    assert {r["亮灯"] for r in rows} >= {"红灯", "黄灯", "绿灯", "不亮灯"}
    assert rows[0]["亮灯原因"].startswith("已逾期") and rows[0]["逾期工作日"] > 0


def test_the_overdue_view_is_what_overdue_says_today(built):
    db, duban = built
    listed = json.loads(duban("overdue", "--format", "json").stdout)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = sorted((dict(r) for r in conn.execute("SELECT * FROM 逾期清单")), key=lambda r: (r["编号"], r["责任单位"]))
    listed = sorted(listed, key=lambda r: (r["id"], r["unit"]))
    assert len(rows) == len(listed) >= 3
    for row, rec in zip(rows, listed):
        assert (row["编号"], row["责任单位"], row["角色"]) == (rec["id"], rec["unit"], rec["role_label"])
        assert (row["逾期工作日"], row["状态"], row["催办等级"], row["等级原因"], row["未完成日期"]) == \
            (rec["overdue_workdays"], rec["status_text"], rec["level_label"], rec["level_reason"], rec["missed"])
        assert row["亮灯原因"] == rec["light_reason"]


def test_datasette_reads_the_ledger_view_as_json(built):
    datasette = pytest.importorskip("datasette.utils", reason="Datasette 未安装（pip install -e '.[test]'）")
    db, duban = built
    listed = json.loads(duban("list", "--format", "json").stdout)
    tilde_encode = datasette.tilde_encode

    done = subprocess.run([sys.executable, "-m", "datasette", str(db), "--get",
                           f"/ledger/{tilde_encode('台账')}.json?_shape=array"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = sorted(json.loads(done.stdout), key=lambda r: r["编号"])
    assert [(r["编号"], r["亮灯原因"]) for r in rows] == [(r["id"], r["light_reason"]) for r in listed]


def test_an_import_leaves_its_schedules_to_the_next_command_and_the_view_says_so(built, tmp_path, monkeypatch):
    """An import writes no schedules (issue #15 keeps it as fast as reading the sheet): its items are
    待计算 in the view, lit in Python meanwhile, and the next command builds them (issue #16)."""
    from openpyxl import Workbook

    from duban.ledger import Ledger
    from duban.ledger_rows import ListFilter

    db, duban = built
    today = _sqlite_today()
    sheet = tmp_path / "台账.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "督办事项", "牵头单位", "完成时限"])
    ws.append([1, "导入的逾期事项", "市财政局", (today - dt.timedelta(days=30)).isoformat()])
    ws.append([2, "导入的正常事项", "市交通运输局", (today + dt.timedelta(days=90)).isoformat()])
    wb.save(sheet)
    led = Ledger.open(db, today=today)
    from duban import importer

    report = importer.import_file(led, sheet, importer.ImportOptions())
    assert report.written and not report.errors
    conn = sqlite3.connect(db)
    assert [r[0] for r in conn.execute("SELECT item_id FROM schedule_pending ORDER BY 1")] == [9, 10]
    assert conn.execute("SELECT count(*) FROM schedules WHERE item_id IN (9, 10)").fetchone()[0] == 0
    view = {r[0]: r[1:] for r in conn.execute("SELECT 编号, 亮灯, 亮灯原因 FROM 台账 WHERE 编号 >= 9")}
    assert view == {9: ("待计算", "亮灯尚未算入台账文件，运行任一 duban 命令后显示"),
                    10: ("待计算", "亮灯尚未算入台账文件，运行任一 duban 命令后显示")}
    assert conn.execute("SELECT count(*) FROM 逾期清单 WHERE 编号 >= 9").fetchone()[0] == 0
    # meanwhile the list lights them in Python: the same as once they are built
    before = [(v.item.id, v.light.light, v.light.reason, v.light.overdue_workdays)
              for v in led.list_items(ListFilter(), scheduled=True)]
    assert before[-2][1].code == "red" and before[-1][1].code == "green"
    led.db.close()
    monkeypatch.setattr(Ledger, "_schedule_slice", 1)  # (as 1,000 items would: the wait is said)
    result = duban("list", "--format", "json")  # the next command builds them first
    assert result.stderr.startswith("正在为 2 项事项建立亮灯日程（导入、改设置或升级后一次性的工作），请稍候……\n")
    listed = json.loads(result.stdout)
    assert conn.execute("SELECT count(*) FROM schedule_pending").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM schedules WHERE item_id IN (9, 10)").fetchone()[0] >= 2
    assert [(r["id"], r["light"], r["light_reason"], r["overdue_workdays"]) for r in listed] == \
        [(i, light.code if light else None, reason, late) for i, light, reason, late in before]
    view = {r[0]: r[1] for r in conn.execute("SELECT 编号, 亮灯 FROM 台账 WHERE 编号 >= 9")}
    assert view == {9: "红灯", 10: "绿灯"}
    assert conn.execute("SELECT count(*) FROM 逾期清单 WHERE 编号 = 9").fetchone()[0] == 1
