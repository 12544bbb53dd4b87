"""Notices that say only true things (issue #12, “Notices”): 梯次加压 one step at a time, one notice per
unit and kind, a 文号 on every document, `remind --reprint`, and the 任务交办单 / 任务销号单."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlite_utils import Database

from duban import chase
from duban.ledger import Ledger
from duban.models import Channel, ItemClass, Source
from test_daily import late  # noqa: F401  (two overdue items on 2026-11-16, three units)

D = dt.date.fromisoformat


def weekdays(first: str, last: str) -> list[str]:
    day, end, days = D(first), D(last), []
    while day <= end:
        if day.weekday() < 5:
            days.append(day.isoformat())
        day += dt.timedelta(days=1)
    return days


def new_ledger(day: str) -> Ledger:
    led = Ledger(Database(memory=True), today=D(day))
    led.add_unit("市财政局", aliases=["财政局"], contact="李四", phone="0771-5550102")
    return led


# -- 梯次加压: one step at a time (DOMAIN.md §6), table-driven on the real 2026 calendar -------------------

LADDER = [
    # (case, created, due, days the cron job runs, the reminders recorded: (date, level))
    ("imported 130 working days late: 催办, then 督办单, then 挂牌, each after the 3-day interval",
     "2026-05-06", "2026-05-11", weekdays("2026-11-16", "2026-11-27"),
     [("2026-11-16", 1), ("2026-11-19", 2), ("2026-11-24", 3), ("2026-11-27", 3)]),
    ("late 8 days when first chased: a 催办, not a 督办单; crossing 10 days late on 11-18 brings one step",
     "2026-10-26", "2026-11-04", weekdays("2026-11-16", "2026-11-20"),
     [("2026-11-16", 1), ("2026-11-18", 2)]),
    ("chased from the first late day: thresholds crossed since the last reminder still act at once",
     "2026-10-26", "2026-11-02", weekdays("2026-11-03", "2026-11-17"),
     [("2026-11-03", 1), ("2026-11-06", 1), ("2026-11-09", 2), ("2026-11-12", 3), ("2026-11-17", 3)]),
    ("a 提醒 before the deadline is the step below 催办; crossing 5 days late gives the 督办单 at once",
     "2026-11-02", "2026-11-19", weekdays("2026-11-16", "2026-11-27"),
     [("2026-11-16", 0), ("2026-11-19", 0), ("2026-11-20", 1), ("2026-11-25", 1), ("2026-11-26", 2)]),
    ("after the National Day holiday: 10 working days late on the first run, still a 催办 first",
     "2026-09-14", "2026-09-21", weekdays("2026-10-12", "2026-10-16"),
     [("2026-10-12", 1), ("2026-10-15", 2)]),
]


@pytest.mark.parametrize("case, created, due, days, expected", LADDER, ids=[c[0][:40] for c in LADDER])
def test_ladder_climbs_one_step_at_a_time(case, created, due, days, expected):
    led = new_ledger(created)
    item = led.create("积案", Source.LEADER_INSTRUCTION, klass=ItemClass.ROUTINE, lead="市财政局", due=D(due)).item.id
    for day in days:
        led.today = D(day)
        led.remind(Channel.SYSTEM)
    got = led.db.execute("SELECT at, json_extract(data, '$.level') FROM events WHERE kind = 'reminded'"
                         " AND item_id = ? ORDER BY id", [item]).fetchall()
    assert [tuple(r) for r in got] == expected
    levels = [level for _, level in got]
    assert all(b <= a + 1 for a, b in zip([levels[0] - 1] + levels, levels))   # never more than one step up


def test_the_130_day_case_is_really_130_days_late_and_at_level_3():
    led = new_ledger("2026-05-06")
    led.create("积案", Source.LEADER_INSTRUCTION, klass=ItemClass.ROUTINE, lead="市财政局", due=D("2026-05-11"))
    led.today = D("2026-11-16")
    s = led.standings()[0]
    assert (s.late_workdays, s.escalation.level) == (130, 3)       # the overdue list still says 挂牌 level
    assert [(r.level, r.notice) for r in chase.plan([s], led.today, led.calendar, led.settings)] == [(1, "催办通知")]


def test_remind_json_gives_the_level_sent_and_overdue_the_level_reached(late):
    sent = json.loads(late("remind", "--dry-run", "--format", "json").stdout)
    assert [(r["id"], r["unit"], r["level"], r["level_label"], r["notice"]) for r in sent][0] == \
        (1, "市财政局", 1, "催办", "催办通知")
    reached = json.loads(late("overdue", "--format", "json").stdout)
    assert [(r["id"], r["level"], r["level_label"]) for r in reached][0] == (1, 2, "督办单")


# -- one notice per unit per kind -------------------------------------------------------------------------


@pytest.fixture
def three_levels(units):
    """On 2026-11-12 市财政局 is due a 挂牌 (#1), a 催办 (#2) and a 提醒 (#3)."""
    assert units("create", "主干道整治", "--source", "领导批示", "--class", "常规", "--lead", "财政局",
                 "--due", "2026-11-02", today="2026-10-26").exit_code == 0
    assert units("create", "资金拨付", "--source", "领导批示", "--class", "常规", "--lead", "财政局",
                 "--due", "2026-11-10", today="2026-11-02").exit_code == 0
    for day in ("2026-11-03", "2026-11-06", "2026-11-09"):
        assert units("remind", today=day).exit_code == 0
    assert units("create", "年底结算", "--source", "领导批示", "--class", "常规", "--lead", "财政局",
                 "--due", "2026-11-13", today="2026-11-09").exit_code == 0
    return units


def test_each_notice_lists_only_the_items_at_its_level(three_levels, tmp_path):
    result = three_levels("remind", "--out", str(tmp_path), today="2026-11-12")
    assert result.exit_code == 0, result.stderr
    assert "已书面催办：提醒1件、催办1件、挂牌督办1件，共3件，涉及1个单位；3份通知" in result.stdout
    texts = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.glob("*.txt")}
    assert sorted(texts) == ["20261112-市财政局-催办通知（督办〔2026〕6号）.txt",
                             "20261112-市财政局-挂牌督办通知（督办〔2026〕5号）.txt",
                             "20261112-市财政局-提醒函（督办〔2026〕7号）.txt"]
    listed = {name.split("-")[2].split("（")[0]: re.findall(r"\[#(\d+)\]", text) for name, text in texts.items()}
    assert listed == {"挂牌督办通知": ["1"], "催办通知": ["2"], "提醒函": ["3"]}
    hang = texts["20261112-市财政局-挂牌督办通知（督办〔2026〕5号）.txt"]
    assert "你单位承办的下列督办事项严重逾期，现予以挂牌督办。" in hang
    assert "[#1] 主干道整治（牵头；办理时限 2026-11-02；逾期8个工作日；挂牌督办）" in hang
    chase_ = texts["20261112-市财政局-催办通知（督办〔2026〕6号）.txt"]
    assert "已超过办理时限或未按要求报送进展，现予催办" in chase_ and "逾期2个工作日；催办）" in chase_
    remind = texts["20261112-市财政局-提醒函（督办〔2026〕7号）.txt"]
    assert "临近办理时限或进展反馈即将到期，现予提醒" in remind and "剩余1个工作日；提醒）" in remind


# -- 文号 ----------------------------------------------------------------------------------------------------


def test_every_reminder_gets_its_notice_number_when_recorded_and_log_shows_it(units, tmp_path):
    assert units("create", "甲", "--source", "领导批示", "--lead", "财政局", "--co", "交通局", "--due", "2026-11-04",
                 today="2026-11-02").exit_code == 0
    assert units("rules", "set", "notice_ref_prefix", "市督").exit_code == 0
    assert units("remind").exit_code == 0                                  # no --out: numbered all the same
    log = json.loads(units("log", "1", "--format", "json").stdout)
    chased = [e for e in log if e["kind"] == "reminded"]
    assert [(e["unit"], e["data"]["doc_ref"]) for e in chased] == [("市交通运输局", "市督〔2026〕1号"),
                                                                    ("市财政局", "市督〔2026〕2号")]
    assert chased[1]["detail"].endswith("；文号市督〔2026〕2号")
    assert "文号市督〔2026〕2号" in units("log", "1").stdout


def test_one_series_per_year_for_every_document_never_reused(units, tmp_path):
    assert units("create", "甲", "--source", "领导批示", "--lead", "财政局", "--due", "2026-12-24",
                 today="2026-12-01").exit_code == 0
    assert units("notice", "1", "--kind", "交办单", "--out", str(tmp_path), today="2026-12-01").exit_code == 0
    assert units("remind", today="2026-12-21").exit_code == 0             # 提醒: 督办〔2026〕2号
    assert units("remind", today="2027-01-04").exit_code == 0             # a new year: its own series
    assert units("notice", "1", "--kind", "交办单", "--out", str(tmp_path), today="2027-01-05").exit_code == 0
    led = Ledger.open(Path(units.runner.env.get("DUBAN_DB") or __import__("os").environ["DUBAN_DB"]))
    rows = led.db.execute("SELECT ref, kind FROM document_numbers ORDER BY year, no").fetchall()
    assert rows == [("督办〔2026〕1号", "任务交办单"), ("督办〔2026〕2号", "提醒函"), ("督办〔2027〕1号", "催办通知")]
    with pytest.raises(sqlite3.IntegrityError):                           # (year, no) can never be given twice
        led.db.execute("INSERT INTO document_numbers (year, no, ref, kind, key, issued_on) VALUES"
                       " (2026, 2, 'x', 'x', 'x', '2026-12-30')")


def test_bad_prefix_is_refused(units):
    result = units("rules", "set", "notice_ref_prefix", "督〔办〕")
    assert result.exit_code == 1
    assert "notice_ref_prefix" in result.stderr and "机关代字" in result.stderr


# -- remind --reprint -----------------------------------------------------------------------------------------


def events(units) -> int:
    import os

    conn = sqlite3.connect(os.environ["DUBAN_DB"])
    try:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        conn.close()


def test_remind_then_remind_out_says_already_done_and_reprint_writes_the_same_notices(late, tmp_path):
    first = tmp_path / "第一次"
    assert late("remind", "--out", str(first)).exit_code == 0
    again = late("remind", "--out", str(tmp_path / "又一次"))
    assert again.exit_code == 0
    assert again.stdout.replace("\n", "").strip() == (
        "今天已催办3件（涉及3个单位），没有新的需要催办的事项；"
        f"如需重新生成当天的通知：duban remind --reprint 2026-11-16 --out {tmp_path / '又一次'}")
    assert list((tmp_path / "又一次").iterdir()) == []
    before = events(late)
    reprinted = tmp_path / "重印"
    result = late("remind", "--reprint", "2026-11-16", "--out", str(reprinted), today="2026-11-25")
    assert result.exit_code == 0, result.stderr
    assert "已按 2026-11-16 的3件催办记录重新生成3份通知（Word 与纯文本），写入" in result.stdout
    assert "未新增催办记录" in result.stdout
    assert events(late) == before
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in reprinted.iterdir())
    for name in names:
        if name.endswith(".txt"):
            assert (first / name).read_text(encoding="utf-8") == (reprinted / name).read_text(encoding="utf-8")

    from docx import Document

    for name in names:
        if name.endswith(".docx"):
            a, b = Document(str(first / name)), Document(str(reprinted / name))
            assert [p.text for p in a.paragraphs] == [p.text for p in b.paragraphs]
            assert [[c.text for c in r.cells] for r in a.tables[0].rows] == \
                [[c.text for c in r.cells] for r in b.tables[0].rows]


def test_reprint_keeps_what_was_sent_when_names_and_settings_change(late, tmp_path):
    assert late("remind", "--out", str(tmp_path / "a")).exit_code == 0
    assert late("rules", "set", "office_name", "市委督查室").exit_code == 0
    assert late("rules", "set", "notice_ref_prefix", "市督").exit_code == 0
    assert late("remind", "--reprint", "2026-11-16", "--out", str(tmp_path / "b")).exit_code == 0
    name = "20261116-市财政局-催办通知（督办〔2026〕1号）.txt"
    text = (tmp_path / "b" / name).read_text(encoding="utf-8")
    assert text == (tmp_path / "a" / name).read_text(encoding="utf-8")
    assert text.startswith("督查室\n")


def test_rerun_and_reprint_overwrite_their_own_files_without_copies(late, tmp_path):
    assert late("remind", "--out", str(tmp_path)).exit_code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    for _ in range(2):
        assert late("remind", "--out", str(tmp_path)).exit_code == 0
        assert late("remind", "--reprint", "2026-11-16", "--out", str(tmp_path)).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    assert not any(re.search(r"-2\.(docx|txt)$", n) for n in names)
    for p in tmp_path.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600


def test_reprint_usage_and_empty_days(late, tmp_path):
    alone = late("remind", "--reprint", "2026-11-16")
    assert alone.exit_code == 2
    assert alone.stderr.strip() == "错误：--reprint 须与 --out 同用（给出写入通知的目录）"
    bad = late("remind", "--reprint", "2026-13-01", "--out", str(tmp_path))
    assert bad.exit_code == 2 and "--reprint 的取值“2026-13-01”不是存在的日期" in bad.stderr
    mixed = late("remind", "--reprint", "2026-11-16", "--out", str(tmp_path), "--dry-run")
    assert mixed.exit_code == 2 and "不能与 --dry-run、--channel 同用" in mixed.stderr
    empty = late("remind", "--reprint", "2026-11-13", "--out", str(tmp_path / "空"))
    assert empty.exit_code == 0
    assert empty.stdout.strip() == "2026-11-13 没有催办记录，没有可重新生成的通知"
    assert not (tmp_path / "空").exists()
    assert "reminded" not in [e["kind"] for e in json.loads(late("log", "1", "--format", "json").stdout)]


def test_notices_are_written_after_the_commit_and_a_failure_leaves_events_to_reprint(late, tmp_path, monkeypatch):
    from duban import notices

    tmp_path = tmp_path / "通知"

    def full_disk(*_):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(notices, "docx", full_disk)
        result = late("remind", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(
        "错误：已记录3件催办，但通知写入失败：[Errno 28] No space left on device；"
        f"请排除问题后运行 duban remind --reprint 2026-11-16 --out {tmp_path} 重新生成通知")
    assert [p.name for p in tmp_path.iterdir()] == []
    assert [e["kind"] for e in json.loads(late("log", "1", "--format", "json").stdout)].count("reminded") == 1
    assert late("remind", "--reprint", "2026-11-16", "--out", str(tmp_path)).exit_code == 0
    assert len(list(tmp_path.glob("*.docx"))) == 3


def test_planning_happens_outside_the_write_and_is_checked_again_inside(tmp_path, monkeypatch):
    """The plan is made before the write lock; a reminder recorded meanwhile by another process is
    seen inside the write, so the assignment is not chased twice."""
    path = tmp_path / "l.db"
    led = Ledger.open(path, today=D("2026-11-02"), create=True)
    led.add_unit("市财政局")
    led.add_unit("市交通运输局")
    led.create("甲", Source.LEADER_INSTRUCTION, klass=ItemClass.ROUTINE, lead="市财政局", due=D("2026-11-04"))
    led.create("乙", Source.LEADER_INSTRUCTION, klass=ItemClass.ROUTINE, lead="市交通运输局", due=D("2026-11-04"))
    led.today = D("2026-11-16")
    other = Ledger.open(path, today=D("2026-11-16"))
    real_plan, calls = chase.plan, []

    def plan(rows, *args):
        rows = list(rows)
        calls.append((led.db.conn.in_transaction, sorted(s.item.id for s in rows)))
        found = real_plan(rows, *args)
        if len(calls) == 1:   # between our plan and our write, another run chases #1
            monkeypatch.setattr(chase, "plan", real_plan)
            other.remind(Channel.PHONE)
            monkeypatch.setattr(chase, "plan", plan)
        return found

    monkeypatch.setattr(chase, "plan", plan)
    done = led.remind(Channel.SYSTEM)
    assert done == []                                    # the other run chased both already
    assert calls == [(False, [1, 2]), (True, [1, 2])]    # planned outside; only the changed items again
    count = led.db.execute("SELECT count(*) FROM events WHERE kind = 'reminded'").fetchone()[0]
    assert count == 2


# -- 任务交办单 and 任务销号单 ----------------------------------------------------------------------------------


@pytest.fixture
def assigned(units):
    assert units("create", "推进主干道整治", "--source", "领导批示", "--ref", "市领导批示〔2026〕3号", "--leader",
                 "王副市长", "--content", "对主干道破损路面全面修复", "--standard", "路面修复完成并通过验收",
                 "--lead", "交通局", "--co", "财政局", "--within", "10", today="2026-11-02").exit_code == 0
    return units


def test_assignment_sheet(assigned, tmp_path):
    result = assigned("notice", "1", "--kind", "交办单", "--out", str(tmp_path), today="2026-11-02")
    assert result.exit_code == 0, result.stderr
    name = "20261102-事项1-任务交办单（督办〔2026〕1号）"
    assert f"任务交办单（督办〔2026〕1号）已写入 {tmp_path / (name + '.docx')}" in result.stdout.replace("\n", "")
    text = (tmp_path / f"{name}.txt").read_text(encoding="utf-8")
    assert text.split("\n")[:6] == ["督查室", "", "     督办〔2026〕1号", "", "       任务交办单", ""]
    assert ("事项编号：#1\n督办事项：推进主干道整治\n立项依据：领导批示（市领导批示〔2026〕3号）\n牵头领导：王副市长\n"
            "事项内容：对主干道破损路面全面修复\n牵头单位：市交通运输局\n配合单位：市财政局\n交办日期：2026年11月2日\n"
            "办理时限：2026年11月16日\n完成标准：路面修复完成并通过验收\n进展反馈：按月\n"
            "牵头单位联络员：张三 0771-5550101\n") in text
    assert "    请牵头单位收到本单后及时签收，明确责任人，按办理时限和完成标准抓紧办理" in text
    from docx import Document

    doc = Document(str(tmp_path / f"{name}.docx"))
    assert [p.text for p in doc.paragraphs][:3] == ["督查室", "督办〔2026〕1号", ""]
    rows = {r.cells[0].text: r.cells[1].text for r in doc.tables[0].rows}
    assert rows["办理时限"] == "2026年11月16日" and rows["牵头单位联络员"] == "张三 0771-5550101"
    # printed again: the same number, said on stderr, no second event
    again = assigned("notice", "1", "--kind", "交办单", "--out", str(tmp_path), today="2026-11-03")
    assert again.exit_code == 0 and "沿用原文号督办〔2026〕1号" in again.stderr
    log = json.loads(assigned("log", "1", "--format", "json").stdout)
    issued = [e for e in log if e["kind"] == "issued"]
    assert [(e["at"], e["detail"]) for e in issued] == [("2026-11-02", "出具任务交办单，文号督办〔2026〕1号")]
    assert stat.S_IMODE((tmp_path / f"{name}.txt").stat().st_mode) == 0o600


def test_closure_sheet_says_whether_on_time(assigned, tmp_path):
    assert assigned("close", "1", "--result", "已全部修复并通过验收", today="2026-11-20").exit_code == 0
    result = assigned("notice", "1", "--kind", "销号单", "--out", str(tmp_path), today="2026-11-20")
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "20261120-事项1-任务销号单（督办〔2026〕1号）.txt").read_text(encoding="utf-8")
    assert ("交办日期：2026年11月2日\n办理时限：2026年11月16日\n办结日期：2026年11月20日\n"
            "是否按期：逾期办结（超过办理时限4个工作日）\n办理结果：已全部修复并通过验收\n") in text
    assert "销号意见：该事项已办结，予以销号。" in text


def test_closure_sheet_on_time_after_an_extension(assigned, tmp_path):
    assert assigned("extend", "1", "--to", "2026-11-27", "--reason", "雨季施工", today="2026-11-10").exit_code == 0
    assert assigned("close", "1", "--result", "已修复", today="2026-11-20").exit_code == 0
    assert assigned("notice", "1", "--kind", "销号单", "--out", str(tmp_path), today="2026-11-20").exit_code == 0
    text = next(tmp_path.glob("*.txt")).read_text(encoding="utf-8")
    assert "办理时限：2026年11月27日（原时限2026年11月16日，延期1次）\n" in text
    assert "是否按期：按期办结\n" in text


def test_sheets_refused_in_the_wrong_state(assigned, tmp_path):
    out = tmp_path / "文书"
    open_item = assigned("notice", "1", "--kind", "销号单", "--out", str(out))
    assert open_item.exit_code == 1
    assert open_item.stderr.strip() == "错误：事项 #1 状态为“办理中”，尚未销号，不能出具任务销号单"
    assert assigned("create", "待交办事项", "--source", "领导批示").exit_code == 0
    pending = assigned("notice", "2", "--kind", "交办单", "--out", str(out))
    assert pending.exit_code == 1
    assert pending.stderr.strip() == "错误：事项 #2 状态为“待交办”，尚未交办，不能出具任务交办单"
    unknown = assigned("notice", "9", "--kind", "交办单", "--out", str(out))
    assert unknown.exit_code == 1 and unknown.stderr.strip() == "错误：未找到事项 #9"
    kind = assigned("notice", "1", "--kind", "督办单", "--out", str(out))
    assert kind.exit_code == 2 and kind.stderr.strip() == "错误：--kind 应为 交办单 或 销号单，收到“督办单”"
    assert not any(p.is_file() for p in out.rglob("*")) if out.exists() else True
    log = json.loads(assigned("log", "1", "--format", "json").stdout)
    assert "issued" not in [e["kind"] for e in log]


def test_notice_out_must_be_a_folder(assigned, tmp_path):
    file = tmp_path / "a.txt"
    file.write_text("x")
    result = assigned("notice", "1", "--kind", "交办单", "--out", str(file))
    assert result.exit_code == 2 and result.stderr.strip() == f"错误：--out 应为目录，{file} 已存在且不是目录"
    assert "issued" not in [e["kind"] for e in json.loads(assigned("log", "1", "--format", "json").stdout)]


def test_reprint_of_reminders_recorded_before_document_numbers(late, tmp_path):
    """A ledger from before m010: its `reminded` events have no 文号, title or addressee."""
    import os

    assert late("remind").exit_code == 0
    conn = sqlite3.connect(os.environ["DUBAN_DB"])
    conn.execute("UPDATE event_log SET data = json_remove(data, '$.doc_ref', '$.title', '$.role', '$.state', '$.to',"
                 " '$.office') WHERE kind = 'reminded'")
    conn.commit()
    conn.close()
    result = late("remind", "--reprint", "2026-11-16", "--out", str(tmp_path / "旧"))
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "旧").glob("*.txt"))
    assert names == ["20261116-市交通运输局-催办通知.txt", "20261116-市住房和城乡建设局-催办通知.txt",
                     "20261116-市财政局-催办通知.txt"]
    text = (tmp_path / "旧" / "20261116-市住房和城乡建设局-催办通知.txt").read_text(encoding="utf-8")
    assert text.startswith("督查室\n\n        催办通知\n")
    assert "[#2] 道路|修复=1+1（配合；办理时限 2026-11-11；已逾期3个工作日（办理时限 2026-11-11）；催办）" in text
