"""The daily job: 逾期清单 and 催办 on real calendar cases, idempotent, with notices."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from duban import chase
from duban.ledger import Ledger
from duban.models import Channel, ItemClass, Source

D = dt.date.fromisoformat


def on(led: Ledger, day: str) -> Ledger:
    led.today = D(day)
    return led


def reminders(led: Ledger, item_id: int | None = None) -> list[tuple[str, str, int]]:
    """(date, unit, level) of every `reminded` event, oldest first."""
    sql = ("SELECT e.at, u.name, json_extract(e.data, '$.level') FROM events e JOIN units u ON u.id = e.unit_id"
           " WHERE e.kind = 'reminded'")
    params: list = []
    if item_id is not None:
        sql += " AND e.item_id = ?"
        params.append(item_id)
    return [tuple(r) for r in led.db.execute(sql + " ORDER BY e.id", params).fetchall()]


def event_count(led: Ledger) -> int:
    return led.db.execute("SELECT count(*) FROM events").fetchone()[0]


def overdue_of(led: Ledger) -> list[tuple[int, str, int, int | None]]:
    return [(s.item.id, s.unit.name, s.late_workdays, s.escalation.level)
            for s in chase.overdue(led.standings(overdue_only=True))]


def routine(led: Ledger, title: str, day: str, **kw) -> int:
    """A routine-class item created on ``day`` (monthly reports, so cadence does not interfere)."""
    on(led, day)
    return led.create(title, Source.LEADER_INSTRUCTION, klass=ItemClass.ROUTINE, **kw).item.id


# -- the overdue list on the real calendar -------------------------------------------------------


def test_deadline_before_national_day_counts_only_working_days(ledger):
    item = routine(ledger, "国庆前完成桥梁检测", "2026-09-21", lead="市交通运输局", due=D("2026-09-30"))
    assert overdue_of(on(ledger, "2026-09-30")) == []                      # due today: not late
    assert overdue_of(on(ledger, "2026-10-05")) == [(item, "市交通运输局", 0, 0)]  # past, but a holiday
    assert overdue_of(on(ledger, "2026-10-08")) == [(item, "市交通运输局", 1, 1)]  # first working day after
    assert overdue_of(on(ledger, "2026-10-10")) == [(item, "市交通运输局", 3, 1)]  # 调休 Saturday counts
    assert overdue_of(on(ledger, "2026-10-11")) == [(item, "市交通运输局", 3, 1)]  # Sunday does not
    assert overdue_of(on(ledger, "2026-10-13")) == [(item, "市交通运输局", 5, 2)]  # 督办单 threshold
    assert overdue_of(on(ledger, "2026-10-20")) == [(item, "市交通运输局", 10, 3)]  # 挂牌督办 threshold


def test_deadline_on_a_tiaoxiu_saturday(ledger):
    # Friday 2026-10-09 + 1 working day = Saturday 2026-10-10, a 调休 working day
    item = routine(ledger, "调休日到期的事项", "2026-10-09", lead="市财政局", within=1)
    assert ledger.item(item).item.due == D("2026-10-10")
    assert overdue_of(on(ledger, "2026-10-10")) == []
    assert overdue_of(on(ledger, "2026-10-11")) == [(item, "市财政局", 0, 0)]
    assert overdue_of(on(ledger, "2026-10-12")) == [(item, "市财政局", 1, 1)]


def test_overdue_lists_lead_and_co_units_grouped_most_behind_first(ledger):
    a = routine(ledger, "甲事项", "2026-11-02", lead="市财政局", co=["市交通运输局"], due=D("2026-11-04"))
    b = routine(ledger, "乙事项", "2026-11-02", lead="市交通运输局", due=D("2026-11-11"))
    routine(ledger, "丙事项（未逾期）", "2026-11-02", lead="市住房和城乡建设局", due=D("2026-11-30"))
    assert overdue_of(on(ledger, "2026-11-16")) == [
        (a, "市交通运输局", 8, 2), (b, "市交通运输局", 3, 1),   # the unit with 8 days goes first ...
        (a, "市财政局", 8, 2),                                  # ... then by name among equals
    ]


def test_overdue_skips_paused_done_and_finished_assignments(ledger):
    paused = routine(ledger, "暂缓事项", "2026-11-02", lead="市财政局", due=D("2026-11-04"))
    done = routine(ledger, "已办结事项", "2026-11-02", lead="市交通运输局", due=D("2026-11-04"))
    on(ledger, "2026-11-05")
    ledger.pause(paused, "等待上级政策")
    ledger.close(done, "已完成检测", unit="市交通运输局")
    assert overdue_of(on(ledger, "2026-11-16")) == []


def test_missed_milestone_is_overdue_for_the_lead_only(ledger):
    on(ledger, "2026-11-02")
    item = ledger.create("分节点推进的改造工程", Source.WORK_REPORT, klass=ItemClass.ROUTINE, lead="市住房和城乡建设局",
                         co=["市财政局"], due=D("2026-12-31"), milestones=[(D("2026-11-10"), "完成招标")]).item.id
    rows = chase.overdue(on(ledger, "2026-11-16").standings(overdue_only=True))
    assert [(s.item.id, s.unit.name, s.late_workdays) for s in rows] == [(item, "市住房和城乡建设局", 4)]
    assert rows[0].missed(ledger.today) == D("2026-11-10")


# -- the 催办 ladder -----------------------------------------------------------------------------


def run_days(led: Ledger, days: list[str]) -> None:
    for day in days:
        on(led, day).remind(Channel.SYSTEM)


WEEKDAYS = ["2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06", "2026-11-09", "2026-11-10", "2026-11-11",
            "2026-11-12", "2026-11-13", "2026-11-16", "2026-11-17"]


def test_ladder_climbs_with_interval_and_thresholds(ledger):
    item = routine(ledger, "主干道整治", "2026-10-26", lead="市交通运输局", due=D("2026-11-02"))
    run_days(ledger, WEEKDAYS)
    assert reminders(ledger, item) == [
        ("2026-11-03", "市交通运输局", 1),   # overdue 1 day: 催办
        ("2026-11-06", "市交通运输局", 1),   # 3 working days later, no reply: 催办 again
        ("2026-11-09", "市交通运输局", 2),   # overdue 5 days: 督办单 at once
        ("2026-11-12", "市交通运输局", 3),   # 3 催办 unanswered: 挂牌督办
        ("2026-11-17", "市交通运输局", 3),   # and again after the interval
    ]


def test_feedback_resets_the_unanswered_count(ledger):
    item = routine(ledger, "主干道整治", "2026-10-26", lead="市交通运输局", due=D("2026-11-02"))
    run_days(ledger, WEEKDAYS[:4])                       # 催办 on 11-03 and 11-06
    on(ledger, "2026-11-06")
    view = ledger.item(item)
    a = view.item.lead
    assert ledger.escalation(view.item, a).level == 2    # two 催办 without reply
    on(ledger, "2026-11-09")
    ledger.feedback(item, "市交通运输局", "已完成施工招标", percent=40)
    view = ledger.item(item)
    assert ledger.escalation(view.item, view.item.lead).level == 2   # by lateness alone (5 days)
    assert ledger.standings()[0].chased.unanswered == 0


def test_near_due_reminder_is_sent_once_and_is_not_a_chase(ledger):
    item = routine(ledger, "临期事项", "2026-11-02", lead="市财政局", due=D("2026-11-19"))
    run_days(ledger, ["2026-11-16", "2026-11-17", "2026-11-18"])
    assert reminders(ledger, item) == [("2026-11-16", "市财政局", 0)]
    view = ledger.item(item)
    assert ledger.escalation(view.item, view.item.lead).level == 0   # the 提醒 is not counted as 催办
    run_days(ledger, ["2026-11-19", "2026-11-20"])                  # due day: interval passed; then overdue
    assert reminders(ledger, item)[1:] == [("2026-11-19", "市财政局", 0), ("2026-11-20", "市财政局", 1)]


def test_late_progress_report_is_chased(ledger):
    on(ledger, "2026-11-02")
    item = ledger.create("速办事项", Source.PUBLIC_REQUEST, klass=ItemClass.QUICK, lead="市财政局",
                         due=D("2026-12-31")).item.id
    # 速办: a report every 3 working days → due 11-05; late from 11-06
    assert on(ledger, "2026-11-05").remind(Channel.SYSTEM) == []
    done = on(ledger, "2026-11-06").remind(Channel.SYSTEM)
    assert [(r.standing.item.id, r.level) for r in done] == [(item, 1)]
    assert "反馈已逾期1个工作日" in done[0].reason


def test_remind_twice_the_same_day_adds_nothing(ledger):
    routine(ledger, "甲", "2026-11-02", lead="市财政局", co=["市交通运输局"], due=D("2026-11-04"))
    routine(ledger, "乙", "2026-11-02", lead="市住房和城乡建设局", due=D("2026-11-18"))
    on(ledger, "2026-11-16")
    first = ledger.remind(Channel.WRITTEN)
    # 8 working days late, never chased: a 催办 first (梯次加压, one step at a time)
    assert sorted((r.standing.unit.name, r.level) for r in first) == [
        ("市交通运输局", 1), ("市住房和城乡建设局", 0), ("市财政局", 1)]
    before = event_count(ledger)
    assert ledger.remind(Channel.WRITTEN) == []
    assert ledger.remind(Channel.PHONE) == []
    assert event_count(ledger) == before


def test_dry_run_plans_the_same_and_writes_nothing(ledger):
    routine(ledger, "甲", "2026-11-02", lead="市财政局", due=D("2026-11-04"))
    on(ledger, "2026-11-16")
    before = event_count(ledger)
    planned = ledger.remind(Channel.SYSTEM, dry_run=True)
    assert event_count(ledger) == before
    done = ledger.remind(Channel.SYSTEM)
    assert [(r.standing.item.id, r.level, r.reply_by) for r in planned] == \
        [(r.standing.item.id, r.level, r.reply_by) for r in done]
    assert done[0].reply_by == D("2026-11-19")   # 3 working days after Monday 11-16


def test_reminded_event_records_level_channel_and_reply_date(ledger):
    item = routine(ledger, "甲", "2026-11-02", lead="市财政局", due=D("2026-11-04"))
    on(ledger, "2026-11-16").remind(Channel.PHONE)
    event = [e for e in ledger.events(item) if e.kind.code == "reminded"][-1]
    assert event.at == D("2026-11-16") and event.unit == "市财政局"
    assert event.data["level"] == 1 and event.data["channel"] == "phone"
    assert event.data["notice"] == "催办通知" and event.data["reply_by"] == "2026-11-19"
    assert event.data["doc_ref"] == "督办〔2026〕1号"
    assert event.detail == ("催办通知（电话）“市财政局”：已逾期8个工作日（办理时限 2026-11-04）；"
                            "请于2026-11-19前反馈；文号督办〔2026〕1号")
    assert ledger.replayed(item) == ledger.item(item).item


def test_never_writes_behind_a_later_record(ledger):
    item = routine(ledger, "甲", "2026-11-02", lead="市财政局", due=D("2026-11-04"))
    on(ledger, "2026-11-18")
    ledger.feedback(item, "市财政局", "正在办理")
    assert on(ledger, "2026-11-16").remind(Channel.SYSTEM) == []
    assert "已有 2026-11-18 的记录" in ledger.warnings[-1]


# -- the CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def late(units):
    """Two overdue items on 2026-11-16 (Monday): #1 financial (8 days), #2 transport + co (3 days)."""
    assert units("create", "财政资金拨付", "--source", "领导批示", "--class", "常规", "--lead", "市财政局",
                 "--due", "2026-11-04", today="2026-11-02").exit_code == 0
    assert units("create", "道路|修复=1+1", "--source", "12345", "--class", "常规", "--lead", "交通局",
                 "--co", "住建局", "--due", "2026-11-11", today="2026-11-02").exit_code == 0
    return units


def test_overdue_json_keys_and_exit_code(late):
    result = late("overdue", "--format", "json", "--exit-code")
    assert result.exit_code == 3
    rows = json.loads(result.stdout)
    assert [(r["id"], r["unit"], r["role"], r["overdue_workdays"], r["level"]) for r in rows] == [
        (1, "市财政局", "lead", 8, 2), (2, "市交通运输局", "lead", 3, 1), (2, "市住房和城乡建设局", "co", 3, 1)]
    first = rows[0]
    for key in ("id", "title", "unit", "role", "due", "overdue_workdays", "level", "last_reminded", "last_feedback"):
        assert key in first
    assert first["due"] == "2026-11-04" and first["last_reminded"] is None and first["last_feedback"] is None
    assert rows[1]["contact"] == "张三" and rows[1]["phone"] == "0771-5550101"


def test_overdue_exit_code_zero_when_nothing_is_late(units):
    assert units("create", "远期事项", "--source", "领导批示", "--lead", "市财政局", "--due", "2026-12-31").exit_code == 0
    result = units("overdue", "--exit-code")
    assert result.exit_code == 0
    assert "没有逾期事项" in result.stdout
    assert units("overdue", "--format", "json").stdout.strip() == "[]"


def test_overdue_after_a_reminder_shows_last_reminded(late):
    assert late("remind").exit_code == 0
    rows = json.loads(late("overdue", "--format", "json", today="2026-11-17").stdout)
    assert {(r["id"], r["unit"]): (r["last_reminded"], r["reminders"]) for r in rows} == {
        (1, "市财政局"): ("2026-11-16", 1), (2, "市交通运输局"): ("2026-11-16", 1),
        (2, "市住房和城乡建设局"): ("2026-11-16", 1)}


def test_overdue_csv_md_and_table_have_no_escape_codes(late):
    csv_out = late("overdue", "--format", "csv").stdout
    table = list(csv.DictReader(io.StringIO(csv_out)))
    assert [r["unit"] for r in table] == ["市财政局", "市交通运输局", "市住房和城乡建设局"]
    md = late("overdue", "--format", "md").stdout
    assert "## 市交通运输局（联系人：张三 0771-5550101）：逾期1项" in md
    assert "道路\\|修复=1+1" in md                   # a | in a title cannot break the Markdown table
    plain = late("overdue").stdout
    assert "逾期清单（2026-11-16）：3项逾期，涉及3个单位" in plain
    for out in (csv_out, md, plain):
        assert "\x1b" not in out


def test_overdue_out_writes_the_file_atomically(late, tmp_path):
    target = tmp_path / "逾期清单.csv"
    target.write_text("旧内容", encoding="utf-8")
    result = late("overdue", "--out", str(target))
    assert result.exit_code == 0
    assert "逾期清单已写入" in result.stdout
    assert target.read_text(encoding="utf-8") == late("overdue", "--format", "csv").stdout
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []   # no temp file left
    missing = late("overdue", "--out", str(tmp_path / "无此目录" / "x.json"))
    assert missing.exit_code == 1 and "目录不存在" in missing.stderr


def test_overdue_unit_filter(late):
    rows = json.loads(late("overdue", "--format", "json", "--unit", "住建局").stdout)
    assert [(r["id"], r["unit"]) for r in rows] == [(2, "市住房和城乡建设局")]
    bad = late("overdue", "--unit", "住建")
    assert bad.exit_code == 1 and "住建局" in bad.stderr


def test_remind_cli_summary_and_idempotence(late):
    first = late("remind")
    assert first.exit_code == 0
    assert "已系统催办：催办3件，共3件，涉及3个单位" in first.stdout
    again = late("remind")
    assert again.exit_code == 0
    assert again.stdout.strip() == ("今天已催办3件（涉及3个单位），没有新的需要催办的事项；"
                                    "如需重新生成当天的通知：duban remind --reprint 2026-11-16 --out 目录")
    assert "今天没有需要催办的事项" in late("remind", today="2026-11-17").stdout   # chased yesterday: none due
    log = json.loads(late("log", "1", "--format", "json").stdout)
    assert [e["kind"] for e in log].count("reminded") == 1


def test_remind_dry_run_writes_no_event_and_no_file(late, tmp_path):
    out = tmp_path / "通知"
    result = late("remind", "--dry-run", "--out", str(out))
    assert result.exit_code == 0
    assert "试运行：未记录，未写入任何文件" in result.stdout
    assert not out.exists()
    log = json.loads(late("log", "1", "--format", "json").stdout)
    assert "reminded" not in [e["kind"] for e in log]


def test_remind_json_output_is_clean(late):
    result = late("remind", "--format", "json", "--channel", "电话")
    rows = json.loads(result.stdout)
    assert [(r["id"], r["unit"], r["level"], r["notice"], r["channel"]) for r in rows] == [
        (1, "市财政局", 1, "催办通知", "电话"), (2, "市交通运输局", 1, "催办通知", "电话"),
        (2, "市住房和城乡建设局", 1, "催办通知", "电话")]
    assert "已电话催办" in result.stderr


def test_remind_rejects_unknown_channel(late):
    result = late("remind", "--channel", "飞鸽")
    assert result.exit_code == 2 and "--channel" in result.stderr


def test_remind_skips_holidays_but_not_tiaoxiu_saturday(units):
    assert units("create", "国庆前到期", "--source", "领导批示", "--lead", "市财政局", "--due", "2026-09-30",
                 today="2026-09-21").exit_code == 0
    holiday = units("remind", today="2026-10-05")
    assert holiday.exit_code == 0 and "节假日（国庆节）" in holiday.stdout and "2026-10-08" in holiday.stdout
    assert "reminded" not in [e["kind"] for e in json.loads(units("log", "1", "--format", "json").stdout)]
    saturday = units("remind", today="2026-10-10")
    assert saturday.exit_code == 0 and "催办1件" in saturday.stdout
    forced = units("remind", "--any-day", today="2026-10-11")
    assert forced.exit_code == 0   # allowed, though nothing new is due the next day


# -- notices ---------------------------------------------------------------------------------------


def test_notices_one_per_unit_as_docx_and_text(late, tmp_path):
    out = tmp_path / "通知"
    result = late("remind", "--out", str(out))
    assert result.exit_code == 0
    assert "3份通知（Word 与纯文本）已写入" in result.stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == ["20261116-市交通运输局-催办通知（督办〔2026〕2号）.docx",
                     "20261116-市交通运输局-催办通知（督办〔2026〕2号）.txt",
                     "20261116-市住房和城乡建设局-催办通知（督办〔2026〕3号）.docx",
                     "20261116-市住房和城乡建设局-催办通知（督办〔2026〕3号）.txt",
                     "20261116-市财政局-催办通知（督办〔2026〕1号）.docx",
                     "20261116-市财政局-催办通知（督办〔2026〕1号）.txt"]
    text = (out / "20261116-市财政局-催办通知（督办〔2026〕1号）.txt").read_text(encoding="utf-8")
    assert text.startswith("督查室\n\n     督办〔2026〕1号\n\n        催办通知\n")
    assert "市财政局：" in text and "现予催办" in text
    assert "于2026年11月19日前将办理情况、存在问题及下步措施书面报送督查室" in text
    assert "[#1] 财政资金拨付（牵头；办理时限 2026-11-04；逾期8个工作日；催办）" in text

    from docx import Document

    doc = Document(str(out / "20261116-市交通运输局-催办通知（督办〔2026〕2号）.docx"))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[:2] == ["督查室", "督办〔2026〕2号"] and "催办通知" in paragraphs
    assert "市交通运输局：" in paragraphs
    assert any("送达：市交通运输局联络员 张三 0771-5550101" in p for p in paragraphs)
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert cells[0] == ["序号", "编号", "督办事项", "角色", "办理时限", "办理情况"]
    assert cells[1] == ["1", "#2", "道路|修复=1+1", "牵头", "2026-11-11", "逾期3个工作日"]


def test_notice_uses_the_office_name_setting(late, tmp_path):
    assert late("rules", "set", "office_name", "市委督查室").exit_code == 0
    assert late("remind", "--out", str(tmp_path)).exit_code == 0
    text = (tmp_path / "20261116-市财政局-催办通知（督办〔2026〕1号）.txt").read_text(encoding="utf-8")
    assert text.startswith("市委督查室\n") and "报送市委督查室" in text


def test_remind_out_must_be_a_directory(late, tmp_path):
    file = tmp_path / "a.txt"
    file.write_text("x")
    result = late("remind", "--out", str(file))
    assert result.exit_code == 2 and "应为目录" in result.stderr
    log = json.loads(late("log", "1", "--format", "json").stdout)
    assert "reminded" not in [e["kind"] for e in log]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) 未安装")
def test_notice_opens_in_libreoffice(late, tmp_path):
    out = tmp_path / "通知"
    assert late("remind", "--out", str(out)).exit_code == 0
    source = out / "20261116-市财政局-催办通知（督办〔2026〕1号）.docx"
    profile = tmp_path / "lo-profile"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "txt:Text",
         "--outdir", str(tmp_path / "lo"), str(source)],
        capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr
    converted = (tmp_path / "lo" / "20261116-市财政局-催办通知（督办〔2026〕1号）.txt").read_text(encoding="utf-8-sig")
    assert "督办〔2026〕1号" in converted and "财政资金拨付" in converted and "2026年11月19日" in converted


# -- beside the clerk: several processes at once -----------------------------------------------------


def _cli(db: Path, today: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DUBAN_DB": str(db), "DUBAN_TODAY": today, "NO_COLOR": "1"}
    return subprocess.Popen([sys.executable, "-m", "duban.cli", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_cron_remind_and_clerk_writes_at_once_lose_nothing(tmp_path):
    db = tmp_path / "ledger.db"
    led = Ledger.open(db, today=D("2026-11-02"), create=True)
    for name in ("市财政局", "市交通运输局", "市住房和城乡建设局"):
        led.add_unit(name)
    for n in range(6):
        led.create(f"逾期事项{n}", Source.LEADER_INSTRUCTION, klass=ItemClass.ROUTINE, lead="市财政局",
                   co=["市交通运输局"], due=D("2026-11-04"))
    led.db.conn.close()
    # three cron runs of `remind` at the same moment, and a clerk writing feedback and new items
    procs = [_cli(db, "2026-11-16", "remind") for _ in range(3)]
    procs += [_cli(db, "2026-11-16", "create", f"新事项{n}", "--source", "领导批示", "--lead", "市住房和城乡建设局")
              for n in range(4)]
    procs += [_cli(db, "2026-11-16", "feedback", str(n + 1), "--unit", "市财政局", "正在办理") for n in range(3)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert [code for code, _ in results] == [0] * len(procs), results
    led = Ledger.open(db, today=D("2026-11-16"))
    got = led.db.execute("SELECT kind, count(*) FROM events WHERE at = '2026-11-16' GROUP BY kind").fetchall()
    # each of the 12 overdue assignments chased exactly once, whichever cron run got there first
    assert dict(got) == {"reminded": 12, "created": 4, "assigned": 4, "feedback": 3}
    dupes = led.db.execute("SELECT item_id, unit_id, count(*) FROM events WHERE kind = 'reminded'"
                           " GROUP BY item_id, unit_id HAVING count(*) > 1").fetchall()
    assert dupes == []


# -- the cron script -------------------------------------------------------------------------------

CRON = Path(__file__).resolve().parent.parent / "examples" / "cron" / "duban-daily.sh"


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash 未安装")
def test_cron_script_writes_the_day_and_is_idempotent(late, tmp_path):
    exe = Path(sys.executable).parent / "duban"
    if not exe.exists():
        pytest.skip("duban 命令未安装到当前环境")
    env = {**os.environ, "DUBAN": str(exe), "DUBAN_DB": os.environ["DUBAN_DB"], "DUBAN_TODAY": "2026-11-16",
           "DUBAN_OUT": str(tmp_path / "每日")}
    first = subprocess.run(["bash", str(CRON)], env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 3, first.stderr          # overdue items found
    day = tmp_path / "每日" / "2026-11-16"
    assert sorted(p.name for p in day.iterdir()) == ["催办.txt", "通知", "逾期清单.csv", "逾期清单.md"]
    assert len(list((day / "通知").glob("*.docx"))) == 3
    assert "已书面催办：催办3件，共3件，涉及3个单位" in first.stdout
    second = subprocess.run(["bash", str(CRON)], env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 3
    assert "今天已催办3件（涉及3个单位），没有新的需要催办的事项" in second.stdout
    assert len(list((day / "通知").glob("*.docx"))) == 3      # the day's notices again, no "-2" copies
    log = json.loads(late("log", "1", "--format", "json").stdout)
    assert [e["kind"] for e in log].count("reminded") == 1
