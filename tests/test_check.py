"""`duban check` and `duban backup` (issue #7): each finding a user would act on, by its stable
code, severity, item and unit; exit 0 when clean (warnings alone included), 1 on any error;
damaged files reported in Chinese, never a traceback; backups that open and pass the check.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from duban import clock

TODAY = "2026-11-16"


# -- helpers ------------------------------------------------------------------------------


def db_path() -> Path:
    return Path(os.environ["DUBAN_DB"])


def sql(statement: str, params=(), path: Path | None = None) -> None:
    """Tamper with the file behind duban's back (foreign keys off, as any sqlite3 shell)."""
    conn = sqlite3.connect(path or db_path())
    try:
        conn.execute(statement, params)
        conn.commit()
    finally:
        conn.close()


def settle(path: Path | None = None) -> Path:
    """Move everything from the -wal file into the ledger file itself (as when the last user closes it)."""
    path = path or db_path()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    finally:
        conn.close()
    return path


def findings(duban, *args: str) -> tuple[int, list[dict]]:
    result = duban("check", "--format", "json", *args)
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def codes(found: list[dict]) -> set[str]:
    return {f["code"] for f in found}


@pytest.fixture
def work(units):
    """Three items: #1 closed (交通局 + co 财政局), #2 open with feedback (住建局), #3 pending."""
    d = units
    assert d("create", "修缮主干道", "--source", "批示", "--lead", "交通局", "--co", "财政局", "--within", "10").exit_code == 0
    assert d("create", "整治老旧小区", "--source", "会议", "--lead", "住建局", "--due", "2026-12-15").exit_code == 0
    assert d("create", "排查学校周边隐患", "--source", "文件").exit_code == 0
    assert d("feedback", "2", "--unit", "住建局", "已完成摸排", "--percent", "30", today="2026-11-18").exit_code == 0
    assert d("close", "1", "--result", "已完成修缮并通过验收", today="2026-11-20").exit_code == 0
    return d


# -- a clean ledger --------------------------------------------------------------------------


def test_clean_ledger_passes_with_exit_0_and_says_so(work):
    result = work("check")
    assert result.exit_code == 0, result.output
    assert "未发现问题" in result.stdout
    assert "按记录重放核对 3 项" in result.stdout
    assert "事项 3 项" in result.stdout
    assert findings(work) == (0, [])
    assert findings(work, "--quick") == (0, [])


def _content(path) -> str:
    """The ledger's content as SQL (a WAL checkpoint may move pages between files without changing it)."""
    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


def test_check_does_not_change_the_ledger(work):
    before = _content(db_path())
    assert work("check").exit_code == 0
    assert work("check", "--quick").exit_code == 0
    assert _content(db_path()) == before


def test_missing_ledger_is_one_chinese_error(duban, tmp_path):
    result = duban("--db", str(tmp_path / "none.db"), "check")
    assert result.exit_code == 1
    assert result.stderr.startswith("错误：台账文件不存在")
    assert not (tmp_path / "none.db").exists()


# -- domain findings ----------------------------------------------------------------------------


def test_projection_differing_from_the_event_log_is_an_error_naming_item_unit_and_field(work):
    sql("UPDATE assignments SET due = '2026-12-31' WHERE item_id = 2")
    code, found = findings(work)
    assert code == 1
    assert found == [{
        "code": "projection_mismatch", "severity": "error", "item_id": 2, "unit": "市住房和城乡建设局",
        "message": "事项 #2 保存的状态与记录不一致：“市住房和城乡建设局”的办理时限保存为 2026-12-31，按记录应为 2026-12-15",
    }]


def test_stored_status_differing_from_the_log(work):
    sql("UPDATE items SET status = 'open' WHERE id = 1")
    code, found = findings(work)
    assert code == 1
    assert [(f["code"], f["item_id"]) for f in found] == [("projection_mismatch", 1)]
    assert "状态保存为 办理中（open），按记录应为 已销号（closed）" in found[0]["message"]


def test_quick_skips_the_replay_but_still_catches_a_status_that_contradicts_the_assignments(work):
    sql("UPDATE assignments SET last_feedback = NULL WHERE item_id = 2")  # only a replay can see this
    assert findings(work, "--quick") == (0, [])
    code, found = findings(work)
    assert code == 1 and codes(found) == {"projection_mismatch"}

    sql("UPDATE items SET status = 'open' WHERE id = 1")
    code, found = findings(work, "--quick")
    assert code == 1
    assert [(f["code"], f["item_id"]) for f in found] == [("projection_mismatch", 1)]
    assert "按各单位的交办状态应为“已销号（closed）”" in found[0]["message"]


def test_sample_replays_only_that_many_items(work):
    sql("UPDATE assignments SET last_feedback = NULL WHERE item_id = 2")
    result = work("check", "--sample", "3")
    assert result.exit_code == 1
    assert "按记录重放核对 3 项" in result.stdout
    assert work("check", "--sample", "0").exit_code == 2


def test_assignment_whose_unit_is_gone(work):
    sql("UPDATE assignments SET unit_id = 99 WHERE item_id = 2")
    code, found = findings(work, "--quick")
    assert code == 1
    assert {"code": "assignment_without_unit", "severity": "error", "item_id": 2, "unit": None,
            "message": "事项 #2 的交办记录指向不存在的单位（编号 99）"} in found


def test_item_without_events_and_item_whose_log_does_not_start_with_created(work):
    sql("DELETE FROM event_log WHERE item_id = 3")
    sql("DELETE FROM event_log WHERE item_id = 2 AND kind = 'created'")
    code, found = findings(work, "--quick")
    assert code == 1
    assert [(f["code"], f["item_id"]) for f in found] == [("item_not_created_first", 2), ("item_without_events", 3),
                                                          ("event_chain_broken", 2), ("event_chain_head", None)]
    assert found[0]["message"] == "事项 #2 的第一条记录是“assigned”而不是立项或导入"


def test_events_out_of_order(work):
    sql("UPDATE event_log SET at = '2026-11-10' WHERE item_id = 2 AND kind = 'feedback'")
    code, found = findings(work, "--quick")
    assert code == 1
    f, link = found
    assert link["code"] == "event_chain_broken"  # the date was rewritten behind duban's back
    assert (f["code"], f["severity"], f["item_id"]) == ("events_out_of_order", "error", 2)
    assert f["message"] == "事项 #2 有日期为 2026-11-10 的记录记在了 2026-11-16 的记录之后"


def test_closed_assignment_without_result(work):
    sql("UPDATE assignments SET result = '  ' WHERE item_id = 1 AND unit_id = 2")
    code, found = findings(work, "--quick")
    assert code == 1
    assert found == [{"code": "closed_without_result", "severity": "error", "item_id": 1, "unit": "市财政局",
                      "message": "事项 #1 在“市财政局”处已销号，但没有填写办结情况"}]


def test_unknown_codes_and_broken_event_data(work):
    sql("UPDATE items SET source = 'rumour' WHERE id = 3")
    sql("UPDATE event_log SET data = '{broken' WHERE item_id = 2 AND kind = 'feedback'")
    code, found = findings(work, "--quick")
    assert code == 1
    assert [(f["code"], f["item_id"]) for f in found] == [("bad_code", 3), ("bad_event", 2), ("event_chain_broken", 2)]
    assert found[0]["message"] == "事项 #3 的立项依据“rumour”无法识别"
    code, found = findings(work)  # the full check also says the log cannot be replayed
    assert ("replay_failed", 2) in [(f["code"], f["item_id"]) for f in found]


def test_a_log_the_state_machine_rejects_is_reported_not_raised(work):
    sql("""UPDATE event_log SET data = '{"text": "", "percent": 30}' WHERE item_id = 2 AND kind = 'feedback'""")
    code, found = findings(work)
    assert code == 1
    assert found[1:] == [{"code": "replay_failed", "severity": "error", "item_id": 2, "unit": None,
                          "message": "事项 #2 的记录无法重放：反馈内容不能为空"}]
    assert found[0]["code"] == "event_chain_broken"  # the data was rewritten behind duban's back


def test_deadline_on_a_holiday_is_a_warning_and_exit_stays_0(units):
    # 2027 is not in the holiday data: enter its New Year, then put a deadline on it
    assert units("calendar", "add-holiday", "2027-01-01", "--note", "元旦").exit_code == 0
    assert units("create", "年底前完成", "--source", "批示", "--lead", "交通局", "--due", "2026-11-21").exit_code == 0
    code, found = findings(units)
    assert code == 0
    assert found == [{"code": "due_not_workday", "severity": "warning", "item_id": 1, "unit": "市交通运输局",
                      "message": "事项 #1 在“市交通运输局”处的办理时限 2026-11-21 是周末，不是工作日"}]
    result = units("check")
    assert result.exit_code == 0
    assert "警告" in result.stdout and "due_not_workday" in result.stdout
    assert "错误 0 项，警告 1 项" in result.stdout


def test_deadline_in_a_year_without_holiday_data_and_estimated_deadline_to_recheck(units):
    assert units("create", "跨年任务", "--source", "批示", "--lead", "交通局", "--due", "2027-03-01").exit_code == 0
    assert units("create", "估算时限", "--source", "批示", "--lead", "财政局", "--within", "40").exit_code == 0
    code, found = findings(units)
    assert code == 0
    assert [(f["code"], f["item_id"], f["unit"]) for f in found] == [
        ("due_year_uncovered", 1, "市交通运输局"), ("due_year_uncovered", 2, "市财政局")]
    assert "2027 年，日历尚未收录该年节假日安排" in found[0]["message"]
    # once the clerk enters 2027, the first is fine and the estimated one was recomputed (issue 13)
    assert units("calendar", "add-holiday", "2027-01-01", "--note", "元旦").exit_code == 0
    code, found = findings(units)
    assert (code, found) == (0, [])
    # an estimated deadline whose N is unknown (a ledger from before m011) still asks to be rechecked
    sql("UPDATE assignments SET within = NULL WHERE item_id = 2")
    code, found = findings(units, "--quick")
    assert [(f["code"], f["item_id"]) for f in found] == [("due_estimated", 2)]


def test_closed_items_deadlines_are_not_checked(work):
    sql("UPDATE assignments SET due = '2026-11-22', original_due = '2026-11-22' WHERE item_id = 1")  # a Sunday
    sql("UPDATE items SET due = '2026-11-22' WHERE id = 1")
    code, found = findings(work, "--quick")
    assert (code, found) == (0, [])


def test_year_end_issue_numbered_in_the_next_year_is_no_duplicate(duban, tmp_path):
    """2026-W49 is 2026年第1期; 2026-W53, issued on 2027-01-01, is 2027年第1期: two years, no clash."""
    assert duban("init").exit_code == 0
    assert duban("unit", "add", "甲局").exit_code == 0
    assert duban("create", "事项", "--source", "其他", "--lead", "甲局", "--within", "5", today="2026-12-01").exit_code == 0
    assert duban("report", "weekly", "--out", str(tmp_path), today="2026-12-04").exit_code == 0
    assert duban("report", "weekly", "--out", str(tmp_path), today="2027-01-01").exit_code == 0
    conn = sqlite3.connect(db_path())
    try:
        issued = conn.execute("SELECT r.period, r.issue_no, i.year FROM reports r JOIN report_issues i"
                              " USING (kind, period) ORDER BY r.period").fetchall()
    finally:
        conn.close()
    assert issued == [("2026-W49", 1, 2026), ("2026-W53", 1, 2027)]
    result = duban("check", "--format", "json", today="2027-01-01")
    assert "duplicate_issue_no" not in codes(json.loads(result.stdout))
    assert result.exit_code == 0, result.output


def test_table_and_csv_output(work):
    sql("UPDATE assignments SET result = NULL WHERE item_id = 1")
    result = work("check", "--quick")
    assert result.exit_code == 1
    assert "closed_without_result" in result.stdout and "错误" in result.stdout
    assert "错误 2 项，警告 0 项" in result.stdout
    result = work("check", "--quick", "--format", "csv")
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["code"], r["severity"], r["item_id"], r["unit"]) for r in rows] == [
        ("closed_without_result", "error", "1", "市交通运输局"), ("closed_without_result", "error", "1", "市财政局")]
    assert "错误 2 项" in result.stderr  # the summary stays off stdout for machines


def test_table_shows_at_most_20_of_one_kind_and_says_how_many_more(units):
    for n in range(23):
        assert units("create", f"事项{n}", "--source", "批示", "--lead", "交通局", "--due", "2026-11-21").exit_code == 0
    result = units("check", "--quick")
    assert result.exit_code == 0
    assert "另有 3 条同类问题" in result.stdout
    assert len(findings(units, "--quick")[1]) == 23  # json lists every one


# -- damaged files ------------------------------------------------------------------------------


def _assert_reported(result, code_: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    found = json.loads(result.stdout)
    assert [f["code"] for f in found] == [code_]
    assert found[0]["severity"] == "error"
    assert re.search(r"[\u4e00-\u9fff]", found[0]["message"])


def test_truncated_ledger_is_reported_in_chinese(work):
    path = settle()
    size = path.stat().st_size
    assert size > 8192
    with open(path, "r+b") as fh:
        fh.truncate(size // 2)
    result = work("check", "--format", "json")
    _assert_reported(result, json.loads(result.stdout)[0]["code"])
    assert json.loads(result.stdout)[0]["code"] in ("unreadable", "integrity")
    text = work("check")
    assert text.exit_code == 1 and "Traceback" not in text.output
    assert "损坏" in text.stdout


def test_pages_overwritten_with_garbage_are_reported(work):
    path = settle()
    page = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    with open(path, "r+b") as fh:
        fh.seek(page * 2)
        fh.write(bytes(range(256)) * (page * 3 // 256))
    result = work("check", "--format", "json")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert [f["code"] for f in json.loads(result.stdout)] == ["integrity"]
    assert work("check", "--quick").exit_code == 1


def test_a_file_that_is_not_sqlite(duban, tmp_path):
    junk = tmp_path / "notes.db"
    junk.write_bytes(("这不是数据库" * 2000).encode())
    _assert_reported(duban("--db", str(junk), "check", "--format", "json"), "unreadable")
    result = duban("--db", str(junk), "check")
    assert "文件不是有效的 SQLite 数据库或已损坏" in result.stdout
    assert "未做其他检查" in result.stdout


def test_an_sqlite_file_that_is_not_a_ledger(duban, tmp_path):
    other = tmp_path / "other.db"
    sql("CREATE TABLE t (x)", path=other)
    _assert_reported(duban("--db", str(other), "check", "--format", "json"), "not_a_ledger")


# -- backup -------------------------------------------------------------------------------------


def _items(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM items").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def fixed_time(monkeypatch):
    """The wall clock at 14:30:05 UTC, seen from Beijing (22:30:05)."""
    monkeypatch.setattr(clock, "now_utc", lambda: "2026-11-16T14:30:05+00:00")
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_backup_default_name_beside_the_ledger(work, fixed_time):
    result = work("backup")
    assert result.exit_code == 0, result.output
    copy = db_path().parent / "test-20261116-223005.db"
    assert result.stdout.strip() == f"已备份到 {copy}（事项 3 项，记录 12 条，已通过完整性检查）"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert _items(copy) == 3
    # a second backup within the same second does not overwrite the first
    assert work("backup").exit_code == 0
    assert (db_path().parent / "test-20261116-223005-2.db").exists()


def test_backup_into_a_directory_and_to_a_file_then_use_the_copy(work, fixed_time, tmp_path):
    folder = tmp_path / "备份"
    folder.mkdir()
    assert work("backup", str(folder)).exit_code == 0
    assert [p.name for p in folder.iterdir()] == ["test-20261116-223005.db"]
    target = tmp_path / "月底.db"
    result = work("backup", str(target))
    assert result.exit_code == 0 and str(target) in result.stdout
    # one self-contained file: no -wal beside it, usable as a ledger at once
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    assert work("--db", str(target), "check").exit_code == 0
    listed = work("--db", str(target), "list", "--all", "--format", "json")
    assert [r["id"] for r in json.loads(listed.stdout)] == [1, 2, 3]


def test_backup_over_an_existing_file_replaces_it_whole(work, tmp_path):
    target = tmp_path / "最新.db"
    assert work("backup", str(target)).exit_code == 0
    assert work("create", "新事项", "--source", "其他").exit_code == 0
    result = work("backup", str(target))
    assert result.exit_code == 0
    assert "事项 4 项" in result.stdout
    assert _items(target) == 4
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp file left


def _beside_ledger() -> list[str]:
    """Files beside the ledger, but its -wal/-shm (SQLite removes them when the last connection closes)."""
    return sorted(p.name for p in db_path().parent.iterdir() if not p.name.endswith(("-wal", "-shm")))


def test_backup_refuses_the_ledger_itself_and_a_missing_directory(work, tmp_path):
    before = _beside_ledger()
    result = work("backup", str(db_path()))
    assert result.exit_code == 1 and result.stderr.startswith("错误：备份文件不能是台账本身")
    result = work("backup", str(tmp_path / "nope" / "x.db"))
    assert result.exit_code == 1 and result.stderr.startswith("错误：目录不存在")
    result = work("backup", str(tmp_path / "nope") + "/")  # meant a folder that is not there
    assert result.exit_code == 1 and result.stderr.startswith("错误：目录不存在")
    assert not (tmp_path / "nope").exists()
    assert _beside_ledger() == before


def test_backup_of_a_damaged_file_writes_nothing(duban, tmp_path):
    junk = tmp_path / "台账.db"
    junk.write_bytes(b"\x00garbage" * 1000)
    result = duban("--db", str(junk), "backup", str(tmp_path / "copy.db"))
    assert result.exit_code == 1
    assert result.stderr.startswith("错误：无法读取台账")
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台账.db"]


def test_a_schedule_row_edited_by_hand_is_an_error_and_the_next_command_builds_it_again(work):
    """The views and `list` read today's light from the schedules (issue #16): a row that says other
    than the rules is named, and the next command lights the item by the rules again."""
    LATER = "2026-11-23"  # (schedules serve the days from their last write, 2026-11-20, on)
    before = json.loads(work("list", "--format", "json", today=LATER).stdout)
    assert [(r["id"], r["light"]) for r in before] == [(2, "green"), (3, None)]
    sql("UPDATE schedules SET light = 'red', reason = '已逾期9个工作日' WHERE item_id = 2 AND unit_id IS NULL")
    assert json.loads(work("list", "--format", "json", "--light", "红灯", today=LATER).stdout)[0]["id"] == 2  # read as stored
    result = work("check", "--format", "json", today=LATER)
    code, found = result.exit_code, json.loads(result.stdout)
    assert code == 1
    assert [(f["code"], f["severity"], f["item_id"]) for f in found] == [("schedule_mismatch", "error", 2)]
    assert found[0]["message"] == (f"事项 #2 存的亮灯日程今天是红灯（已逾期9个工作日），按规则现算是绿灯（{before[0]['light_reason']}）；"
                                   "已记下，下一条 duban 命令会按规则重建")
    assert json.loads(work("list", "--format", "json", today=LATER).stdout) == before
    assert work("check", today=LATER).exit_code == 0
