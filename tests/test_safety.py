"""可靠与安全 (issue #14): the files around the ledger as safe as the ledger, and a log nobody can
quietly rewrite. One section per numbered point of the issue; the fuzz and kill -9 tests are in
tests/test_fuzz.py and tests/test_crash.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from duban import files
from duban.ledger import APPLICATION_ID, SCHEMA, Ledger
from duban.safe_text import csv_cell, md_text, xml_text

# -- helpers ------------------------------------------------------------------------------------------


def db() -> Path:
    return Path(os.environ["DUBAN_DB"])


def sql(statement: str, params=()) -> None:
    conn = sqlite3.connect(db())
    conn.execute(statement, params)
    conn.commit()
    conn.close()


def error_line(result, code: int) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output and "内部错误" not in result.output
    lines = result.stderr.strip().splitlines()
    assert lines and lines[0].startswith("错误："), result.stderr
    return lines[0]


def logical(path: Path) -> dict:
    """Every row of every table: what a user would call the ledger's content."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: conn.execute(f"SELECT * FROM [{t}] ORDER BY rowid").fetchall() for t in tables}
    finally:
        conn.close()


def findings(duban, *args) -> tuple[int, list[dict]]:
    result = duban("check", "--format", "json", *args)
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def late(units):
    """Two items past their deadline on 2026-11-16 (created 2026-11-02)."""
    for title in ("修复东街路灯", "清理河道垃圾"):
        r = units("create", title, "--source", "领导批示", "--lead", "交通局", "--due", "2026-11-10", today="2026-11-02")
        assert r.exit_code == 0, r.output
    return units


# -- 1. only a regular file is ever replaced --------------------------------------------------------------


@pytest.mark.parametrize("argv", [["overdue", "--out", "{target}"], ["export", "{target}"], ["backup", "{target}"]],
                         ids=lambda a: a[0])
@pytest.mark.parametrize("kind", ["fifo", "symlink-to-fifo"])
def test_a_fifo_or_a_link_to_one_is_never_replaced(late, tmp_path, argv, kind):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    target = fifo if kind == "fifo" else tmp_path / "link.xlsx"
    if kind != "fifo":
        target.symlink_to(fifo)
    line = error_line(late(*[a.format(target=target) for a in argv]), 1)
    assert line.endswith(f"{target} 不是普通文件（设备、管道或套接字），拒绝覆盖" + ("（未写入任何文件）" if argv[0] == "export" else ""))
    assert stat.S_ISFIFO(os.stat(target).st_mode)
    assert target.is_symlink() == (kind != "fifo")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp file left


def test_a_device_node_is_refused(late, tmp_path):
    device = tmp_path / "null"
    try:  # a character device of our own (1, 3 is /dev/null's), rather than the machine's /dev/null
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError):
        pytest.skip("making a device node needs privileges")
    for argv in (["overdue", "--out", str(device)], ["backup", str(device)]):
        line = error_line(late(*argv), 1)
        assert line == f"错误：{device} 不是普通文件（设备、管道或套接字），拒绝覆盖"
    assert stat.S_ISCHR(os.stat(device).st_mode)


def test_a_symlink_to_a_regular_file_is_written_through(late, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    assert late("overdue", "--out", str(link)).exit_code == 0
    assert link.is_symlink() and "修复东街路灯" in real.read_text()


def test_a_trailing_slash_is_not_a_file_name(late, tmp_path):
    line = error_line(late("overdue", "--out", f"{tmp_path}/x.csv/"), 1)
    assert line == f"错误：输出文件名不能以“/”结尾：{tmp_path}/x.csv/（应给出文件名，而不是目录）"
    assert error_line(late("export", f"{tmp_path}/x.xlsx/"), 2).startswith("错误：导出文件须以 .xlsx 结尾")
    assert list(tmp_path.glob("x.*")) == []


# -- 2. control characters reach Word and Excel cleaned ---------------------------------------------------


def test_a_control_character_in_a_title_reaches_word_and_excel_cleaned(units, tmp_path):
    title = "修复东街\x0b路灯\x01"
    assert units("create", title, "--source", "领导批示", "--lead", "交通局", "--due", "2026-11-10",
                 today="2026-11-02").exit_code == 0
    result = units("remind", "--out", str(tmp_path / "通知"), today="2026-11-18")
    assert result.exit_code == 0, result.output
    [docx] = (tmp_path / "通知").glob("*.docx")
    body = zipfile.ZipFile(docx).read("word/document.xml").decode()
    assert "修复东街路灯" in body and "\x0b" not in body
    result = units("report", "weekly", "--out", str(tmp_path / "专报"), today="2026-11-18")
    assert result.exit_code == 0, result.output
    xlsx = next((tmp_path / "专报").glob("*.xlsx"))
    from openpyxl import load_workbook

    cells = [c for ws in load_workbook(xlsx).worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert "修复东街路灯" in cells
    assert units("export", str(tmp_path / "台账.xlsx"), today="2026-11-18").exit_code == 0


def test_xml_text_drops_exactly_what_xml_cannot_hold():
    assert xml_text("a\x00b\x08c\x0bd\x0ce\x1ff\ufffeg\uffffh\udcff") == "abcdefgh"
    assert xml_text("保留\t换行\n回车\r") == "保留\t换行\n回车\r"


# -- 3. file names are bounded ---------------------------------------------------------------------------


def test_a_very_long_unit_name_gives_a_bounded_stable_notice_name(duban, tmp_path):
    long_name = "市" + "城乡建设与综合执法协调" * 9 + "局"  # ~100 Chinese characters
    assert duban("init").exit_code == 0
    assert duban("unit", "add", long_name).exit_code == 0
    assert duban("create", "长名称单位的事项", "--source", "领导批示", "--lead", long_name, "--due", "2026-11-10",
                 today="2026-11-02").exit_code == 0
    result = duban("remind", "--out", str(tmp_path / "通知"), today="2026-11-18")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "通知").iterdir())
    assert len(names) == 2 and all(len(n.encode()) <= 255 for n in names)
    short = files.bounded_name(long_name, 90, keep_ext=False)  # the same name each time
    stem = f"20261118-{short}-催办通知（督办〔2026〕1号）"  # a first chase is a 催办 (one step at a time)
    assert names == [f"{stem}.docx", f"{stem}.txt"]
    assert short.startswith("市城乡建设与综合执法协调") and len(short.encode()) <= 90


def test_bounded_name():
    assert files.bounded_name("短名称.docx") == "短名称.docx"
    long = "很长" * 100 + ".docx"
    short = files.bounded_name(long)
    assert len(short.encode()) <= files.MAX_NAME_BYTES and short.endswith(".docx")
    assert short == files.bounded_name(long) != files.bounded_name("很长" * 99 + "短.docx")


# -- 4. CSV cells that a spreadsheet would run are neutralised; Markdown escaped --------------------------


def test_csv_formula_cells_are_neutralised_everywhere(units):
    for title in ('=HYPERLINK("http://evil.example","点我")', "+86-771-5550101", "@SUM(A1)", "-1", "\t=1+1"):
        assert units("create", "--source", "领导批示", "--", title).exit_code == 0
    assert units("unit", "add", "市审计局", "--phone", "+86-771-5550199", "--contact", "=cmd|' /C calc'!A0"
                 ).exit_code == 0
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(units("list", "--format", "csv").stdout)))
    assert [r["title"] for r in rows] == ["'=HYPERLINK(\"http://evil.example\",\"点我\")", "'+86-771-5550101",
                                          "'@SUM(A1)", "-1", "'=1+1"]
    unit = [r for r in csv.DictReader(io.StringIO(units("unit", "list", "--format", "csv").stdout))][-1]
    assert (unit["phone"], unit["contact"]) == ("'+86-771-5550199", "'=cmd|' /C calc'!A0")
    assert units("rules", "set", "office_name", "=1+2").exit_code == 0
    shown = units("rules", "show", "--format", "csv").stdout
    assert ",'=1+2," in shown and ",=1+2," not in shown
    assert csv_cell("-1") == "-1" and csv_cell("+3.5") == "+3.5" and csv_cell("-") == "'-"
    assert csv_cell("\r1") == "'\r1" and csv_cell("普通文字") == "普通文字"


def test_markdown_output_is_escaped(units, tmp_path):
    assert units("create", "<script>alert(1)</script>|*加粗*", "--source", "领导批示", "--lead", "交通局",
                 "--due", "2026-11-10", today="2026-11-02").exit_code == 0
    text = units("overdue", "--format", "md").stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\|\\*加粗\\*" in text
    assert "<script>" not in text
    assert md_text("[链接](javascript:x)") == "\\[链接\\](javascript:x)"


# -- 5. created 0600, folders 0700, whatever the umask -----------------------------------------------------


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o077])
def test_everything_written_is_owner_only_whatever_the_umask(late, tmp_path, mask):
    old = os.umask(mask)
    try:
        out = tmp_path / "出" / "深"
        assert late("overdue", "--out", str(tmp_path / "逾期.csv")).exit_code == 0
        assert late("export", str(tmp_path / "台账.xlsx")).exit_code == 0
        assert late("backup", str(tmp_path / "备份.db")).exit_code == 0
        assert late("remind", "--out", str(out / "通知"), today="2026-11-18").exit_code == 0
        assert late("report", "weekly", "--out", str(tmp_path / "专报"), today="2026-11-18").exit_code == 0
    finally:
        os.umask(old)
    made = [p for p in tmp_path.rglob("*") if p.name != "test.db" and not p.name.startswith("test.db-")]
    assert len(made) >= 10
    for path in made:
        want = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == want, path


# -- 7. temp files of killed runs are cleaned by the next run --------------------------------------------


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temp_files_of_a_killed_run_are_removed_by_the_next_one(late, tmp_path):
    pid, host = dead_pid(), files._host()
    stale = [tmp_path / f".逾期.csv~{host}~{pid}~0badc0de.tmp", tmp_path / f".备份.db~{host}~{pid}~0123abcd.tmp",
             tmp_path / f".备份.db~{host}~{pid}~0123abcd.tmp-journal"]
    alive = tmp_path / f".other.csv~{host}~{os.getppid()}~feedbeef.tmp"  # a running process's: left alone
    elsewhere = tmp_path / f".other.csv~another-host~{pid}~feedbeef.tmp"  # another machine's, on a shared folder
    for path in [*stale, alive, elsewhere]:
        path.write_bytes(b"half")
    unrelated = tmp_path / ".keep~notes.tmp"
    unrelated.write_text("x")
    assert late("overdue", "--out", str(tmp_path / "逾期.csv")).exit_code == 0
    assert [p for p in stale if p.exists()] == []
    assert alive.exists() and elsewhere.exists() and unrelated.exists()


# -- 8. only duban ledgers are opened; nothing else is touched -------------------------------------------


def test_a_new_ledger_carries_the_application_id(duban):
    assert duban("init").exit_code == 0
    conn = sqlite3.connect(db())
    assert conn.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert db().read_bytes()[68:72] == b"dbn1"


@pytest.mark.parametrize("argv", [["init"], ["list"], ["sign", "1", "--unit", "交通局"], ["check"], ["backup"]],
                         ids=lambda a: a[0])
@pytest.mark.parametrize("kind", ["empty", "items-table", "other-app"])
def test_a_file_that_is_not_a_ledger_is_refused_byte_for_byte_unchanged(duban, tmp_path, argv, kind):
    path = tmp_path / "文件.db"
    if kind == "empty":
        path.write_bytes(b"")
    else:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, title TEXT)")
        conn.execute("INSERT INTO items (title) VALUES ('别人的表')")
        if kind == "other-app":
            conn.execute("PRAGMA application_id = 1234")
        conn.commit()
        conn.close()
    before = path.read_bytes()
    result = duban("--db", str(path), *argv)
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "内部错误" not in result.output
    assert "不是 duban 台账" in result.output
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["文件.db"]  # no -wal, no -shm, no backup


def test_a_ledger_from_a_newer_duban_is_refused_naming_the_version(duban):
    assert duban("init").exit_code == 0
    import gc

    gc.collect()  # close the in-process ledger of `init`, so that no late checkpoint rewrites the file
    sql("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('duban', 'm099_future', '2030')")
    before = db().read_bytes()
    line = error_line(duban("list"), 1)
    assert line == (f"错误：台账 {db()} 由更新版本的 duban 建立或升级（结构版本 m099_future，本程序只认识到 {SCHEMA}），"
                    "请升级 duban 后再用；文件未作任何改动")
    code, found = findings(duban)
    assert code == 1 and [f["code"] for f in found] == ["newer_schema"]
    assert db().read_bytes() == before


# -- 9. a bad stored setting or calendar row: reported, and repairable --------------------------------------


def test_a_bad_stored_setting_names_its_key_check_reports_it_and_rules_set_repairs_it(late):
    sql("INSERT INTO settings (key, value) VALUES ('near_due_workdays', 'abc')")
    result = late("list")
    assert result.exit_code == 0
    assert "警告：设置项 near_due_workdays 的保存值“abc”无效（应为整数，收到“abc”），本次按默认值 3 执行；" \
           "请用 duban rules set near_due_workdays 值 修复" in result.stderr
    code, found = findings(late, "--quick")
    assert code == 1
    assert [(f["code"], f["message"]) for f in found] == [
        ("bad_setting", "设置项 near_due_workdays 的保存值“abc”无效（应为整数，收到“abc”），各命令暂按默认值 3 执行；"
                        "请用 duban rules set near_due_workdays 值 修复")]
    result = late("rules", "set", "near_due_workdays", "4")
    assert result.exit_code == 0, result.output
    assert "警告" not in result.stderr
    assert findings(late, "--quick") == (0, [])


def test_a_bad_calendar_row_is_reported_ignored_and_removed_by_the_next_calendar_entry(late):
    sql("INSERT INTO calendar_days (day, workday, note) VALUES ('2026-13-45', 1, NULL), ('0001-01-01', 0, NULL)")
    result = late("list")
    assert result.exit_code == 0 and "修复东街路灯" in result.stdout
    assert "警告：日历表中“2026-13-45”（workday=1）无效，已忽略" in result.stderr
    code, found = findings(late, "--quick")
    assert code == 1 and [f["code"] for f in found] == ["bad_calendar_day", "bad_calendar_day"]
    assert late("calendar", "add-holiday", "2027-01-01").exit_code == 0
    assert findings(late, "--quick") == (0, [])
    log = late("log", "--format", "json")
    assert log.exit_code in (0, 2)  # (log needs an item id on some versions; the event is on the ledger)
    conn = sqlite3.connect(db())
    data = json.loads(conn.execute("SELECT data FROM events WHERE kind = 'calendar_changed'").fetchone()[0])
    assert sorted(data["removed_invalid"]) == ["0001-01-01", "2026-13-45"]


# -- 10. the tamper-evident log ------------------------------------------------------------------------


@pytest.fixture
def chained(late):
    assert late("feedback", "1", "--unit", "交通局", "已部署").exit_code == 0
    code, found = findings(late)
    assert (code, found) == (0, [])
    return late


def chain_codes(duban, *args) -> list[tuple]:
    code, found = findings(duban, *args)
    assert code == 1
    return [(f["code"], f["item_id"]) for f in found]


def test_check_prints_the_chain_head(chained):
    conn = sqlite3.connect(db())
    count, head = conn.execute("SELECT count, head FROM event_chain").fetchone()
    assert count == conn.execute("SELECT count(*) FROM events").fetchone()[0] == 8
    assert f"留痕链 8 条，链头 {head[:16]}）：未发现问题" in chained("check").stdout


def test_an_edited_title_is_found(chained):
    sql("UPDATE items SET title = '改过的名称' WHERE id = 2")
    found = findings(chained)[1]
    assert [(f["code"], f["item_id"]) for f in found] == [("projection_mismatch", 2)]
    assert "事项名称保存为 改过的名称，按记录应为 清理河道垃圾" in found[0]["message"]


@pytest.mark.parametrize("column, value", [("detail", "“市交通运输局”反馈进展：已全部完成"),
                                           ("logged_at", "2020-01-01T00:00:00+00:00"),
                                           ("data", '{"text": "已部署", "percent": 100}')])
@pytest.mark.parametrize("quick", [False, True], ids=["full", "quick"])
def test_a_rewritten_event_breaks_the_chain_at_that_event(chained, column, value, quick):
    event_id = sqlite3.connect(db()).execute("SELECT id FROM events WHERE kind = 'feedback'").fetchone()[0]
    sql(f"UPDATE event_log SET {column} = ? WHERE id = ?", [value, event_id])
    code, found = findings(chained, *(["--quick"] if quick else []))
    assert code == 1
    broken = [f for f in found if f["code"] == "event_chain_broken"]
    assert len(broken) == 1 and broken[0]["message"].startswith(f"留痕链在记录（编号 {event_id}）处断开")


def test_a_deleted_last_event_is_found_by_the_chain_head(chained):
    sql("DELETE FROM event_log WHERE id = (SELECT max(id) FROM event_log)")
    codes = chain_codes(chained, "--quick")
    assert codes == [("event_chain_head", None)]


def test_a_deleted_middle_event_is_found_at_the_next_one(chained):
    sql("DELETE FROM event_log WHERE id = 5")
    code, found = findings(chained, "--quick")
    assert code == 1 and found[0]["message"].startswith("留痕链在记录（编号 6）处断开")


def test_events_written_behind_duban_s_back_are_found(chained):
    sql("INSERT INTO event_log (item_id, unit_id, at, kind, detail, data, logged_at) VALUES"
        " (1, 1, '2026-11-16', 'feedback', '伪造的反馈', '{\"text\": \"x\", \"percent\": null}', '2026-11-16')")
    codes = chain_codes(chained, "--quick")
    assert ("event_chain_broken", 1) in codes and ("event_chain_head", None) in codes


def test_a_duplicate_issue_number_is_found(chained, tmp_path):
    assert chained("report", "weekly", "--week", "2026-W46", "--out", str(tmp_path)).exit_code == 0
    assert chained("report", "weekly", "--week", "2026-W47", "--out", str(tmp_path)).exit_code == 0
    sql("UPDATE reports SET issue_no = 1")
    found = findings(chained, "--quick")[1]
    assert [(f["code"], f["message"]) for f in found] == [
        ("duplicate_issue_no", "督查专报 2026年第1期 用于多个周期（2026-W46、2026-W47）：期号重复")]


def test_an_import_of_many_rows_is_chained_in_one_go(units, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "督办事项", "来源", "牵头单位", "完成时限"])
    for n in range(1, 201):
        ws.append([n, f"导入的事项{n}", "领导批示", "交通局", "2026年12月31日"])
    wb.save(tmp_path / "台账.xlsx")
    result = units("import", str(tmp_path / "台账.xlsx"))
    assert result.exit_code == 0, result.output
    assert units("create", "导入之后", "--source", "领导批示").exit_code == 0
    assert findings(units) == (0, [])
    conn = sqlite3.connect(db())
    assert conn.execute("SELECT count(*) FROM events WHERE hash IS NULL").fetchone() == (0,)
    assert conn.execute("SELECT count FROM event_chain").fetchone()[0] == conn.execute(
        "SELECT count(*) FROM events").fetchone()[0]


def test_an_old_ledger_gets_its_chain_on_upgrade(late):
    conn = sqlite3.connect(db())
    events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    # as a ledger from before m008: the chain's migration not applied (nor the newest, whose absence is
    # what makes a ledger be migrated at all; it is idempotent)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name IN ('m008_event_chain', ?)", [SCHEMA])
    conn.execute("DROP VIEW events")  # and from before m016_undo: the log in its own table
    conn.execute("ALTER TABLE event_log RENAME TO events")
    conn.execute("ALTER TABLE events DROP COLUMN hash")
    conn.execute("DROP TABLE event_chain")
    conn.execute("PRAGMA application_id = 0")
    conn.commit()
    conn.close()
    assert findings(late) == (0, [])
    conn = sqlite3.connect(db())
    assert conn.execute("SELECT count FROM event_chain").fetchone() == (events,)
    assert conn.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)


# -- 12. disk full and read-only: the real cause; reading works read-only ---------------------------------


def read_only(monkeypatch) -> None:
    """The ledger and its folder as a read-only mount would make them (os.access says no write)."""
    real_access = os.access

    def no_write(path, mode, *a, **k):
        if mode & os.W_OK and Path(path).absolute() in (db().absolute(), db().absolute().parent):
            return False
        return real_access(path, mode, *a, **k)

    monkeypatch.setattr(os, "access", no_write)


def test_a_read_only_ledger_can_be_read_and_a_write_says_read_only(late, monkeypatch):
    late("list")  # settle the WAL
    before = logical(db())
    read_only(monkeypatch)
    result = late("list", "--format", "json")
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 2
    assert late("show", "1").exit_code == 0
    assert late("overdue").exit_code == 0
    assert late("check").exit_code == 0
    line = error_line(late("feedback", "1", "--unit", "交通局", "已部署"), 1)
    assert line == "错误：台账文件或其所在目录是只读的，不能写入（本次未写入任何内容）；查询类命令仍可使用"
    assert logical(db()) == before


def test_a_full_disk_is_named(late, monkeypatch):
    def full(self, rows):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Ledger, "_append_events", full)
    line = error_line(late("feedback", "1", "--unit", "交通局", "已部署"), 1)
    assert line == "错误：磁盘已满，台账无法写入（本次未写入任何内容）；请清理磁盘空间后重试"


def test_a_full_disk_while_writing_a_file_is_named(late, tmp_path, monkeypatch):
    import errno

    def full(path, text, mode=0o600):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(files, "write_text", full)
    line = error_line(late("overdue", "--out", str(tmp_path / "x.csv")), 1)
    assert line == f"错误：磁盘已满，无法写入（{tmp_path / 'x.csv'}）；请清理磁盘空间后重试"


# -- 13. no internal errors: bad bytes, far dates -------------------------------------------------------


def test_invalid_utf8_in_an_argument_is_a_usage_error(units):
    line = error_line(units("create", "事项\udcff", "--source", "领导批示"), 2)
    assert line == "错误：参数“事项\ufffd”不是有效的 UTF-8 文本（请检查终端或脚本的编码）"


def test_invalid_utf8_from_a_real_shell(units, tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, "-m", "duban.cli", "create", b"\xff".decode("utf-8", "surrogateescape"),
                           "--source", "领导批示"], capture_output=True, env=env)
    assert proc.returncode == 2
    assert proc.stderr.decode().startswith("错误：参数“") and b"Traceback" not in proc.stderr


FAR = [
    ["--today", "9999-12-31", "list"],
    ["--today", "1999-12-31", "list"],
    ["show", "1", "--as-of", "9999-12-31"],
    ["create", "远期", "--source", "领导批示", "--lead", "交通局", "--due", "2100-01-01"],
    ["extend", "1", "--to", "9999-12-31", "--reason", "长期"],
    ["report", "weekly", "--week", "9999-W52"],
    ["report", "weekly", "--week", "0001-W01"],
    ["report", "stats", "--from", "0001-01-01"],
    ["report", "stats", "--to", "9999-12-31"],
    ["calendar", "add-holiday", "0001-01-01"],
    ["calendar", "add-workday", "2100-01-02"],
    ["calendar", "show", "9999"],
    ["list", "--due-before", "9999-12-31"],
    ["milestone", "add", "1", "9999-01-01", "节点"],
]


@pytest.mark.parametrize("argv", FAR, ids=lambda a: " ".join(a)[:40])
def test_a_date_outside_2000_to_2099_is_a_clear_chinese_error(late, argv):
    before = logical(db())
    result = late(*argv)
    line = error_line(result, result.exit_code)
    assert result.exit_code in (1, 2)
    assert "超出范围" in line or "年份" in line, line
    assert logical(db()) == before


def test_a_far_date_from_the_environment(late, monkeypatch):
    monkeypatch.setenv("DUBAN_TODAY", "9999-12-31")
    line = error_line(late("list"), 2)
    assert line == "错误：--today 的取值“9999-12-31”年份 9999 超出范围（2000–2099）"


def test_calendar_import_dates_are_bounded(late, tmp_path):
    source = tmp_path / "日历.txt"
    source.write_text("2027-01-01,休,元旦\n0001-01-01,休\n", encoding="utf-8")
    line = error_line(late("calendar", "import", str(source)), 1)
    assert line == "错误：日历.txt 第2行：日期 的取值“0001-01-01”年份 1 超出范围（2000–2099）"


# -- 14. an empty unit name is refused on every option that takes one -------------------------------------


EMPTY_UNIT = [
    ["create", "x", "--source", "领导批示", "--lead", ""],
    ["create", "x", "--source", "领导批示", "--lead", "交通局", "--co", " "],
    ["assign", "1", "--co", ""],
    ["sign", "1", "--unit", ""],
    ["feedback", "1", "x", "--unit", ""],
    ["extend", "1", "--to", "2026-12-31", "--reason", "x", "--unit", ""],
    ["close", "1", "--result", "x", "--unit", ""],
    ["escalate", "1", "--kind", "约谈", "--unit", ""],
    ["pause", "1", "--reason", "x", "--unit", ""],
    ["list", "--unit", ""],
    ["overdue", "--unit", ""],
    ["unit", "add", "市新局", "--parent", ""],
    ["unit", "add", "市新局", "--alias", " "],
]


@pytest.mark.parametrize("argv", EMPTY_UNIT, ids=lambda a: " ".join(a)[:40])
def test_an_empty_unit_name_is_refused(late, argv):
    before = logical(db())
    option = next(a for a, b in zip(argv, argv[1:]) if not b.strip())
    assert error_line(late(*argv), 2) == f"错误：{option} 的单位名称不能为空"
    assert logical(db()) == before


def test_a_really_read_only_ledger_in_a_read_only_folder(tmp_path):
    """Without pretending: the ledger and its folder are not writable by the user who runs duban
    (root ignores file modes, so as root duban runs without CAP_DAC_OVERRIDE, through setpriv)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="duban-ro-"))
    try:
        path = folder / "台账.db"
        led = Ledger.open(path, create=True, today=__import__("datetime").date(2026, 11, 16))
        led.add_unit("市交通运输局", aliases=["交通局"])
        led.create("修复东街路灯", __import__("duban.models", fromlist=["Source"]).Source.OTHER, lead="交通局",
                   within=5)
        led.db.close()
        assert sorted(p.name for p in folder.iterdir()) == ["台账.db"]  # WAL checkpointed and removed
        os.chmod(path, 0o444)
        os.chmod(folder, 0o555)
        before = path.read_bytes()
        env = {**os.environ, "DUBAN_DB": str(path), "DUBAN_TODAY": "2026-11-16", "HOME": "/"}

        prefix = []
        if os.geteuid() == 0:
            if not shutil.which("setpriv"):
                pytest.skip("root can write whatever the modes say, and setpriv is not here to drop that")
            prefix = [shutil.which("setpriv"), "--bounding-set", "-dac_override,-dac_read_search"]

        def duban(*args):
            return subprocess.run([*prefix, sys.executable, "-m", "duban.cli", *args], env=env, capture_output=True,
                                  text=True, cwd="/")

        listed = duban("list", "--format", "json")
        assert listed.returncode == 0, listed.stderr
        assert [r["title"] for r in json.loads(listed.stdout)] == ["修复东街路灯"]
        checked = duban("check")
        assert checked.returncode == 0 and "未发现问题" in checked.stdout, checked.stdout + checked.stderr
        wrote = duban("feedback", "1", "已部署", "--unit", "交通局")
        assert wrote.returncode == 1
        assert wrote.stderr.startswith("错误：") and "只读" in wrote.stderr, wrote.stderr
        assert path.read_bytes() == before
        assert sorted(p.name for p in folder.iterdir()) == ["台账.db"]
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)


# -- properties of the text cleaners (hypothesis) ---------------------------------------------------

from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402


@hsettings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_becomes_something_word_accepts(text):
    from lxml import etree

    cleaned = xml_text(text)
    etree.Element("t").text = cleaned  # lxml (under python-docx and openpyxl) raises on what XML cannot hold
    assert all(c in cleaned for c in text if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF and c not in "\ufffe\uffff")


@hsettings(max_examples=200, deadline=None)
@given(st.text())
def test_no_csv_cell_starts_like_a_formula_unless_it_is_a_plain_number(text):
    cell = csv_cell(text)
    assert cell == text or cell == "'" + text
    if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
        float(cell)  # only a plain number may keep its sign


@hsettings(max_examples=200, deadline=None)
@given(st.text(min_size=1), st.integers(min_value=40, max_value=200))
def test_bounded_names_fit_and_are_stable(name, limit):
    short = files.bounded_name(name, limit)
    assert len(short.encode()) <= limit
    assert short == files.bounded_name(name, limit)
    assert (short == name) == (len(name.encode()) <= limit)
