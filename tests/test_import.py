"""duban import: real, untidy Excel 台账 into the ledger (issue #5, DOMAIN.md §8).

Every workbook is generated here with openpyxl. The CLI fixture ``units`` gives a ledger
(today 2026-11-16) with 市交通运输局/交通局, 市财政局/财政局 and 市住房和城乡建设局/市住建局/住建局.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlite_utils import Database

from duban import importer
from duban.ledger import Ledger
from duban.models import EventKind, Source

HEADER = ["序号", "督办事项", "来源", "文号", "牵头领导", "牵头单位", "配合单位", "完成时限", "进展情况", "备注"]
TITLE = "2026年重点工作督查台账"


def write_book(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    """A workbook with one sheet per entry (rows as lists), optional merged ranges per sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
    wb.save(path)
    return path


def ledger_sheet(path: Path, rows: list[list], header: list[str] = HEADER, title: str | None = TITLE,
                 name: str = "台账") -> Path:
    top = [[title]] if title else []
    return write_book(path, {name: top + [header] + rows})


def row(title: str, lead: str = "市交通运输局", co: str | None = None, due: object = "2026年12月31日",
        progress: str | None = None, source: str = "领导批示", ref: str | None = None, leader: str | None = None,
        note: str | None = None, seq: int | None = None) -> list:
    return [seq, title, source, ref, leader, lead, co, due, progress, note]


def items(duban, today: str | None = None) -> list[dict]:
    result = duban("list", "--all", "--sort", "id", "--format", "json", today=today)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def show(duban, item_id: int) -> dict:
    result = duban("show", str(item_id), "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def log(duban, item_id: int) -> list[dict]:
    result = duban("log", str(item_id), "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def counts(db_path: str) -> dict[str, int]:
    db = Database(db_path)
    found = {t: db[t].count for t in ("items", "assignments", "events", "units", "import_keys")}
    db.close()
    return found


def import_json(duban, path: Path, *args: str, today: str | None = None):
    return duban("import", str(path), *args, "--format", "json", today=today)


@pytest.fixture
def db_path(units, monkeypatch) -> str:
    import os

    return os.environ["DUBAN_DB"]


# -- a whole messy sheet --------------------------------------------------------------------------


def test_messy_sheet_imports_in_one_command(units, tmp_path, db_path):
    """Title rows and a merged title, a 说明 sheet, subtotal and blank rows, several units per
    cell, mixed dates, a long-term item: one command, every row where it belongs."""
    path = write_book(tmp_path / "台账.xlsx", {
        "填表说明": [["说明：完成时限请写具体日期"], ["牵头单位请写全称"]],
        "重点工作": [
            [TITLE], ["填报单位：市政府督查室", None, None, None, None, None, None, "更新：2026年11月"],
            HEADER,
            row("推进主干道综合整治", "市交通运输局", "财政局、市住建局", dt.datetime(2026, 6, 30), "已完成方案编制",
                ref="市委批示〔2026〕12号", leader="张市长", seq=1),
            row("老旧小区改造", "住建局；交通局", None, "年底前", seq=2, source="2026年政府工作报告"),
            [None] * 10,
            row("财政资金绩效评价", "市财政局", None, "长期", source="市政府常务会议议定", seq=3),
            ["小计", "3项"],
        ],
    }, merges={"重点工作": ["A1:J1"]})
    result = units("import", str(path))
    assert result.exit_code == 0, result.output
    assert "已导入 台账.xlsx：新增 3 项" in result.stdout
    assert "工作表“填表说明”：说明类工作表，不是台账，已跳过" in result.stdout
    got = {i["title"]: i for i in items(units)}
    assert sorted(got) == ["推进主干道综合整治", "老旧小区改造", "财政资金绩效评价"]
    road = got["推进主干道综合整治"]
    assert (road["lead_unit"], road["co_units"], road["due"]) == ("市交通运输局", ["市财政局", "市住房和城乡建设局"],
                                                                  "2026-06-30")
    assert (road["source"], road["ref"], road["leader"]) == ("leader_instruction", "市委批示〔2026〕12号", "张市长")
    assert road["light"] == "red" and road["status"] == "open"  # past deadline: overdue, not an error
    housing = got["老旧小区改造"]
    assert (housing["lead_unit"], housing["co_units"], housing["due"], housing["source"]) == (
        "市住房和城乡建设局", ["市交通运输局"], "2026-12-31", "work_report")
    audit = got["财政资金绩效评价"]
    assert (audit["due"], audit["light"], audit["workdays_left"], audit["source"]) == (None, "green", None,
                                                                                      "meeting_decision")
    assert counts(db_path)["items"] == 3


def test_every_imported_item_has_one_imported_event_naming_file_and_row(units, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", progress="正在推进")])
    assert units("import", str(path)).exit_code == 0
    events = log(units, 1)
    assert [e["kind"] for e in events] == ["imported"]
    event = events[0]
    assert event["at"] == "2026-11-16" and event["unit"] == "市交通运输局"
    assert (event["data"]["file"], event["data"]["sheet"], event["data"]["row"]) == ("a.xlsx", "台账", 3)
    assert "a.xlsx 工作表“台账”第3行" in event["detail"]
    # no 交办 column: the real date is unknown, the import date stands in, and the event says so
    assert event["data"]["assigned_on"] == "2026-11-16" and event["data"]["assigned_on_known"] is False
    assert "实际交办日期未知，以导入日期 2026-11-16 计" in event["detail"]
    assert event["data"]["progress"] == "正在推进"
    detail = show(units, 1)
    assert detail["assignments"][0]["last_feedback"] == "2026-11-16"  # the row's progress counts as a report


def test_assigned_column_gives_the_real_assignment_date(units, tmp_path):
    header = HEADER + ["交办时间"]
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", due="2026年9月30日") + ["2026年3月2日"],
                                              row("事项乙") + [None]], header=header)
    assert units("import", str(path)).exit_code == 0
    first, second = show(units, 1), show(units, 2)
    assert first["assigned_on"] == "2026-03-02" and first["created"] == "2026-03-02"
    assert first["assignments"][0]["assigned_on"] == "2026-03-02"
    assert log(units, 1)[0]["data"]["assigned_on_known"] is True
    assert "交办时间 2026-03-02（表中所载）" in log(units, 1)[0]["detail"]
    assert second["assigned_on"] == "2026-11-16" and log(units, 2)[0]["data"]["assigned_on_known"] is False


def test_deadline_before_the_sheets_assignment_date_is_a_row_error(units, tmp_path, db_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", due="2026年3月1日") + ["2026年3月2日"]],
                        header=HEADER + ["登记日期"])
    result = units("import", str(path))
    assert result.exit_code == 1
    assert "完成时限 2026-03-01 早于交办时间 2026-03-02" in result.stdout
    assert counts(db_path)["items"] == 0


def test_long_term_item_reports_monthly_by_the_longterm_cadence(units, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("河湖长制常态化", due="持续推进")])
    assert units("import", str(path)).exit_code == 0
    lead = show(units, 1)["assignments"][0]
    assert lead["due"] is None and lead["light"] == "green"
    assert lead["feedback_due"] == "2026-12-31"  # 按月 (cadence_longterm): by the end of next month
    assert units("rules", "set", "cadence_longterm", "旬").exit_code == 0
    assert show(units, 1)["assignments"][0]["feedback_due"] == "2026-11-30"


def test_empty_deadline_gets_the_default_working_days_and_a_note(units, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", due=None)])
    result = import_json(units, path)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    due = report["rows"][0]["due"]
    assert due == "2026-12-07"  # 15 working days after 2026-11-16
    assert report["problems"] == [{"level": "note", "sheet": "台账", "row": 3, "column": "完成时限（H列）",
                                   "reason": "时限为空，按默认15个工作日计为 2026-12-07"}]
    assert show(units, 1)["due"] == "2026-12-07"


def test_deadline_on_a_holiday_or_in_an_unknown_year_is_imported_with_a_note(units, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", due="2026年10月1日"), row("事项乙", due="2031年6月30日")])
    result = import_json(units, path)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert [p["reason"] for p in report["problems"]] == ["办理时限 2026-10-01 是节假日（国庆节），不是工作日（照表导入）"]
    assert "警告：部分办理时限在日历未收录的年份（2031年），已标记“时限待核”" in result.stderr
    assert [i["due_uncertain"] for i in items(units)] == [False, True]


def test_rows_marked_done_are_not_imported(units, tmp_path, db_path):
    header = HEADER + ["办理状态"]
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲") + ["已办结"], row("事项乙") + ["推进中"],
                                              row("事项丙") + ["已销号"]], header=header)
    report = json.loads(import_json(units, path).stdout)
    assert [(r["title"], r["action"]) for r in report["rows"]] == [("事项甲", "skip"), ("事项乙", "new"),
                                                                    ("事项丙", "skip")]
    assert report["rows"][0]["reason"] == "状态为“已办结”，已办结事项不导入"
    assert [i["title"] for i in items(units)] == ["事项乙"]


# -- the header ------------------------------------------------------------------------------------


SYNONYMS = [
    # (header cell, field in show --format json (or None: checked by the field below), value written, expected)
    ("督办事项", "title", "事项甲", "事项甲"),
    ("工作任务", "title", "事项甲", "事项甲"),
    ("事项名称", "title", "事项甲", "事项甲"),
    ("牵头单位", "lead_unit", "财政局", "市财政局"),
    ("责任单位", "lead_unit", "财政局", "市财政局"),
    ("配合单位", "co_units", "住建局", ["市住房和城乡建设局"]),
    ("协办单位", "co_units", "住建局", ["市住房和城乡建设局"]),
    ("完成时限", "due", "2026年12月15日", "2026-12-15"),
    ("办理时限", "due", "2026年12月15日", "2026-12-15"),
    ("时间节点", "due", "2026年12月15日", "2026-12-15"),
    ("牵头领导", "leader", "王副市长", "王副市长"),
    ("分管领导", "leader", "王副市长", "王副市长"),
    ("进展情况", "progress", "已开工", "已开工"),
    ("办理情况", "progress", "已开工", "已开工"),
    ("来源", "source", "会议议定", "meeting_decision"),
    ("立项依据", "source", "会议议定", "meeting_decision"),
    ("文号", "ref", "督办〔2026〕8号", "督办〔2026〕8号"),
    ("备注", "content", "需市长审定", "备注：需市长审定"),
    ("交办时间", "assigned_on", "2026年10月9日", "2026-10-09"),
    ("登记日期", "assigned_on", "2026年10月9日", "2026-10-09"),
]
BASE = {"title": ("督办事项", "事项甲"), "lead": ("牵头单位", "交通局"), "due": ("完成时限", "2026年12月31日")}
FIELD_OF = {"title": "title", "lead_unit": "lead", "due": "due"}


@pytest.mark.parametrize("header, key, value, expected", SYNONYMS)
def test_each_header_synonym(units, tmp_path, header, key, value, expected):
    base = {k: v for k, v in BASE.items() if FIELD_OF.get(key) != k}
    headers = [h for h, _ in base.values()] + ["序号", header]
    cells = [v for _, v in base.values()] + [7, value]
    path = write_book(tmp_path / "a.xlsx", {"台账": [[TITLE], headers, cells]})
    result = units("import", str(path))
    assert result.exit_code == 0, result.output
    item = show(units, 1)
    if key == "progress":
        assert log(units, 1)[0]["data"]["progress"] == expected
    else:
        assert item[key] == expected


def test_header_with_notes_in_brackets_and_line_breaks(units, tmp_path):
    path = write_book(tmp_path / "a.xlsx", {"台账": [
        ["序 号", "督办事项\n（主要任务）", "牵头单位(盖章)", "完成时限*"],
        [1, "事项甲", "交通局", "2026年12月31日"],
    ]})
    assert units("import", str(path)).exit_code == 0
    assert show(units, 1)["due"] == "2026-12-31"


def test_two_row_header_under_a_merged_group_heading(units, tmp_path):
    """责任单位 merged over 牵头单位 | 配合单位 in the row below."""
    path = write_book(tmp_path / "a.xlsx", {"台账": [
        [TITLE],
        ["序号", "督办事项", "责任单位", None, "完成时限"],
        [None, None, "牵头单位", "配合单位", None],
        [1, "事项甲", "交通局", "财政局", "2026年12月31日"],
    ]}, merges={"台账": ["A1:E1", "C2:D2", "A2:A3", "B2:B3", "E2:E3"]})
    result = import_json(units, path)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["sheets"][0]["header_row"] == 3
    assert (report["rows"][0]["lead_unit"], report["rows"][0]["co_units"]) == ("市交通运输局", ["市财政局"])


def test_vertically_merged_cells_apply_to_every_row_they_span(units, tmp_path):
    path = write_book(tmp_path / "a.xlsx", {"台账": [
        [TITLE], HEADER,
        row("事项甲", leader="张市长", seq=1), row("事项乙", leader=None, seq=2), row("事项丙", leader=None, seq=3),
    ]}, merges={"台账": ["E3:E5"]})
    assert units("import", str(path)).exit_code == 0
    assert [i["leader"] for i in items(units)] == ["张市长", "张市长", "张市长"]


def test_map_names_a_column_duban_does_not_know(units, tmp_path):
    header = ["序号", "主要任务", "包保单位", "截止日期", "责任领导"]
    path = write_book(tmp_path / "a.xlsx", {"台账": [[TITLE], header, [1, "事项甲", "财政局", "2026年12月31日", "李四"]]})
    result = units("import", str(path))
    assert result.exit_code == 1
    assert "前30行中未找到表头" in result.output
    result = units("import", str(path), "--map", "主要任务=督办事项", "--map", "包保单位=lead", "--map",
                   "截止日期=完成时限")
    assert result.exit_code == 0, result.output
    item = show(units, 1)
    assert (item["title"], item["lead_unit"], item["due"], item["leader"]) == ("事项甲", "市财政局", "2026-12-31", "李四")


def test_map_ignore_and_duplicate_columns(units, tmp_path):
    header = ["督办事项", "牵头单位", "责任单位", "完成时限"]
    path = write_book(tmp_path / "a.xlsx", {"台账": [header, ["事项甲", "交通局", "张三", "2026年12月31日"]]})
    result = units("import", str(path))
    assert result.exit_code == 1
    assert "都对应字段“牵头单位”" in result.stdout
    assert units("import", str(path), "--map", "责任单位=ignore").exit_code == 0
    assert show(units, 1)["lead_unit"] == "市交通运输局"


@pytest.mark.parametrize("args, message", [
    (["--map", "主要任务"], "--map 应为“列名=字段”"),
    (["--map", "主要任务=不存在的字段"], "--map 的字段“不存在的字段”无法识别"),
    (["--year", "1999"], "--year 应为 2000 到 2099 之间的年份"),
    (["--source", "天上掉的"], "--source 的取值“天上掉的”无法识别"),
])
def test_bad_options_are_usage_errors(units, tmp_path, args, message):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲")])
    result = units("import", str(path), *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_map_column_missing_from_every_header_is_an_error(units, tmp_path, db_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲")])
    result = units("import", str(path), "--map", "主要任务=督办事项")
    assert result.exit_code == 1
    assert "--map 指定的列“主要任务”不在任何工作表的表头中" in result.stdout
    assert counts(db_path)["items"] == 0


def test_sheet_without_title_or_lead_column_is_an_error(units, tmp_path):
    path = write_book(tmp_path / "a.xlsx", {"台账": [["督办事项", "完成时限", "备注"], ["事项甲", "年底前", None]]})
    result = units("import", str(path))
    assert result.exit_code == 1
    assert "表头中没有“牵头单位”列" in result.stdout


# -- sheets ----------------------------------------------------------------------------------------


def test_every_ledger_sheet_is_imported_and_sheet_picks_one(units, tmp_path):
    path = write_book(tmp_path / "a.xlsx", {
        "说明": [["填表说明"]],
        "重点工作": [[TITLE], HEADER, row("事项甲")],
        "民生实事": [[TITLE], HEADER, row("事项乙", "财政局")],
        "统计": [["单位", "数量"], ["交通局", 1]],
    })
    report = json.loads(import_json(units, path, "--dry-run").stdout)
    assert [(s["name"], s["imported"]) for s in report["sheets"]] == [
        ("说明", False), ("重点工作", True), ("民生实事", True), ("统计", False)]
    assert report["sheets"][3]["reason"].startswith("前30行中未找到表头")
    assert units("import", str(path), "--sheet", "民生实事").exit_code == 0
    assert [i["title"] for i in items(units)] == ["事项乙"]


def test_hidden_sheets_are_skipped_unless_picked(units, tmp_path):
    path = write_book(tmp_path / "a.xlsx", {"台账": [HEADER, row("事项甲")], "旧台账": [HEADER, row("事项乙")]})
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["旧台账"].sheet_state = "hidden"
    wb.save(path)
    report = json.loads(import_json(units, path, "--dry-run").stdout)
    assert [(s["name"], s["reason"]) for s in report["sheets"]] == [("台账", None), ("旧台账", "隐藏的工作表，已跳过")]
    assert units("import", str(path), "--sheet", "旧台账").exit_code == 0
    assert [i["title"] for i in items(units)] == ["事项乙"]


def test_unknown_sheet_name_lists_the_sheets(units, tmp_path):
    path = write_book(tmp_path / "a.xlsx", {"重点工作": [HEADER, row("事项甲")], "说明": [["x"]]})
    result = units("import", str(path), "--sheet", "台账")
    assert result.exit_code == 1
    assert result.stderr == "错误：文件中没有名为“台账”的工作表，现有：重点工作、说明\n"


def test_workbook_without_any_ledger_sheet(units, tmp_path):
    path = write_book(tmp_path / "a.xlsx", {"填表说明": [["说明"]], "Sheet1": [["姓名", "电话"]]})
    result = units("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"错误：文件 {path} 中没有找到台账（“填表说明”：说明类工作表")


def test_blank_subtotal_heading_and_footer_rows_are_skipped(units, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [
        ["一、经济发展"] + [None] * 9,
        row("事项甲", seq=1),
        [None] * 10,
        [None, "  ", None, None, None, None, None, None, None, None],
        [None, "小 计", None, None, None, None, None, None, None, "1项"],
        [4] + [None] * 9,
        ["合计", None, None, None, None, None, None, None, None, "1项"],
        ["填表人：王五"] + [None] * 9,
    ])
    report = json.loads(import_json(units, path).stdout)
    assert [(r["row"], r["action"]) for r in report["rows"]] == [(3, "skip"), (4, "new"), (7, "skip"), (8, "skip"),
                                                                 (9, "skip"), (10, "skip")]
    assert report["counts"]["blank"] == 2
    assert report["rows"][2]["reason"] == "合计/小计行"
    assert [i["title"] for i in items(units)] == ["事项甲"]


# -- units -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("sep", ["、", "，", ",", ";", "；", "/", "\n", "、\n"])
def test_several_units_in_one_cell(units, tmp_path, sep):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", "市交通运输局", f"财政局{sep}住建局")])
    assert units("import", str(path)).exit_code == 0
    item = show(units, 1)
    assert (item["lead_unit"], item["co_units"]) == ("市交通运输局", ["市财政局", "市住房和城乡建设局"])


def test_responsibility_cell_first_unit_leads_unless_one_is_marked(units, tmp_path):
    header = ["督办事项", "责任单位", "完成时限"]
    path = write_book(tmp_path / "a.xlsx", {"台账": [header, ["事项甲", "住建局、交通局、财政局", "年底前"],
                                                     ["事项乙", "住建局、财政局（牵头）", "年底前"],
                                                     ["事项丙", "交通局牵头，财政局配合", "年底前"]]})
    assert units("import", str(path), "--year", "2026").exit_code == 0
    got = [(i["lead_unit"], i["co_units"]) for i in items(units)]
    assert got == [("市住房和城乡建设局", ["市交通运输局", "市财政局"]), ("市财政局", ["市住房和城乡建设局"]),
                   ("市交通运输局", ["市财政局"])]


def test_a_unit_named_in_both_columns_counts_once(units, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", "交通局", "市交通运输局、财政局")])
    assert units("import", str(path)).exit_code == 0
    item = show(units, 1)
    assert (item["lead_unit"], item["co_units"]) == ("市交通运输局", ["市财政局"])


def test_unknown_unit_is_an_error_that_suggests_close_names(units, tmp_path, db_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", "市交通局"), row("事项乙", "财政局", "市卫健委")])
    before = counts(db_path)
    result = import_json(units, path)
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert problems[0]["row"] == 3 and problems[0]["column"] == "牵头单位（F列）"
    assert problems[0]["reason"].startswith("未找到单位“市交通局”，是否是：市交通运输局")
    assert problems[1]["row"] == 4 and problems[1]["column"] == "配合单位（G列）"
    assert problems[1]["reason"].startswith("未找到单位“市卫健委”")
    assert result.stderr == "错误：a.xlsx 中有 2 处问题（未写入任何内容，请修改表格后重新导入）\n"
    assert counts(db_path) == before


def test_create_units_adds_unknown_units_in_the_same_transaction(units, tmp_path, db_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", "市卫健委", "市医保局、财政局"), row("事项乙", "市卫健委")])
    dry = json.loads(import_json(units, path, "--create-units", "--dry-run").stdout)
    assert dry["new_units"] == ["市卫健委", "市医保局"] and counts(db_path)["units"] == 3
    assert units("import", str(path), "--create-units").exit_code == 0
    assert counts(db_path)["units"] == 5
    assert [(i["lead_unit"], i["co_units"]) for i in items(units)] == [("市卫健委", ["市医保局", "市财政局"]),
                                                                       ("市卫健委", [])]
    names = [u["name"] for u in json.loads(units("unit", "list", "--format", "json").stdout)]
    assert names[-2:] == ["市卫健委", "市医保局"]


# -- dates and years -------------------------------------------------------------------------------


def test_every_date_form_in_one_sheet(units, tmp_path):
    cells = [dt.datetime(2026, 6, 30), "2026年6月30日", "2026.6.30", "2026/6/30", "6月30日前", "6月底", "年底前",
             "三季度末", "长期", "持续推进"]
    path = ledger_sheet(tmp_path / "a.xlsx", [row(f"事项{i}", due=c) for i, c in enumerate(cells)])
    assert units("import", str(path)).exit_code == 0
    assert [i["due"] for i in items(units)] == ["2026-06-30"] * 6 + ["2026-12-31", "2026-09-30", None, None]


def test_year_comes_from_the_title_or_year_option(units, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", due="6月底")], title="2027年重点工作督查台账")
    report = json.loads(import_json(units, path, "--dry-run").stdout)
    assert report["rows"][0]["due"] == "2027-06-30"
    assert (report["sheets"][0]["year"], report["sheets"][0]["year_from"]) == (2027, "标题")
    report = json.loads(import_json(units, path, "--dry-run", "--year", "2026").stdout)
    assert report["rows"][0]["due"] == "2026-06-30" and report["sheets"][0]["year_from"] == "--year"


def test_year_from_the_sheet_name_when_the_title_has_none(units, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", due="年底前")], title="重点工作督查台账",
                        name="2026年台账")
    assert json.loads(import_json(units, path, "--dry-run").stdout)["rows"][0]["due"] == "2026-12-31"


def test_no_year_anywhere_makes_yearless_dates_row_errors(units, tmp_path, db_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", due="2026年12月31日"), row("事项乙", due="6月底")],
                        title=None)
    result = import_json(units, path)
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(3, "完成时限（H列）")]
    assert "没有写年份" in problems[0]["reason"]
    assert counts(db_path)["items"] == 0


def test_unreadable_date_is_a_row_error_with_sheet_row_and_column(units, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", due="尽快")])
    result = units("import", str(path), "--dry-run")
    assert result.exit_code == 1
    assert "无法识别的时限“尽快”" in result.stdout and "完成时限（H列）" in result.stdout
    assert result.stderr == "错误：a.xlsx 中有 1 处问题（试导入，未写入）\n"


# -- all or nothing --------------------------------------------------------------------------------


def test_a_bad_row_in_the_middle_writes_nothing(units, tmp_path, db_path):
    rows = [row(f"事项{i}") for i in range(1, 6)]
    rows[2] = row("事项3", due="尽快")
    rows[3] = row("事项4", "不存在局")
    path = ledger_sheet(tmp_path / "a.xlsx", rows)
    before = counts(db_path)
    result = units("import", str(path))
    assert result.exit_code == 1
    assert result.stderr == "错误：a.xlsx 中有 2 处问题（未写入任何内容，请修改表格后重新导入）\n"
    report = json.loads(import_json(units, path).stdout)
    assert [(p["row"], p["column"]) for p in report["problems"]] == [(5, "完成时限（H列）"), (6, "牵头单位（F列）")]
    assert report["written"] is False
    assert counts(db_path) == before


def test_an_error_found_while_writing_rolls_back_the_rows_already_written(units, tmp_path, db_path):
    """Row 4 (a new item) is written before row 3's progress update fails: both are undone."""
    assert units("import", str(ledger_sheet(tmp_path / "a.xlsx", [row("事项甲")])), today="2026-11-20").exit_code == 0
    before = counts(db_path)
    later = ledger_sheet(tmp_path / "b.xlsx", [row("事项甲", progress="新进展"), row("事项乙")])
    result = units("import", str(later), today="2026-11-18")  # a day before the item's last record
    assert result.exit_code == 1
    assert result.stderr == ("错误：工作表“台账”第3行：事项 #1 已有 2026-11-20 的记录，"
                             "不能再记入更早日期 2026-11-18 的操作\n")
    assert counts(db_path) == before
    assert [i["title"] for i in items(units, today="2026-11-20")] == ["事项甲"]  # imported, so created, on 11-20


def test_dry_run_writes_nothing(units, tmp_path, db_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", "市卫健委")])
    before = counts(db_path)
    result = units("import", str(path), "--dry-run", "--create-units")
    assert result.exit_code == 0
    assert "试导入（未写入） a.xlsx：新增 1 项" in result.stdout and "将新增单位 1 个：市卫健委" in result.stdout
    assert counts(db_path) == before


def test_duplicate_row_in_the_sheet_is_an_error(units, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲"), row("事项乙"), row(" 事项甲 ", "交通局")])
    problems = json.loads(import_json(units, path).stdout)["problems"]
    assert problems == [{"level": "error", "sheet": "台账", "row": 5, "column": "督办事项（B列）",
                         "reason": "与工作表“台账”第3行重复（事项名称和牵头单位相同）；同一事项只能出现一次"}]


# -- re-import ------------------------------------------------------------------------------------


def test_reimport_adds_no_duplicates_and_records_changed_progress(units, tmp_path, db_path):
    first = ledger_sheet(tmp_path / "台账11月.xlsx", [row("事项甲", progress="已完成方案"), row("事项乙", "财政局")])
    assert units("import", str(first)).exit_code == 0
    after_first = counts(db_path)
    again = units("import", str(first))
    assert again.exit_code == 0 and "已导入过无变化 2 项" in again.stdout
    assert counts(db_path) == after_first
    # a later copy of the sheet, renamed, with an alias for the lead and new progress on one row
    later = ledger_sheet(tmp_path / "台账12月.xlsx", [row("事项甲", "交通局", progress="已开工建设"),
                                                     row("事项乙", "市财政局")])
    report = json.loads(import_json(units, later, today="2026-12-01").stdout)
    assert [(r["action"], r["item_id"]) for r in report["rows"]] == [("progress", 1), ("unchanged", 2)]
    now = counts(db_path)
    assert now["items"] == 2 and now["events"] == after_first["events"] + 1
    events = log(units, 1)
    assert [e["kind"] for e in events] == ["imported", "feedback"]
    assert (events[1]["at"], events[1]["unit"], events[1]["data"]["text"]) == ("2026-12-01", "市交通运输局", "已开工建设")
    assert events[1]["data"]["import"] == {"file": "台账12月.xlsx", "sheet": "台账", "row": 3}
    assert show(units, 1)["last_feedback"] == "2026-12-01"
    # the same progress again: nothing new
    assert units("import", str(later), today="2026-12-02").exit_code == 0
    assert counts(db_path)["events"] == now["events"]


def test_reimport_reports_changes_it_does_not_apply(units, tmp_path):
    header = HEADER + ["办理状态"]
    assert units("import", str(ledger_sheet(tmp_path / "a.xlsx", [row("事项甲") + [None]], header=header))).exit_code == 0
    changed = ledger_sheet(tmp_path / "b.xlsx", [row("事项甲", due="2027年3月31日") + ["已办结"]], header=header)
    report = json.loads(import_json(units, changed).stdout)
    assert [p["reason"] for p in report["problems"]] == [
        "已导入为事项 #1，表中时限 2027-03-31 与台账 2026-12-31 不同，未改动（如需延期请用 duban extend）",
        "表中标注已办结，台账中事项 #1 仍在办理：核实后请用 duban close 1 办结",
    ]
    assert show(units, 1)["due"] == "2026-12-31"


def test_progress_on_a_closed_item_is_a_note_not_an_event(units, tmp_path, db_path):
    assert units("import", str(ledger_sheet(tmp_path / "a.xlsx", [row("事项甲")]))).exit_code == 0
    assert units("close", "1", "--result", "已完成").exit_code == 0
    before = counts(db_path)
    report = json.loads(import_json(units, ledger_sheet(tmp_path / "b.xlsx", [row("事项甲", progress="新进展")])).stdout)
    assert report["rows"][0]["action"] == "unchanged"
    assert report["problems"][0]["reason"] == "进展情况有变化，但事项 #1 牵头单位状态为“已销号”，未记录反馈"
    assert counts(db_path) == before


# -- the log stays the truth --------------------------------------------------------------------------


def test_replay_rebuilds_imported_items_equal_to_the_stored_ones(ledger, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [
        row("事项甲", "交通局", "财政局、住建局", dt.datetime(2026, 6, 30), progress="已完成方案", leader="张市长",
            ref="文号1", note="备注1") + ["2026年3月2日"],
        row("事项乙", "财政局", None, "长期") + [None],
        row("事项丙", "住建局", "交通局", None) + ["2026年11月2日"],
    ], header=HEADER + ["交办时间"])
    report = importer.import_file(ledger, path, importer.ImportOptions())
    assert report.written and [r.item_id for r in report.rows] == [1, 2, 3]
    for item_id in (1, 2, 3):
        assert ledger.replayed(item_id) == ledger.item(item_id).item
    ledger.today = dt.date(2026, 11, 20)
    ledger.feedback(1, "市交通运输局", "已开工")
    ledger.close(2, "已完成")
    again = ledger_sheet(tmp_path / "b.xlsx", [row("事项丙", "住建局", "交通局", None, progress="已招标")])
    importer.import_file(ledger, again, importer.ImportOptions())
    for item_id in (1, 2, 3):
        assert ledger.replayed(item_id) == ledger.item(item_id).item
    assert ledger.item(3).item.lead.last_feedback == dt.date(2026, 11, 20)


def test_show_as_of_and_the_imported_event_in_the_lifecycle(ledger, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", due="2026年11月30日")])
    importer.import_file(ledger, path, importer.ImportOptions())
    assert ledger.item_as_of(1, dt.date(2026, 11, 16)).item.due == dt.date(2026, 11, 30)
    with pytest.raises(Exception, match="尚未立项"):
        ledger.item_as_of(1, dt.date(2026, 11, 15))
    events = ledger.events(1)
    assert [e.kind for e in events] == [EventKind.IMPORTED]
    assert events[0].data["units"] == [{"unit_id": 1, "unit": "市交通运输局", "role": "lead"}]


def test_library_use_with_a_default_source(ledger, tmp_path):
    path = write_book(tmp_path / "a.xlsx", {"台账": [["督办事项", "牵头单位", "完成时限"], ["事项甲", "交通局", "2026年12月31日"]]})
    importer.import_file(ledger, path, importer.ImportOptions(default_source=Source.DOCUMENT))
    assert ledger.item(1).item.source is Source.DOCUMENT


def test_source_words_and_unmatched_source(units, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", source="市委常委会议定"), row("事项乙", source="12345热线工单"),
                                              row("事项丙", source="上级来函")])
    report = json.loads(import_json(units, path).stdout)
    assert [i["source"] for i in items(units)] == ["meeting_decision", "public_request", "other"]
    assert report["problems"][0]["reason"] == "来源“上级来函”未对应到立项依据分类，按“其他”登记（原文保留在导入记录中）"
    assert log(units, 3)[0]["data"]["source_text"] == "上级来函"


# -- files that are not readable xlsx ----------------------------------------------------------------


def _ole2(encrypted: bool) -> bytes:
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    name = "EncryptionInfo" if encrypted else "Workbook"
    return head + name.encode("utf-16-le") + b"\x00" * 1024


BAD_FILES = [
    ("missing", lambda p: None, "文件不存在："),
    ("directory", lambda p: p.mkdir(), "是目录，不是 Excel 文件"),
    ("empty", lambda p: p.write_bytes(b""), "是空文件（0 字节），不是 Excel 工作簿"),
    ("garbage", lambda p: p.write_bytes(bytes(range(256)) * 8), "不是 Excel（.xlsx、.xlsm、.xls）、WPS（.et）或 OpenDocument（.ods） 工作簿，内容无法识别"),
    ("csv", lambda p: p.write_text("督办事项,牵头单位,完成时限\n事项甲,交通局,2026-12-31\n", encoding="utf-8"),
     "是文本文件（如 CSV），不是 Excel 工作簿"),
    ("gbk csv", lambda p: p.write_bytes("督办事项,牵头单位\n事项甲,交通局\n".encode("gbk")), "是文本文件（如 CSV）"),
    ("encrypted", lambda p: p.write_bytes(_ole2(True)), "设有打开密码（已加密），无法读取"),
    ("office file, no workbook in it", lambda p: p.write_bytes(_ole2(False)), "文件已损坏或不是 Excel"),
    ("zip, not xlsx", lambda p: zipfile.ZipFile(p, "w").writestr("a.txt", "hello"), "是压缩包，但不是 Excel 工作簿"),
    ("truncated xlsx", None, "文件已损坏或不完整"),
]


@pytest.mark.parametrize("case, make, message", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_unreadable_file_is_a_clear_error_and_changes_nothing(units, tmp_path, db_path, case, make, message):
    path = tmp_path / "台账.xlsx"
    if make is None:
        good = ledger_sheet(tmp_path / "good.xlsx", [row("事项甲")])
        path.write_bytes(good.read_bytes()[:1500])
    else:
        make(path)
    before = counts(db_path)
    result = units("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith("错误：") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert result.stdout == ""
    assert counts(db_path) == before


def test_sheet_xml_damaged_inside_a_valid_zip(units, tmp_path, db_path):
    good = ledger_sheet(tmp_path / "good.xlsx", [row("事项甲")])
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            dst.writestr(info, data)
    result = units("import", str(bad))
    assert result.exit_code == 1
    assert "文件已损坏或不是 Excel" in result.stderr
    assert counts(db_path)["items"] == 0


def test_a_real_xlsx_without_the_xlsx_extension_is_read(units, tmp_path):
    path = ledger_sheet(tmp_path / "台账.dat", [row("事项甲")])
    assert units("import", str(path)).exit_code == 0
    assert [i["title"] for i in items(units)] == ["事项甲"]


def test_the_ledger_must_exist(duban, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲")])
    result = duban("import", str(path))
    assert result.exit_code == 1
    assert "台账文件不存在" in result.stderr


# -- reports ---------------------------------------------------------------------------------------


def test_json_report_keys(units, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", co="财政局", progress="进行中", seq=1)])
    report = json.loads(import_json(units, path, "--dry-run").stdout)
    assert sorted(report) == ["counts", "dry_run", "file", "new_units", "problems", "rows", "sheets", "written"]
    assert report["counts"] == {"new": 1, "progress": 0, "unchanged": 0, "skip": 0, "blank": 0, "placeholder": 0, "prefilled": 0, "hidden": 0, "errors": 0,
                                "notes": 0, "new_units": 0}
    r = report["rows"][0]
    assert {k: r[k] for k in ("sheet", "row", "action", "item_id", "title", "lead_unit", "co_units", "due",
                              "due_text", "long_term", "assigned_on", "assigned_on_known", "progress")} == {
        "sheet": "台账", "row": 3, "action": "new", "item_id": None, "title": "事项甲", "lead_unit": "市交通运输局",
        "co_units": ["市财政局"], "due": "2026-12-31", "due_text": "2026年12月31日", "long_term": False,
        "assigned_on": "2026-11-16", "assigned_on_known": False, "progress": "进行中"}
    assert report["sheets"] == [{"name": "台账", "imported": True, "header_row": 2, "year": 2026, "year_from": "标题",
                                 "reason": None}]
    written = json.loads(import_json(units, path).stdout)
    assert written["written"] is True and written["rows"][0]["item_id"] == 1


def test_csv_report_lists_rows_and_problems_in_sheet_order(units, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲"), row("事项乙", due="尽快"), ["合计"]])
    result = units("import", str(path), "--dry-run", "--format", "csv")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == ",".join(importer_csv_keys())
    assert [line.split(",")[:4] for line in lines[1:]] == [["new", "新增", "台账", "3"], ["error", "错误", "台账", "4"],
                                                           ["skip", "跳过", "台账", "5"]]


def test_long_dry_run_lists_one_plain_line_per_row(units, tmp_path, monkeypatch):
    from duban.commands import excel

    monkeypatch.setattr(excel, "TABLE_ROWS", 1)
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", co="财政局、住建局", due="年底前"), ["合计"],
                                              row("事项乙", "不存在局", due="尽快")])
    result = units("import", str(path), "--dry-run")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:3] == ["将导入的行（共 2 行，逐行列出；表格形式请用 --format csv）",
                         "台账 第3行 新增：事项甲｜牵头 市交通运输局｜配合 市财政局、市住房和城乡建设局｜时限 2026-12-31（年底前）｜交办 未知",
                         "台账 第4行 跳过：合计（合计/小计行）"]
    assert lines[3] == "问题与提示（共 2 条）"
    assert lines[4].startswith("错误：工作表“台账”，第5行，牵头单位（F列）：未找到单位“不存在局”")
    assert lines[5] == ("错误：工作表“台账”，第5行，完成时限（H列）：无法识别的时限“尽快”"
                        "（可写 2026年6月30日、2026.6.30、6月底、三季度末、年底前、长期 等）")


def importer_csv_keys() -> tuple[str, ...]:
    from duban.commands.excel import CSV_KEYS

    return CSV_KEYS


def test_table_report_names_sheet_row_column_and_reason(units, tmp_path):
    path = ledger_sheet(tmp_path / "a.xlsx", [row("事项甲", "不存在局")])
    result = units("import", str(path))
    assert result.exit_code == 1
    assert "问题与提示" in result.stdout
    for words in ("错误", "台账", "3", "牵头单位（F列）", "未找到单位“不存在局”"):
        assert words in result.stdout


def test_import_does_not_load_openpyxl_at_startup():
    import subprocess
    import sys

    code = "import sys, duban.cli; print('openpyxl' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_migration_m005_creates_the_key_table(tmp_path):
    led = Ledger.open(tmp_path / "new.db", create=True)
    assert "m005_import_keys" in led.applied_migrations()
    columns = [r[1] for r in led.db.execute("PRAGMA table_info(import_keys)")]
    assert columns == ["key", "item_id", "progress", "file", "sheet", "row", "imported_on", "updated_on"]
    with pytest.raises(sqlite3.IntegrityError):
        led.db.execute("INSERT INTO import_keys VALUES ('k', 99, NULL, 'f', 's', 1, 'x', 'x')")


# -- the example in examples/ ------------------------------------------------------------------------

EXAMPLE_UNITS = [
    ("市住房和城乡建设局", "市住建局", "住建局"), ("市交通运输局", "市交通局", "交通局"), ("市生态环境局", "生态环境局"),
    ("市教育局", "教育局"), ("市卫生健康委员会", "市卫健委", "卫健委"), ("市财政局", "财政局"),
    ("市自然资源和规划局", "市自然资源局", "市资规局"), ("城东区人民政府", "城东区政府"),
    ("城东区住房和城乡建设局", "城东区住建局"),
]


def test_the_messy_example_sheet_imports_cleanly_in_one_command(duban, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_messy_sheet",
                                                  Path(__file__).parent.parent / "examples" / "make_messy_sheet.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = module.build(tmp_path / "待导入台账.xlsx")
    assert duban("init").exit_code == 0
    for name, *aliases in EXAMPLE_UNITS:
        args = [a for alias in aliases for a in ("--alias", alias)]
        assert duban("unit", "add", name, *args).exit_code == 0
    result = duban("import", str(path), "--format", "json", today="2026-11-20")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"] == {"new": 13, "progress": 0, "unchanged": 0, "skip": 6, "blank": 1, "placeholder": 0, "prefilled": 0, "hidden": 0, "errors": 0,
                                "notes": 0, "new_units": 0}
    assert [s["name"] for s in report["sheets"] if s["imported"]] == ["重点工作", "民生实事"]
    got = {i["title"]: i for i in items(duban, today="2026-11-20")}  # nothing is listed before it was created
    assert len(got) == 13
    assert [got[t]["leader"] for t in ("推进城区主干道综合整治", "实施老旧小区改造三年行动", "加快地下管网排查改造")] == \
        ["张副市长"] * 3  # a vertically merged 分管领导 cell
    assert got["河湖长制常态化巡河"]["due"] is None and got["财政资金绩效评价"]["due"] is None
    assert got["加快地下管网排查改造"]["co_units"] == ["市财政局", "市自然资源和规划局"]
    assert got["推进城区主干道综合整治"]["assigned_on"] == "2026-03-02"
    assert duban("import", str(path), today="2026-11-20").exit_code == 0
    assert len(items(duban, today="2026-11-20")) == 13


def test_unrecognised_columns_after_the_known_ones_are_left_unread(units, tmp_path):
    # an exported duban 台账 ends with 剩余/逾期工作日 and 事项编号 columns the importer does not map;
    # a value there used to be read as a missing 交办时间 and crash the import
    header = ["序号", "督办事项", "牵头单位", "完成时限", "剩余/逾期工作日", "事项编号"]
    path = ledger_sheet(tmp_path / "导出的台账.xlsx", [[1, "道路整治", "交通局", "2026年12月31日", -3, 17]],
                        header=header)
    result = units("import", str(path))
    assert result.exit_code == 0, result.output
    assert [(i["title"], i["lead_unit"], i["due"]) for i in items(units)] == [
        ("道路整治", "市交通运输局", "2026-12-31")]
