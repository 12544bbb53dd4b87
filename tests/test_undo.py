"""``duban undo [--dry-run]`` (issue #17): the latest write command taken back, as one `undone` event.

Each reading of the ledger after an undo is what it was before the command; the log keeps both
the voided events (已撤回) and the `undone` event; ``check`` still verifies the chain and the replay;
refusals (notices, 期号, an earlier day, nothing left) exit 1 and write nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from duban.ledger import Ledger

TODAY = "2026-11-16"  # a Monday (conftest pins DUBAN_TODAY to it)


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout


def refused(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr == f"错误：{message}\n"
    assert result.stdout == ""


def db() -> Path:
    return Path(os.environ["DUBAN_DB"])


def ledger_bytes() -> bytes:
    """The ledger's content as SQLite would read it (file, WAL included)."""
    conn = sqlite3.connect(db())
    try:
        return "\n".join(conn.iterdump()).encode()
    finally:
        conn.close()


def readings(duban, today: str | None = None) -> dict:
    """Everything a user reads about the work: lists, every item, overdue, statistics, ranking, units."""
    def js(*args):
        return json.loads(ok(duban(*args, "--format", "json", today=today)))

    items = js("list", "--all")
    return {
        "list": items,
        "show": {i["id"]: js("show", str(i["id"])) for i in items},
        "overdue": js("overdue"),
        "stats": js("report", "stats", "--by", "unit"),
        "ranking": js("report", "ranking"),
        "requests": js("requests"),
        "units": js("unit", "list"),
        "rules": js("rules", "show"),
    }


@pytest.fixture
def office(units):
    """Three items: #1 open (交通局 lead, 财政局 co), #2 open and overdue since 11-13, #3 pending."""
    d = units
    ok(d("create", "主干道整治", "--source", "领导批示", "--lead", "交通局", "--co", "财政局", "--due", "2026-11-30",
         today="2026-11-02"))
    ok(d("create", "老旧小区改造", "--source", "会议议定", "--lead", "市住建局", "--due", "2026-11-13",
         today="2026-11-02"))
    ok(d("create", "背街小巷提升", "--source", "领导批示", today="2026-11-03"))
    ok(d("feedback", "1", "--unit", "交通局", "已完成方案", "--percent", "30", today="2026-11-10"))
    return d


# -- a mistaken command taken back ---------------------------------------------------------------


def test_a_mistaken_feedback_is_taken_back_and_every_reading_is_as_before(office):
    before = readings(office)
    ok(office("feedback", "1", "--unit", "交通局", "已全部完工", "--percent", "100"))
    assert readings(office)["show"][1]["last_feedback"] == TODAY
    out = ok(office("undo"))
    assert out == ("已撤回：duban feedback（2026-11-16 记）：事项 #1，1 条记录\n"
                   "  #1 “市交通运输局”反馈进展（完成100%）：已全部完工\n")
    assert readings(office) == before
    assert office("check").exit_code == 0


def test_the_log_keeps_the_voided_event_marked_and_the_undone_event(office):
    ok(office("feedback", "1", "--unit", "交通局", "已全部完工", "--percent", "100"))
    ok(office("undo"))
    log = json.loads(ok(office("log", "1", "--format", "json")))
    assert [(e["at"], e["kind"], e["kind_label"], e["voided"]) for e in log] == [
        ("2026-11-02", "created", "立项", False),
        ("2026-11-02", "assigned", "交办", False),
        ("2026-11-02", "assigned", "交办", False),
        ("2026-11-10", "feedback", "进展反馈", False),
        ("2026-11-16", "feedback", "进展反馈（已撤回）", True),
        ("2026-11-16", "undone", "撤回", False),
    ]
    assert log[-1]["detail"] == "撤回 duban feedback（2026-11-16 记）：事项 #1，1 条记录"
    assert log[-1]["data"]["command"] == "feedback" and log[-1]["data"]["items"] == [1]
    table = ok(office("log", "1"))
    assert "进展反馈（已撤回）" in table and "撤回 duban feedback" in table


@pytest.mark.parametrize("command", [
    ("close", "1", "--result", "已完工"),
    ("extend", "2", "--to", "2026-11-27", "--reason", "征迁未完成"),
    ("escalate", "2", "--kind", "挂牌督办", "--note", "逾期未办"),
    ("pause", "1", "--reason", "等待上级批复"),
    ("cancel", "2", "--reason", "不再需要"),
    ("sign", "1", "--unit", "财政局"),
    ("assign", "3", "--lead", "财政局", "--within", "5"),
    ("assign", "1", "--co", "市住建局"),
    ("edit", "1", "--title", "主干道综合整治", "--class", "重点", "--ref", "〔2026〕12号"),
    ("merge", "1", "2", "--reason", "同一事由"),
    ("create", "主干道整治·东段", "--source", "领导批示", "--parent", "1", "--lead", "交通局", "--within", "5"),
    ("create", "新事项", "--source", "领导批示", "--lead", "财政局", "--within", "3"),
    ("milestone", "add", "1", "2026-11-20", "完成设计"),
    ("rules", "set", "cadence_routine", "5"),
    ("rules", "preset", "11350"),
    ("unit", "add", "市水利局", "--alias", "水利局"),
])
def test_every_reading_is_as_if_the_command_had_never_happened(office, command):
    taken_back(office, command)


def taken_back(duban, command: tuple[str, ...]) -> None:
    """Run ``command``, undo it: every reading is as before it, and ``check`` finds nothing."""
    before = readings(duban)
    ok(duban(*command))
    assert readings(duban) != before
    ok(duban("undo"))
    assert readings(duban) == before
    result = duban("check", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


@pytest.mark.parametrize("setup, command", [
    ([("close", "1", "--result", "已完工")], ("revisit", "1", "--satisfaction", "不满意", "--note", "路面仍有坑洼")),
    ([("close", "1", "--result", "已完工")], ("reopen", "1", "--reason", "回访不满意", "--within", "5")),
    ([("pause", "1", "--reason", "等待上级批复")], ("resume", "1")),
    ([("rules", "set", "review_required", "true"), ("close", "1", "--result", "已完工")], ("review", "1", "--approve")),
    ([("rules", "set", "review_required", "true"), ("close", "1", "--result", "已完工")],
     ("review", "1", "--return", "缺验收材料")),
])
def test_later_steps_of_an_item_taken_back(office, setup, command):
    for step in setup:
        ok(office(*step))
    taken_back(office, command)


def test_a_closed_item_taken_back_is_open_again_in_list_overdue_and_stats(office):
    ok(office("close", "2", "--result", "已完工"))
    assert [r["id"] for r in json.loads(ok(office("overdue", "--format", "json")))] == []
    ok(office("undo"))
    assert [(r["id"], r["unit"], r["overdue_workdays"]) for r in json.loads(ok(office("overdue", "--format", "json")))] \
        == [(2, "市住房和城乡建设局", 1)]
    assert json.loads(ok(office("show", "2", "--format", "json")))["status"] == "open"
    whole = [g for g in json.loads(ok(office("report", "stats", "--format", "json"))) if g["group"] == "全部"][0]
    assert (whole["total"], whole["closed"], whole["overdue"]) == (2, 0, 1)


def test_again_it_walks_further_back(office):
    ok(office("feedback", "2", "--unit", "住建局", "正在施工"))
    ok(office("close", "2", "--result", "已完工"))
    assert ok(office("undo")).startswith("已撤回：duban close（2026-11-16 记）：事项 #2，1 条记录\n")
    assert ok(office("undo")).startswith("已撤回：duban feedback（2026-11-16 记）：事项 #2，1 条记录\n")
    refused(office("undo"), "不能撤回最近的命令 duban feedback（2026-11-10 记）：只能撤回今天（2026-11-16）记下的命令，"
                            "以前各日的记录可能已计入报告和统计；请用相应命令更正（如 duban edit、duban extend、duban reopen）")
    show = json.loads(ok(office("show", "2", "--format", "json")))
    assert (show["status"], show["last_feedback"]) == ("open", None)
    assert office("check").exit_code == 0


def test_a_created_item_taken_back_leaves_the_ledger_and_its_number_is_not_confused(units):
    assert ok(units("create", "误登记的事项", "--source", "领导批示", "--lead", "交通局", "--within", "5")) == "1\n"
    assert ok(units("undo")) == ("已撤回：duban create（2026-11-16 记）：事项 #1，2 条记录\n"
                                 "  #1 立项：误登记的事项（领导批示）\n"
                                 "  #1 交办牵头单位“市交通运输局”，办理时限 2026-11-23\n")
    refused(units("show", "1"), "未找到事项 #1（其立项已于 2026-11-16 用 duban undo 撤回）")
    refused(units("show", "2"), "未找到事项 #2")  # a number never used says nothing more
    assert json.loads(ok(units("list", "--all", "--format", "json"))) == []
    assert units("check").exit_code == 0
    # the next item takes number 1 again; its log is its own (the voided events were another item's)
    assert ok(units("create", "正确的事项", "--source", "领导批示")) == "1\n"
    assert [e["detail"] for e in json.loads(ok(units("log", "1", "--format", "json")))] == ["立项：正确的事项（领导批示）"]
    result = units("check", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_a_setting_taken_back_has_its_old_value(office):
    ok(office("rules", "set", "office_name", "某某市委督查室"))
    assert ok(office("undo")) == ("已撤回：duban rules set（2026-11-16 记）：1 条记录\n"
                                  "  设置 office_name（office_name：督查室 → 某某市委督查室）\n")
    shown = [r for r in json.loads(ok(office("rules", "show", "--format", "json"))) if r["key"] == "office_name"]
    assert [(r["value"], r["changed"]) for r in shown] == [("督查室", False)]  # at its default again, not a value set
    ok(office("rules", "preset", "11350"))
    ok(office("rules", "set", "office_name", "甲"))
    ok(office("rules", "set", "office_name", "乙"))
    ok(office("undo"))
    shown = [r for r in json.loads(ok(office("rules", "show", "--format", "json"))) if r["key"] == "office_name"]
    assert [(r["value"], r["changed"]) for r in shown] == [("甲", True)]


def test_an_import_taken_back_can_be_imported_again(units, tmp_path):
    sheet = Path(__file__).parents[1] / "examples" / "待导入台账.xlsx"
    first = json.loads(ok(units("import", str(sheet), "--create-units", "--format", "json")))
    listed = json.loads(ok(units("list", "--all", "--format", "json")))
    assert len(listed) > 5
    out = ok(units("undo"))
    assert out.startswith("已撤回：duban import（2026-11-16 记）：事项 #1、#2、")
    assert json.loads(ok(units("list", "--all", "--format", "json"))) == []
    assert [u["name"] for u in json.loads(ok(units("unit", "list", "--format", "json")))] == [
        "市交通运输局", "市财政局", "市住房和城乡建设局"]  # the units the import added left with it
    assert units("check").exit_code == 0
    again = json.loads(ok(units("import", str(sheet), "--create-units", "--format", "json")))
    assert again == first
    assert [(i["title"], i["lead_unit"], i["due"]) for i in json.loads(ok(units("list", "--all", "--format", "json")))] \
        == [(i["title"], i["lead_unit"], i["due"]) for i in listed]


# -- dry run ---------------------------------------------------------------------------------------


def test_dry_run_says_what_would_be_taken_back_and_writes_nothing(office):
    ok(office("close", "1", "--result", "已完工"))
    before = ledger_bytes()
    out = ok(office("undo", "--dry-run"))
    assert out == ("将撤回：duban close（2026-11-16 记）：事项 #1，2 条记录\n"
                   "  #1 “市交通运输局”按期办结，销号：已完工\n"
                   "  #1 “市财政局”按期办结，销号：已完工\n"
                   "（预演，未写入；去掉 --dry-run 即撤回）\n")
    assert ledger_bytes() == before


# -- refusals: nothing written -----------------------------------------------------------------------


def test_nothing_to_undo(duban):
    ok(duban("init"))
    before = ledger_bytes()
    refused(duban("undo"), "没有可以撤回的命令")
    refused(duban("undo", "--dry-run"), "没有可以撤回的命令")
    assert ledger_bytes() == before


def test_an_earlier_days_command_is_not_taken_back(office):
    ok(office("feedback", "1", "--unit", "交通局", "进行中", today="2026-11-13"))
    before = ledger_bytes()
    refused(office("undo"), "不能撤回最近的命令 duban feedback（2026-11-13 记）：只能撤回今天（2026-11-16）记下的命令，"
                            "以前各日的记录可能已计入报告和统计；请用相应命令更正（如 duban edit、duban extend、duban reopen）")
    assert ledger_bytes() == before
    assert ok(office("undo", today="2026-11-13")).startswith("已撤回：duban feedback（2026-11-13 记）")


def test_reminders_sent_cannot_be_taken_back(office, tmp_path):
    ok(office("remind", "--out", str(tmp_path / "通知")))
    before = ledger_bytes()
    refs = [e["data"]["doc_ref"] for e in json.loads(ok(office("log", "2", "--format", "json")))
            if e["kind"] == "reminded"]
    assert refs
    message = f"不能撤回最近的命令 duban remind（2026-11-16 记）：它发出了催办通知（文号{refs[0]}"
    result = office("undo")
    assert result.exit_code == 1 and result.stderr.startswith("错误：" + message)
    assert result.stderr.endswith("），通知已离开台账，不能收回\n")
    refused(office("undo", "--dry-run"), result.stderr.removeprefix("错误：").rstrip("\n"))
    assert ledger_bytes() == before


def test_a_sheet_issued_cannot_be_taken_back(office, tmp_path):
    ok(office("notice", "1", "--kind", "交办单", "--out", str(tmp_path)))
    ref = [e for e in json.loads(ok(office("log", "1", "--format", "json"))) if e["kind"] == "issued"][0]["data"]["doc_ref"]
    before = ledger_bytes()
    refused(office("undo"), f"不能撤回最近的命令 duban notice（2026-11-16 记）：它出具了任务交办单（文号{ref}），"
                            "文书已离开台账，不能收回")
    assert ledger_bytes() == before


def test_a_weekly_report_number_cannot_be_taken_back(office, tmp_path):
    ok(office("report", "weekly", "--out", str(tmp_path)))
    before = ledger_bytes()
    refused(office("undo"), "不能撤回最近的命令 duban report weekly（2026-11-16 记）：它印发了督查专报 2026年第1期，"
                            "期号已用出，不能收回")
    assert ledger_bytes() == before


def test_feedback_forms_sent_cannot_be_taken_back(office, tmp_path):
    ok(office("form", "--out", str(tmp_path)))
    before = ledger_bytes()
    refused(office("undo"), "不能撤回最近的命令 duban form（2026-11-16 记）：它发出了反馈表，表已离开台账，不能收回")
    assert ledger_bytes() == before


def test_events_from_before_the_upgrade_are_not_taken_back(office):
    conn = sqlite3.connect(db())
    conn.execute("DELETE FROM commands")  # as on a ledger written before m016_undo
    conn.commit()
    conn.close()
    refused(office("undo"), "最近的记录（2026-11-10）写于本版 duban 之前，未记下它属于哪条命令，不能撤回")


# -- the log's integrity -----------------------------------------------------------------------------


def test_check_finds_a_voided_mark_the_log_does_not_hold(office):
    ok(office("feedback", "1", "--unit", "交通局", "已全部完工"))
    ok(office("undo"))
    conn = sqlite3.connect(db())
    voided, undone = conn.execute("SELECT event_id, undone_by FROM voided_events").fetchone()
    conn.execute("DELETE FROM voided_events")
    conn.execute("INSERT INTO voided_events (event_id, undone_by) VALUES (2, ?)", [undone])
    conn.commit()
    conn.close()
    result = office("check", "--format", "json")
    assert result.exit_code == 1
    found = [(p["code"], p["message"]) for p in json.loads(result.stdout) if p["code"] == "voided_mismatch"]
    assert found == [("voided_mismatch", "记录（编号 2）标为已撤回，但留痕中没有撤回它的记录"),
                     ("voided_mismatch", f"记录（编号 {voided}）已由撤回记录（编号 {undone}）撤回，但未标为已撤回")]


def test_the_chain_holds_every_event_voided_or_not(office):
    ok(office("close", "1", "--result", "已完工"))
    ok(office("undo"))
    conn = sqlite3.connect(db())
    logged = conn.execute("SELECT count(*) FROM event_log").fetchone()[0]
    live = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    assert conn.execute("SELECT count FROM event_chain").fetchone() == (logged,)
    assert logged - live == 2  # the two closes, kept in the log
    conn.execute("UPDATE event_log SET detail = '改动' WHERE id = (SELECT max(event_id) FROM voided_events)")
    conn.commit()
    conn.close()
    result = office("check", "--format", "json")
    assert result.exit_code == 1
    assert "event_chain_broken" in {p["code"] for p in json.loads(result.stdout)}


def test_undo_in_the_library_and_rollup_of_an_undone_ledger(office, duban, tmp_path):
    ok(office("feedback", "1", "--unit", "交通局", "已全部完工"))
    led = Ledger.open(db(), today=dt.date(2026, 11, 16))
    from duban import undo

    assert undo.undo(led).name == "feedback"
    led.db.close()
    copy = tmp_path / "县.db"
    shutil.copy(db(), copy)
    rolled = json.loads(ok(duban("rollup", str(copy), "stats", "--format", "json")))
    mine = json.loads(ok(duban("report", "stats", "--format", "json")))
    assert [(g["total"], g["closed"], g["overdue"]) for g in rolled if g["group"] == "全部"] == \
        [(g["total"], g["closed"], g["overdue"]) for g in mine if g["group"] == "全部"]


def test_collected_forms_and_a_granted_extension_are_taken_back_one_by_one(units, tmp_path):
    from test_forms import fill, sent

    ok(units("create", "资金拨付", "--source", "领导批示", "--lead", "财政局", "--due", "2026-11-30"))
    forms = sent(units, tmp_path / "out")
    fill(forms["市财政局"], {1: {"本期进展": "资金已落实", "完成百分比": 50,
                                "申请延期至": dt.date(2026, 12, 21), "延期理由": "等待预算批复"}})
    before = readings(units, today="2026-11-18")
    ok(units("collect", str(forms["市财政局"]), today="2026-11-18"))
    ok(units("extend", "1", "--grant", today="2026-11-18"))
    assert json.loads(ok(units("requests", "--format", "json", today="2026-11-18"))) == []
    assert ok(units("undo", today="2026-11-18")).startswith("已撤回：duban extend（2026-11-18 记）：事项 #1，1 条记录\n")
    assert json.loads(ok(units("requests", "--format", "json", today="2026-11-18"))) == [
        {"id": 1, "unit": "市财政局", "to": "2026-12-21", "reason": "等待预算批复", "requested_on": "2026-11-18"}]
    assert ok(units("undo", today="2026-11-18")).startswith("已撤回：duban collect（2026-11-18 记）：事项 #1，3 条记录\n")
    assert readings(units, today="2026-11-18") == before
    # the form can be collected again: its rows are no longer on the (live) record
    again = ok(units("collect", str(forms["市财政局"]), today="2026-11-18"))
    assert "市财政局（市财政局-反馈表-2026-11-16.xlsx）：#1 进展反馈、申请延期\n" in again
    assert units("check", today="2026-11-18").exit_code == 0


def test_a_re_import_taken_back_leaves_the_progress_to_import_again(units, tmp_path):
    from openpyxl import load_workbook

    sheet = tmp_path / "台账.xlsx"
    shutil.copy(Path(__file__).parents[1] / "examples" / "待导入台账.xlsx", sheet)
    ok(units("import", str(sheet), "--sheet", "民生实事", "--create-units", today="2026-11-16"))
    wb = load_workbook(sheet)
    wb["民生实事"]["G3"] = "已新增1800个"
    wb.save(sheet)
    first = ok(units("import", str(sheet), "--sheet", "民生实事", today="2026-11-17"))
    assert ok(units("undo", today="2026-11-17")).startswith("已撤回：duban import（2026-11-17 记）：事项 #1，1 条记录\n")
    conn = sqlite3.connect(db())
    assert conn.execute("SELECT progress, updated_on FROM import_keys WHERE item_id = 1").fetchone() == \
        ("已新增1450个", "2026-11-16")
    conn.close()
    assert ok(units("import", str(sheet), "--sheet", "民生实事", today="2026-11-17")) == first
    feedback = [e for e in json.loads(ok(units("log", "1", "--format", "json", today="2026-11-17")))
                if e["kind"] == "feedback"]
    assert [(e["data"]["text"], e["voided"]) for e in feedback] == [("已新增1800个", True), ("已新增1800个", False)]


def test_rollup_reads_ledgers_from_before_and_after_m016_alike(office, duban, tmp_path):
    ok(office("feedback", "1", "--unit", "交通局", "已全部完工"))
    ok(office("undo"))
    old = tmp_path / "旧版.db"
    shutil.copy(db(), old)
    conn = sqlite3.connect(old)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm016_undo'")  # as before m016: the log is `events`
    conn.execute("DROP VIEW events")
    conn.execute("DROP TABLE voided_events")
    conn.execute("DROP TABLE commands")
    conn.execute("DELETE FROM event_log WHERE kind = 'undone' OR id IN (SELECT max(id) FROM event_log WHERE kind = 'feedback')")
    conn.execute("ALTER TABLE event_log RENAME TO events")
    conn.commit()
    conn.close()
    new = tmp_path / "新版.db"
    shutil.copy(db(), new)
    for report in ("stats", "ranking", "overdue"):
        before = json.loads(ok(duban("rollup", str(old), report, "--format", "json")))
        after = json.loads(ok(duban("rollup", str(new), report, "--format", "json")))
        assert before == after


def test_only_the_log_keepers_read_event_log_every_other_reader_reads_the_live_events():
    # the view `events` leaves voided events out; a module reading `event_log` would count them
    duban = Path(__file__).parents[1] / "duban"
    readers = sorted(p.name for p in duban.rglob("*.py") if "event_log" in p.read_text(encoding="utf-8"))
    assert readers == ["check.py", "check_log.py", "ledger.py", "ledger_daily.py", "migrations.py", "undo.py"]


def test_an_undo_that_fails_midway_writes_nothing(office, monkeypatch):
    from duban import undo

    ok(office("rules", "set", "office_name", "某某市委督查室"))
    before = ledger_bytes()
    led = Ledger.open(db(), today=dt.date(2026, 11, 16))

    def broken(led, cmd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(undo, "_restore_settings", broken)
    with pytest.raises(OSError):
        undo.undo(led)
    assert led.db.execute("PRAGMA foreign_keys").fetchone() == (1,)
    led.db.close()
    assert ledger_bytes() == before


def test_a_read_only_ledger_shows_what_undo_would_do_and_refuses_to_write(office, monkeypatch):
    ok(office("feedback", "1", "--unit", "交通局", "已全部完工"))
    ok(office("list"))  # settle the WAL
    before = ledger_bytes()
    from test_safety import read_only

    read_only(monkeypatch)
    assert ok(office("undo", "--dry-run")).startswith("将撤回：duban feedback（2026-11-16 记）：事项 #1，1 条记录\n")
    refused(office("undo"), "台账文件或其所在目录是只读的，不能写入（本次未写入任何内容）；查询类命令仍可使用")
    assert ledger_bytes() == before
