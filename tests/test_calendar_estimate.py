"""Years nobody has published yet, and entering a year (DOMAIN.md §4; issue 13).

2027 is estimated from 《全国年节及纪念日放假办法》 (2024 revision): 元旦 1-1; 春节 除夕 02-05 and 初一至初三
02-06..02-08 (初一、初二 on Saturday and Sunday → 补假 02-09、02-10); 清明 04-05; 劳动节 05-01、02 (a
weekend → 补假 05-03、04); 端午 06-09; 中秋 09-15; 国庆 10-01..03 (Saturday, Sunday → 补假 10-04、05).
2028: 国庆 10-01 is a Sunday (补假 10-04) and 中秋 falls on 10-03, inside 国庆.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from duban import statutory
from duban.workdays import WorkCalendar, builtin_years

D = dt.date.fromisoformat
DATA = Path(__file__).parent / "data" / "notices"

# what needs 2027 to be a year the installed chinese-calendar does not know (true of 1.11)
ESTIMATED_2027 = pytest.mark.skipif(2027 in builtin_years(), reason="the installed chinese-calendar already knows 2027")

HOLIDAYS_2027 = {
    "2027-01-01": "元旦",
    "2027-02-05": "春节", "2027-02-06": "春节", "2027-02-07": "春节", "2027-02-08": "春节",
    "2027-02-09": "春节补假", "2027-02-10": "春节补假",
    "2027-04-05": "清明节",
    "2027-05-01": "劳动节", "2027-05-02": "劳动节", "2027-05-03": "劳动节补假", "2027-05-04": "劳动节补假",
    "2027-06-09": "端午节",
    "2027-09-15": "中秋节",
    "2027-10-01": "国庆节", "2027-10-02": "国庆节", "2027-10-03": "国庆节",
    "2027-10-04": "国庆节补假", "2027-10-05": "国庆节补假",
}


def test_statutory_holidays_of_2027():
    assert {d.isoformat(): name for d, name in statutory.holidays(2027).items()} == HOLIDAYS_2027


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_days_of_the_years_under_the_2024_rules_are_off_in_the_published_schedule(year):
    """Every statutory day and 补假 computed for 2025 and 2026 is a day off in the notices as published."""
    import chinese_calendar

    days = statutory.holidays(year)
    assert len(days) == {2025: 14, 2026: 16}[year]
    assert [d for d in days if chinese_calendar.is_workday(d)] == []


def test_statutory_holidays_of_2028_national_day_and_mid_autumn_overlap():
    days = {d.isoformat(): name for d, name in statutory.holidays(2028).items() if d.month in (9, 10)}
    assert days == {"2028-10-01": "国庆节", "2028-10-02": "国庆节", "2028-10-03": "中秋节", "2028-10-04": "国庆节补假"}
    assert [d.isoformat() for d, n in statutory.holidays(2028).items() if n.startswith("春节")] == [
        "2028-01-25", "2028-01-26", "2028-01-27", "2028-01-28"]  # 除夕 Tuesday: no weekend, no 补假


WORKDAY_2027 = [
    ("2027-01-01", False), ("2027-01-04", True), ("2027-02-04", True), ("2027-02-05", False),
    ("2027-02-10", False), ("2027-02-11", True), ("2027-04-05", False), ("2027-05-04", False),
    ("2027-05-05", True), ("2027-06-09", False), ("2027-09-15", False), ("2027-10-05", False),
    ("2027-10-06", True), ("2027-02-13", False),  # an ordinary Saturday
]


@ESTIMATED_2027
@pytest.mark.parametrize(("day", "workday"), WORKDAY_2027)
def test_estimated_2027_workdays(day, workday):
    cal = WorkCalendar()
    assert cal.is_workday(D(day)) is workday
    assert cal.estimated_used == {2027}


@ESTIMATED_2027
@pytest.mark.parametrize(("start", "n", "end"), [
    ("2026-12-31", 1, "2027-01-04"),  # 元旦 Friday off
    ("2027-02-04", 1, "2027-02-11"),  # across 春节 and its 补假
    ("2027-04-30", 1, "2027-05-05"),  # across 劳动节 and its 补假
    ("2027-09-30", 1, "2027-10-06"),  # across 国庆 and its 补假
    ("2026-12-20", 40, "2027-02-19"),  # 9 in 2026, 20 in January, 02-01..04, 02-11..12, 02-15..19
])
def test_add_workdays_on_an_estimated_year(start, n, end):
    span = WorkCalendar().add_workdays(D(start), n)
    assert (span.value, span.uncovered) == (D(end), (2027,))


@ESTIMATED_2027
def test_describe_and_calendar_show_of_an_estimated_year(duban):
    assert duban("init").exit_code == 0
    result = duban("calendar", "show", "2027", "--format", "json")
    records = {r["date"]: r for r in json.loads(result.stdout)}
    assert records["2027-02-09"] == {"date": "2027-02-09", "workday": False, "description": "法定节假日（春节补假，估算）"}
    assert len([r for r in records.values() if not r["workday"]]) == 13  # the weekday ones of the 19 days
    shown = duban("calendar", "show", "2027")
    assert "2027年：节假日安排尚未收录，按《全国年节及纪念日放假办法》的法定节假日及补假估算（调休未知）" in shown.stdout


ESTIMATED_LINE = ("提示：2027年的节假日安排尚未录入，已按《全国年节及纪念日放假办法》的法定节假日估算（调休未知，"
                  "相关时限标记“时限待核”）；收到国务院办公厅通知后请运行 duban calendar import 通知.txt\n")


@pytest.fixture
def across(units):
    """Items assigned 2026-12-20 with deadlines in 2027: #1 within 40 (→ 02-19 estimated), #2 due 02-12."""
    units("create", "跨年事项", "--source", "其他", "--lead", "交通局", "--within", "40", today="2026-12-20")
    units("create", "给定日期", "--source", "其他", "--lead", "财政局", "--due", "2027-02-12", today="2026-12-20")
    units("create", "时限不变", "--source", "其他", "--lead", "市住建局", "--within", "10", today="2026-12-20")
    return units


@ESTIMATED_2027
@pytest.mark.parametrize("args", [
    ("list",), ("show", "1"), ("overdue",), ("remind", "--dry-run"), ("report", "stats"),
])
def test_every_command_on_an_estimated_year_prints_one_line(across, args, tmp_path):
    result = across(*args, today="2027-01-04")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("2027年的节假日安排尚未录入") == 1
    assert ESTIMATED_LINE in result.stderr


@ESTIMATED_2027
def test_export_on_an_estimated_year_prints_one_line(across, tmp_path):
    result = across("export", str(tmp_path / "台账.xlsx"), today="2027-01-04")
    assert result.exit_code == 0, result.output
    assert result.stderr.count(ESTIMATED_LINE) == 1


def test_a_covered_day_prints_nothing(units):
    units("create", "年内事项", "--source", "其他", "--lead", "交通局", "--within", "5", today="2026-11-16")
    assert units("list", today="2026-11-16").stderr == ""


@ESTIMATED_2027
def test_remind_never_chases_on_a_statutory_holiday_of_an_estimated_year(units):
    units("create", "逾期", "--source", "其他", "--lead", "交通局", "--due", "2026-12-01", today="2026-11-16")
    for day in ("2027-01-01", "2027-02-09", "2027-05-03"):
        result = units("remind", today=day)
        assert result.exit_code == 0, result.output
        assert "不发催办" in result.stdout
        assert ESTIMATED_LINE in result.stderr
    # the next working day chases: a first chase is a 催办, however late (one step at a time)
    assert "已系统催办：催办1件" in units("remind", today="2027-01-04").stdout


def _events(db: Path, kind: str) -> list[tuple]:
    return sqlite3.connect(db).execute("SELECT item_id, at, detail, data FROM events WHERE kind = ?", [kind]).fetchall()


@ESTIMATED_2027
def test_importing_the_notice_recomputes_working_day_deadlines(across, tmp_path):
    # the 2027 notice (as it might read): 春节 02-05..02-12 with 02-14, 02-20 worked; 元旦 01-01..03.
    # #1: 33 working days to 02-04, then 02-14, 02-15..19, 02-20 → 02-20 (estimated 02-19)
    notice = tmp_path / "通知.txt"
    notice.write_text("国务院办公厅关于2027年部分节假日安排的通知\n"
                      "一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n"
                      "二、春节：2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天。"
                      "2月14日（周日）、2月20日（周六）上班。\n", encoding="utf-8")
    db = tmp_path / "test.db"
    assert json.loads(across("show", "1", "--format", "json", today="2026-12-21").stdout)["due"] == "2027-02-19"
    dry = across("calendar", "import", str(notice), "--dry-run", today="2026-12-21")
    assert dry.exit_code == 0, dry.output
    assert "将重算时限 1 件（另有 1 件重算后时限不变，“时限待核”标记取消）" in dry.stdout
    assert "#1“市交通运输局”2027-02-19 → 2027-02-20（交办 2026-12-20 起40个工作日）" in dry.stdout
    assert "2027-02-12 是休息日（台账录入），不是工作日" in dry.stderr
    assert _events(db, "due_recomputed") == [] and _events(db, "calendar_changed") == []
    result = across("calendar", "import", str(notice), today="2026-12-21")
    assert result.exit_code == 0, result.output
    assert "重算时限 1 件" in result.stdout
    assert result.stderr == ("注意：事项 #2 在“市财政局”处的办理时限 2027-02-12 是休息日（台账录入），"
                             "不是工作日（时限按原日期保留）\n")
    (item_id, at, detail, data), = _events(db, "due_recomputed")
    assert (item_id, at) == (1, "2026-12-21")
    assert detail == ("“市交通运输局”办理时限重算：2027-02-19 → 2027-02-20（录入2027年节假日安排后，"
                      "按交办日 2026-12-20 起40个工作日重算）")
    assert json.loads(data) == {"from": "2027-02-19", "to": "2027-02-20", "within": 40, "due_basis": "calendar",
                                "why": "录入2027年节假日安排后，按交办日 2026-12-20 起40个工作日重算"}
    shown = {i: json.loads(across("show", str(i), "--format", "json", today="2026-12-21").stdout) for i in (1, 2, 3)}
    assert [(s["due"], s["due_uncertain"]) for s in shown.values()] == [
        ("2027-02-20", False), ("2027-02-12", False), ("2027-01-04", False)]  # #3: 10 working days, 元旦 off either way
    assert "重算时限" in across("log", "1", today="2026-12-21").stdout
    assert across("check", today="2026-12-21").exit_code == 0


@ESTIMATED_2027
def test_entering_a_day_recomputes_too(across, tmp_path):
    result = across("calendar", "add-holiday", "2027-02-11", "2027-02-12", "--note", "春节", today="2026-12-21")
    assert result.exit_code == 0, result.output
    assert "重算时限 1 件" in result.stdout  # 02-11, 02-12 off: 33 to 02-04, 02-15..19, 02-22, 02-23
    assert json.loads(across("show", "1", "--format", "json", today="2026-12-21").stdout)["due"] == "2027-02-23"


@ESTIMATED_2027
def test_a_notice_naming_a_day_of_the_year_before_does_not_make_that_year_known(units, tmp_path):
    notice = tmp_path / "2028.txt"
    notice.write_text("国务院办公厅关于2028年部分节假日安排的通知\n"
                      "一、元旦：2027年12月31日至2028年1月2日放假调休，共3天。\n", encoding="utf-8")
    ok = units("calendar", "import", str(notice), today="2026-12-21")
    assert ok.exit_code == 0, ok.output
    shown = units("calendar", "show", "2027", "--format", "json", today="2026-12-21")
    days = {r["date"]: r["description"] for r in json.loads(shown.stdout)}
    assert days["2027-12-31"] == "休息日（台账录入）"
    assert days["2027-02-09"] == "法定节假日（春节补假，估算）"  # 2027 is still estimated
    assert ESTIMATED_LINE in shown.stderr
